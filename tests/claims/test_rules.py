"""The rules extractor: what counts as a claim, its kind, its numbers, its decontextualised text, bad input."""

from __future__ import annotations

import re

import pytest

from synth.claims import get_extractor
from synth.claims.base import Extraction, Extractor
from synth.claims.checks import missing_tail
from synth.claims.decontext import PaperContext, decontextualise, method_name, paper_context
from synth.claims.llm import LLMExtractor
from synth.claims.numbers import extract_numbers
from synth.claims.rules import LONG_WORDS, RulesExtractor, classify, split_long
from synth.core.records import Paper, Sentence
from synth.core.settings import ClaimsSettings

PAPER = Paper(
    id="2104.08645v1",
    title="Improving Zero-Shot Cross-Lingual Transfer Learning via Robust Training",
    source="arxiv",
    authors=["Kuan-Hao Huang", "Wasi Uddin Ahmad", "Nanyun Peng", "Kai-Wei Chang"],
    year=2021,
    abstract="We propose RobustXLT, a robust training method for cross-lingual transfer.",
)


def sents(texts: list[str], section: str = "5 Results", paper_id: str = PAPER.id) -> list[Sentence]:
    out, pos = [], 0
    for i, text in enumerate(texts):
        out.append(
            Sentence(
                id=f"{paper_id}#s{i}",
                paper_id=paper_id,
                page=1 + i // 10,
                section=section,
                char_start=pos,
                char_end=pos + len(text),
                text=text,
            )
        )
        pos += len(text) + 1
    return out


def extract(texts: list[str], section: str = "5 Results", paper: Paper = PAPER) -> Extraction:
    return RulesExtractor().extract(paper, sents(texts, section, paper.id))


def ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)").endswith((".", "!", "?"))


# -- the interface ---------------------------------------------------------------------------------------
def test_both_extractors_conform_to_the_protocol() -> None:
    assert isinstance(RulesExtractor(), Extractor)
    assert isinstance(LLMExtractor(ClaimsSettings()), Extractor)
    assert isinstance(get_extractor(ClaimsSettings()), RulesExtractor)
    assert isinstance(get_extractor(ClaimsSettings(extractor="llm")), LLMExtractor)


# -- numbers ---------------------------------------------------------------------------------------------
def test_numeric_claim_carries_metric_dataset_and_direction() -> None:
    (n,) = extract_numbers("Robust training improves accuracy by 2.1 points on PAWS-X.")
    assert (n.value, n.unit, n.metric, n.dataset, n.direction) == (2.1, "points", "accuracy", "PAWS-X", "increase")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ESIM achieves an accuracy of 88.0% on SNLI.", [(88.0, "%", "accuracy", "SNLI", "level")]),
        ("Accuracy on XNLI drops by 3.5 points for Swahili.", [(3.5, "points", "accuracy", "XNLI", "decrease")]),
        (
            "The model outperforms the best previous models by more than 2.0 BLEU on WMT 2014.",
            [(2.0, None, "BLEU", "WMT 2014", "increase")],
        ),
        (
            "Systems attain high performances, in the 85-93% accuracy range.",
            [(85.0, "%", "accuracy", None, "level"), (93.0, "%", "accuracy", None, "level")],
        ),
        (
            "The improvements are 1.4%, 3.5%, and 1.9% on MNLI (Table 3).",
            [(1.4, "%", None, "MNLI", "level"), (3.5, "%", None, "MNLI", "level"), (1.9, "%", None, "MNLI", "level")],
        ),
    ],
)
def test_numbers(text: str, expected: list[tuple]) -> None:
    assert [(n.value, n.unit, n.metric, n.dataset, n.direction) for n in extract_numbers(text)] == expected


def test_years_references_and_counts_are_not_results() -> None:
    assert extract_numbers("In 2019, Table 3 and Section 4 list 15 languages and 12 layers [12, 13].") == []


