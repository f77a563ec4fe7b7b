"""Whether a claim can answer the question (:class:`synth.synthesis.facets.QuestionGate`): it must be about what the
question asks, by its own words or its paper's title and abstract, not merely from the same field.

Claims are written in the style of the judged papers' findings (none copied from an arXiv paper); contexts are the
papers' titles, as a run passes them.
"""

from __future__ import annotations

import numpy as np
import pytest

from synth.claims.base import Candidate
from synth.claims.selection import rank
from synth.synthesis.facets import QuestionGate, facets, focus
from tests.claims.test_rules import sents

NLI = "Which neural architectures perform best on natural language inference?"
ATTENTION = "How do attention-based models compare with recurrent neural networks in accuracy and training cost?"
LINEAR = "How do fast linear text classifiers compare with deep neural networks in accuracy and training time?"
TRANSFER = "How well do multilingual encoders transfer across languages without parallel data?"


def test_compare_with_makes_a_comparison_facet() -> None:
    found = facets(ATTENTION)
    assert [f.text for f in found] == ["attention-based models vs recurrent neural networks", "accuracy", "training cost"]
    assert found[0].kind == "comparison" and found[0].sides == [["attention-based"], ["recurrent", "neural", "network"]]


def test_the_focus_leaves_out_what_a_which_question_asks_for() -> None:
    assert [f.text for f in focus(NLI, facets(NLI))] == ["natural language inference"]  # "neural architectures" is the answer
    effect = "What is the impact of multilingual pre-training on zero-shot transfer?"  # "what" is a pronoun here
    assert [f.text for f in focus(effect, facets(effect))] == ["multilingual pre-training", "zero-shot transfer"]
    assert [f.kind for f in focus(ATTENTION, facets(ATTENTION))] == ["comparison"]


@pytest.mark.parametrize(
    ("question", "claim", "title", "admitted"),
    [
        (NLI, "ESIM outperforms the tree-based encoders on SNLI by 0.6 points.", "Enhanced LSTM for Inference", True),
        (NLI, "Deeper encoders perform better on natural language inference benchmarks.", "", True),
        # the same field, another task: "architecture" alone does not make a claim about inference
        (NLI, "The CBOW architecture works better than the NNLM on the syntactic tasks.", "Word Representations", False),
        (NLI, "Distillation improves bitext retrieval on BUCC for all four language pairs.", "", False),
        # a comparison: what is compared must be named, here by the paper's title
        (
            ATTENTION,
            "For translation, the Transformer trains significantly faster than architectures based on recurrent layers.",
            "Attention Is All You Need",
            True,
        ),
        (ATTENTION, "For sentiment classification, the LSTM is much stronger than the averaging models.", "Paraphrastic", False),
        # a comparative ("faster") and a compound of two terms ("fastText") name "fast … text"
        (LINEAR, "fastText is on par with deep learning classifiers while being much faster.", "", True),
        # "-lingual" names languages, "-ity" its adjective
        (TRANSFER, "The knn-replace model shows the strongest multilinguality on XNLI.", "", True),
        (TRANSFER, "Transformer reaches 28.4 BLEU on the WMT 2014 English-to-German translation task.", "Attention", False),
    ],
)
def test_a_claim_must_be_about_what_the_question_asks(question: str, claim: str, title: str, admitted: bool) -> None:
    assert QuestionGate.of(question).admits(claim, title) is admitted


def test_the_focus_in_the_context_is_not_enough_without_a_part_of_the_question_in_the_claim() -> None:
    gate = QuestionGate.of(NLI)
    assert not gate.admits("The model has 3M parameters.", "Enhanced LSTM for Natural Language Inference")
    assert gate.admits("The model reaches 88.6% on SNLI.", "Enhanced LSTM for Natural Language Inference")


def test_a_question_with_no_facet_admits_every_claim() -> None:
    assert QuestionGate.of("Why?").admits("Anything at all.", "")


def test_rank_drops_what_does_not_answer_the_question() -> None:
    gate = QuestionGate.of(NLI)
    texts = ["ESIM outperforms tree-based encoders on SNLI.", "Distillation improves bitext retrieval on BUCC."]
    pool = [Candidate(sentence=s, text=s.text, kind="comparative", numbers=[], cue=0.8) for s in sents(texts)]
    vectors, q = np.array([[1.0, 0.0], [0.8, 0.6]]), np.array([1.0, 0.0])
    kept, _ = rank(pool, vectors, q, 10, 10, "rules", 0.3, lambda c: gate.admits(c.text, ""))
    assert [c.text for c in kept] == [texts[0]]
    assert len(rank(pool, vectors, q, 10, 10, "rules", 0.3)[0]) == 2  # no gate given: similarity alone
    assert len(rank(pool, vectors, q, 10, 10, "rules", 0.0, lambda c: gate.admits(c.text, ""))[0]) == 2  # cut turned off
