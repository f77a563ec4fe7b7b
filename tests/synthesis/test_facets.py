"""The question's facets: a deterministic keyphrase split, and what "a passage mentions a facet" means."""

from __future__ import annotations

import numpy as np
import pytest

from synth.synthesis.facets import dedupe, facets, mentions, terms, word_set

SEED = (
    "What is the impact of multimodal pre-training (text + images/audio) on zero-shot cross-lingual transfer performance "
    "for semantic similarity tasks in XTREME, compared to text-only models, and does multimodal alignment improve "
    "robustness across low-resource languages?"
)


def _texts(question: str) -> list[str]:
    return [f.text for f in facets(question)]


def test_the_seed_question_splits_into_its_parts() -> None:
    found = facets(SEED)
    assert [f.text for f in found] == [
        "multimodal pre-training",
        "text + images/audio vs text-only models",
        "zero-shot cross-lingual transfer",
        "semantic similarity",
        "XTREME",
        "multimodal alignment",
        "robustness across low-resource languages",
    ]
    assert [f.id for f in found] == [f"F{i}" for i in range(1, 8)]
    comparison = found[1]
    assert comparison.kind == "comparison" and comparison.sides == [["text", "image", "audio"], ["text-only"]]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Does intermittent fasting improve insulin sensitivity in adults?",
            ["intermittent fasting", "insulin sensitivity", "adults"],
        ),
        (
            "How well do multilingual encoders transfer across languages without parallel data?",
            ["multilingual encoders", "transfer across languages", "without parallel data"],
        ),
        ("Is BERT better than LSTM for NLI?", ["BERT vs LSTM", "NLI"]),
        (
            "What are the effects of data augmentation vs. back-translation on low-resource machine translation?",
            ["data augmentation vs back-translation", "low-resource machine translation"],
        ),
        # "other" is no part of a question ("other tasks", "tasks" being generic, left a facet "other")
        (
            "Do sentence embeddings learned from natural language inference data transfer to other tasks?",
            ["sentence embeddings learned", "natural language inference data transfer"],
        ),
        # a verb is no part of a question: it ends the phrase before it ("differ", "consolidate", "be extracted"); a
        # participle that qualifies the phrase stays ("learned" above, "made" below: not every sentence embedding)
        (
            "Do the abundance and community structure of marine group I Crenarchaeota differ between the euphotic zone "
            "and the upper mesopelagic zone?",
            ["abundance", "community structure", "marine group", "Crenarchaeota", "euphotic zone", "upper mesopelagic zone"],
        ),  # fmt: skip
        (
            "Does hydrogenated amorphous carbon made in a plasma match the infrared features of interstellar dust?",
            ["hydrogenated amorphous carbon made", "plasma match", "infrared features", "interstellar dust"],
        ),
        (
            "Do catch trials help people consolidate motor memory?",
            ["catch trials", "people", "motor memory"],
        ),
        (
            "How accurately can synthesis actions be extracted from materials science papers?",
            ["accurately", "synthesis actions", "materials science papers"],
        ),
        # a gerund names an activity and a plural is a noun: "sandwich priming", "nuclear recoils" stay whole
        (
            "Can sandwich priming reveal effects of low-energy nuclear recoils?",
            ["sandwich priming", "low-energy nuclear recoils"],
        ),
        ("XNLI", ["XNLI"]),
        ("Why?", []),
        ("", []),
    ],
)
def test_other_questions(question: str, expected: list[str]) -> None:
    assert _texts(question) == expected


def test_facets_are_deterministic_and_never_repeat() -> None:
    assert facets(SEED) == facets(SEED)
    assert _texts("Do multilingual encoders help, and do multilingual encoders work?") == ["multilingual encoders"]


def test_terms_are_content_words_lightly_stemmed() -> None:
    assert terms("robustness across low-resource languages") == ["robustness", "low-resource", "language"]
    assert terms("text-only models") == ["text-only"]  # "models" is too general to require when another term is there
    assert terms("models") == ["model"]


def test_a_passage_mentions_a_facet_with_all_its_terms_or_each_side_of_a_comparison() -> None:
    by_text = {f.text: f for f in facets(SEED)}
    zero_shot = by_text["zero-shot cross-lingual transfer"]
    assert mentions(zero_shot, word_set("Zero-shot crosslingual transfer works well."))  # hyphens do not matter
    assert mentions(zero_shot, word_set("We study zero-shot cross-lingual transferring to Hindi."))
    assert not mentions(zero_shot, word_set("Cross-lingual transfer needs parallel data."))  # "zero-shot" missing
    pre = by_text["multimodal pre-training"]
    assert mentions(pre, word_set("Multimodal pretrained encoders"))  # pre-training = pretrained
    comparison = by_text["text + images/audio vs text-only models"]
    assert mentions(comparison, word_set("Adding images and audio to text beats text-only baselines."))
    assert not mentions(comparison, word_set("Adding images and audio to text helps."))  # one side only


def test_dedupe_drops_near_duplicates_by_embedding() -> None:
    found = facets("Do multilingual encoders transfer across languages, and do cross-lingual encoders transfer?")
    assert len(found) >= 2

    def embed(texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 4)) / 2.0  # everything identical

    kept = dedupe(found, embed)
    assert [f.id for f in kept] == ["F1"] and kept[0].text == found[0].text