# -- what is a claim -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Does robust training improve zero-shot cross-lingual transfer?",  # a question
        "We train the model for 10 epochs with a learning rate of 0.001.",  # method description
        "To this end, we use the Adam optimizer and a batch size of 32.",
        "Table 2 shows the results on all datasets.",  # a pointer to a table
        "The rest of this paper is organized as follows.",
        "Code is available at https://github.com/example/repo for all experiments.",  # boilerplate
        "Let x denote the input sentence and y = f(x) its label.",  # math
    ],
)
def test_non_claims_are_skipped(text: str) -> None:
    assert extract([text]).candidates == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Robust training improves accuracy by 2.1 points on PAWS-X.", "numeric"),
        ("Randomized smoothing outperforms adversarial training on all languages of PAWS-X.", "comparative"),
        ("We find that the gains come mainly from languages that are distant from English.", "finding"),
        ("However, the method fails to improve transfer to languages with a different script.", "limitation"),
    ],
)
def test_kinds(text: str, kind: str) -> None:
    (c,) = extract([text]).candidates
    assert c.kind == kind


def test_background_citations_motivation_and_announcements_are_not_findings() -> None:
    cited = "Multilingual BERT obtains strong zero-shot cross-lingual transfer performance (Wu and Dredze, 2019)."
    assert extract([cited], section="2 Related Work").candidates == []
    assert extract([cited], section="5 Results").candidates == []  # someone else's result, with its citation
    found = extract(
        [
            "Several papers have found layer 8 to work well for multilingual tasks.",  # hearsay
            "In this paper, we introduce XGLUE, a new benchmark for cross-lingual pre-training.",  # an announcement
            "The goal of this work is to improve zero-shot transfer to low-resource languages.",
            "Cross-lingual transfer remains difficult for languages with little pretraining data.",  # motivation
        ],
        section="1 Introduction",
    )
    assert found.candidates == []
    (c,) = extract(
        ["We show that robust training improves transfer of XLM-R to distant languages."], section="1 Introduction"
    ).candidates
    assert c.text == "Robust training improves transfer of XLM-R to distant languages."  # the authors' own result, stated early


def test_references_and_front_matter_are_never_read() -> None:
    text = "Robust training improves accuracy by 2.1 points on PAWS-X."
    assert extract([text], section="References").candidates == []
    assert extract([text], section="Front matter").candidates == []


# -- decontextualisation ----------------------------------------------------------------------------------
def test_we_and_our_model_become_the_method_name() -> None:
    ctx = PaperContext(name="RobustXLT", ref="Huang et al. (2021)", plural_ref=True)
    text, ok = decontextualise("We show that our model outperforms mBERT by 2.1 points on PAWS-X.", ctx)
    assert ok and text == "RobustXLT outperforms mBERT by 2.1 points on PAWS-X."
    text, _ = decontextualise("We achieve 88.6% accuracy on SNLI.", ctx)
    assert text == "RobustXLT achieves 88.6% accuracy on SNLI."


def test_we_becomes_the_paper_when_no_method_is_named() -> None:
    ctx = PaperContext(name=None, ref="“Some Title”", plural_ref=False)
    text, _ = decontextualise("If we remove the pooling layer, our accuracy drops to 87.1%.", ctx)
    assert text == "If the authors of “Some Title” remove the pooling layer, their accuracy drops to 87.1%."
    assert not re.search(r"\b(we|our|us)\b", text)


def test_pronouns_resolved_from_the_previous_sentence_or_flagged() -> None:
    ctx = PaperContext(name=None, ref="“T”", plural_ref=False)
    text, ok = decontextualise(
        "It outperforms mUSE on all languages.", ctx, previous="LASER trains an encoder-decoder LSTM model."
    )
    assert ok and text.startswith("LASER outperforms")
    _, ok = decontextualise("It outperforms mUSE on all languages.", ctx, previous="The results are shown below.")
    assert not ok
    _, ok = decontextualise("This approach works poorly in practice.", ctx)
    assert not ok


def test_method_name_is_found() -> None:
    assert method_name("Whatever", "We propose RobustXLT, a robust training method.", []) == "RobustXLT"
    assert method_name("DR-BiLSTM: Dependent Reading Bidirectional LSTM", "", []) == "DR-BiLSTM"
    assert (
        method_name("T", "We propose a new simple network architecture, the Transformer, based on attention.", [])
        == "Transformer"
    )
    s = sents(
        ["We call this approach multilingual knowledge distillation, as the student mimics the teacher."],
        section="1 Introduction",
    )
    assert method_name("T", "", s) == "multilingual knowledge distillation"
    assert method_name("T", "We propose an approach for cross-lingual Named Entity Recognition (NER) transfer.", []) is None


def test_placeholder_title_is_rebuilt_from_the_first_page() -> None:
    paper = Paper(id="1301.3781v3", title="arXiv:1301.3781v3  [cs.CL]  7 Sep 2013", source="local")
    ctx = paper_context(
        paper, [], ["Efficient Estimation of Word Representations in", "Vector Space", "Tomas Mikolov Google Inc."]
    )
    assert ctx.ref == "“Efficient Estimation of Word Representations in Vector Space”"


# -- bad input ----------------------------------------------------------------------------------------------
def test_paper_that_is_mostly_tables_and_math() -> None:
    texts = [
        "Model En Fr De Es 88.1 79.2 77.4 78.9 85.0 74.3 72.1 73.8 86.2 75.0 73.3 74.1.",
        "L(θ) = −Σ log p(y | x; θ) + λ ||θ||² where λ = 0.01 and θ ∈ R^d.",
        "ARI Setting En-FrEs En-RuZh MONO .035 .033 .046 ONE-SIDED .044 .044 .055 FULL .046 .040 .056.",
        "Robust training improves accuracy by 2.1 points on PAWS-X.",
        "P(z = k | β) = β_k ∏ (1 − β_r) for r < k.",
    ]
    found = extract(texts).candidates
    assert [c.sentence.id for c in found] == [f"{PAPER.id}#s3"]


def test_paper_with_no_qualifying_sentences_gives_zero_claims() -> None:
    texts = ["We train the model for 10 epochs.", "Table 1 lists the hyper-parameters.", "How does the model behave on Swahili?"]
    assert extract(texts).candidates == []


def test_extremely_long_sentence_is_split_at_clause_boundaries_and_stated() -> None:
    clause = "robust training improves accuracy on PAWS-X for languages with a different script than English by a clear margin"
    text = "Randomized smoothing outperforms the baseline on all languages, " + "; ".join([clause] * 6) + "."
    assert len(text.split()) > LONG_WORDS
    found = extract([text]).candidates
    assert len(found) == 6
    assert all(ends_sentence(c.text) and c.note and "split" in c.note and "of 6" in c.note for c in found)
    assert all(c.sentence.text == text for c in found)  # the original sentence stays whole in the source


def test_extremely_long_sentence_without_clause_boundary_is_kept_whole() -> None:
    text = (
        "Robust training of XLM-R outperforms the baseline " + " ".join(["on the language pair with a distant script"] * 10) + "."
    )
    (c,) = extract([text]).candidates
    assert c.text == text and c.note and "kept whole" in c.note
    assert split_long("Short sentence; with a clause.") == ["Short sentence; with a clause."]


def test_non_english_text_is_extracted_with_its_language() -> None:
    de = (
        "Unsere Ergebnisse zeigen, dass robustes Training die Genauigkeit auf PAWS-X um 2,1 Punkte verbessert "
        "und die Übertragung auf andere Sprachen stabilisiert."
    )
    fr = (
        "Les résultats montrent que l'entraînement robuste améliore la précision de 2,1 points "
        "sur PAWS-X pour toutes les langues."
    )
    found = extract([de, fr]).candidates
    assert [c.language for c in found] == ["de", "fr"]
    assert [c.text for c in found] == [de, fr]  # English rewrite rules are not applied to other languages


def test_every_claim_ends_a_sentence_and_is_never_cut() -> None:
    texts = [
        "We show that robust training improves accuracy by 2.1 points on PAWS-X.",
        "Our model outperforms mBERT on XNLI (Table 2).",
        "However, it fails on languages with little pretraining data.",
    ]
    for c in extract(texts).candidates:
        assert ends_sentence(c.text)
        assert not missing_tail(c.text, c.sentence.text)  # "(Table 2)" may go: a pointer, not content


def test_classify_returns_none_for_pure_description() -> None:
    assert classify("We use XLM-R as the student model in all experiments.") is None


# -- heldout-9: sentences as printed in papers of other fields -------------------------------------------------------
def test_a_cited_result_with_a_hyphenated_surname_or_told_with_they_is_not_the_papers_finding() -> None:
    # Focke et al. 2013 (Frontiers in Psychology), Discussion: both sentences report Shadmehr and Brashers-Krug's study
    found = extract(
        [
            "Shadmehr and Brashers-Krug (1997) additionally analyzed after-effects of the included catch trials and found "
            "that the learning of force field B on day 2 started in an internal model appropriate to A for all groups.",
            "As they found consolidation of A only when the time interval between learning A and B was higher than 5 h they "
            "concluded that this consolidation of A was achieved due to a decrease of retrograde interference.",
        ],
        "4 Discussion",
    )
    assert found.candidates == []
    assert found.reasons.get("cited") == 2


def test_a_participants_quoted_words_are_data_not_a_finding_in_the_authors_voice() -> None:
    # Tully et al. 2010 (Rehabilitation Research and Practice): "we're" is the participant's, not the authors'
    found = extract(
        [
            "Two other participants disagreed, however, and believed it had made no difference to their response to their "
            "diagnosis: It's defeatist, we're failed before we start ... the nurse came to me and I in the bed and I wasn't "
            "well at all ... and I said, “That's some motivation, living with heart failure”."
        ],
        "3 Results",
    )
    assert found.candidates == [] and found.reasons.get("quotation") == 1


def test_the_authors_earlier_study_is_not_this_papers_finding() -> None:
    # Dodd et al. 2014 (BMC Medicine), Discussion: reference 14 is the authors' earlier cohort study
    found = extract(
        [
            "We previously identified a decline in maternal HEI over the duration of pregnancy, which was maintained into "
            "the postpartum period, and was positively correlated with socioeconomic status.",
        ],
        "Discussion",
    )
    assert found.candidates == [] and found.reasons.get("cited") == 1


@pytest.mark.parametrize(
    "text",
    [
        # Hu et al. 2011 (Applied and Environmental Microbiology), Results
        "Accordingly, the deep group for both genes appeared near the base of the euphotic zone (150 m for amoA genes and "
        "75 m for accA genes), and the relative abundance of this group increased with depth.",
        "The abundance of the crenarchaeal accA gene was almost always below the detection limit within the euphotic zones "
        "but then increased with depth to maximal values at a depth of 300 m at both stations.",
    ],
)
def test_a_claim_that_leans_on_the_text_before_is_not_self_contained(text: str) -> None:
    found = extract([text], "Results")
    assert found.candidates and all(not c.self_contained for c in found.candidates)


@pytest.mark.parametrize(
    ("section", "text", "reason"),
    [
        # Lane et al. 2005 (Journal of Hydrology): where the data came from, under "Statistical analyses"
        (
            "2.3. Statistical analyses",
            "Daily streamflow data were obtained from 10 catchment studies from southeastern "
            "Australia, New Zealand and South Africa.",
            "method",
        ),  # fmt: skip
        # Gerber et al. 2025 (MNRAS): how a quantity is got, in the present tense
        (
            "3.2 Determination of H/C ratios",
            "The H/C ratio of the DBD-produced carbon dust is obtained from mass spectrometry data.",
            "method",
        ),  # fmt: skip
        # Lane et al. 2005: what a kind of plot shows, in general
        (
            "2.1. Characterisation of flow regime",
            "Flow duration curves display the relationship between streamflow and "
            "the percentage of time the streamflow is exceeded as a cumulative density function.",
            "general",
        ),  # fmt: skip
    ],
)
def test_provenance_derivation_and_definition_are_not_findings(section: str, text: str, reason: str) -> None:
    found = extract([text], section)
    assert found.candidates == [] and found.reasons == {reason: 1}


def test_a_best_result_obtained_by_a_named_system_is_still_a_finding() -> None:
    assert extract(["The best accuracy is obtained by XLM-R on XNLI, with 80.1%."]).candidates
