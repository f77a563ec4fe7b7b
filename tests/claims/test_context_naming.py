"""Issue 15, round 2: names taken from a caption or heading, figure narration, unnamed own methods.

Sentences are written in the style of two-column NLP papers (none is copied from an arXiv paper).
"""

from __future__ import annotations

import pytest

from synth.claims.base import Candidate
from synth.claims.decontext import (
    captions_of,
    decontextualise,
    insert_name,
    leans_on_context,
    named_from_context,
    only_dataset,
    paper_context,
)
from synth.claims.faithfulness import check_rewrites, rewrite_pairs
from synth.claims.rules import RulesExtractor
from synth.core.records import Paper
from tests.claims.test_rules import PAPER, sents

CAPTIONS = captions_of(
    [
        "Table 3: F1 score on the BUCC bitext mining task for four language pairs.",
        "Table 4: Accuracy on XNLI and PAWS-X for the fifteen test languages.",
        "Figure 2: Spearman correlation on the STS 2017 test sets during training. Lower is worse.",
    ]
)


def _extract(texts: list[str], section: str, paper: Paper = PAPER) -> list[Candidate]:
    return RulesExtractor().extract(paper, sents(texts, section, paper.id), captions=CAPTIONS).candidates


def test_captions_are_read_by_label_and_name_exactly_one_dataset() -> None:
    assert set(CAPTIONS) == {"table 3", "table 4", "figure 2"}
    assert only_dataset(CAPTIONS["table 3"]) == "BUCC"
    assert only_dataset(CAPTIONS["table 4"]) is None  # two data sets: no name is chosen
    assert only_dataset("5.2 Results on Tatoeba") == "Tatoeba"
    assert only_dataset("4 Experiments") is None


def test_an_unnamed_task_is_named_from_the_table_the_sentence_points_at() -> None:
    ctx = paper_context(PAPER, [], captions=CAPTIONS)
    sentence = "As Table 3 shows, distilling the teacher into RobustXLT significantly improves the performance for all pairs."
    assert named_from_context(sentence, "4 Experiments", ctx) == ("BUCC", CAPTIONS["table 3"])
    # pointing at a table whose caption names two data sets, or at two tables: nothing is added
    assert named_from_context("The gains on Table 4 are larger for Swahili.", "4 Experiments", ctx) is None
    assert named_from_context("Table 3 and Figure 2 show a similar trend.", "4 Experiments", ctx) is None
    # no pointer: the section heading names the task
    assert named_from_context("Training on more pairs helps.", "5.2 Results on Tatoeba", ctx) == (
        "Tatoeba",
        "Section: 5.2 Results on Tatoeba.",
    )
    assert insert_name("RobustXLT improves the performance for all pairs.", "BUCC") == (
        "RobustXLT improves the performance for all pairs [on BUCC]."
    )


def test_the_extractor_adds_the_name_as_an_editorial_insertion() -> None:
    found = _extract(
        ["Using the robust training objective, we were able to significantly improve the performance over mBERT (Table 3)."],
        "4 Experiments",
    )
    assert [c.text for c in found] == [
        "Using the robust training objective, Huang et al. (2021) were able to significantly improve the performance over "
        "mBERT [on BUCC]."
    ]
    assert found[0].context == CAPTIONS["table 3"]
    # the faithfulness check reads the caption before the sentence, so a name it gives is not an invention
    premise, rewrite = rewrite_pairs(found)[0]
    assert premise.startswith("Table 3: F1 score on the BUCC") and rewrite == found[0].text
    refused, fell_back = check_rewrites(found, lambda p, h: 0.1)
    assert fell_back == 1 and refused[0].context is None and "[on" not in refused[0].text


def test_a_claim_that_names_its_task_is_left_alone() -> None:
    found = _extract(["RobustXLT significantly improves the accuracy on PAWS-X over mBERT (Table 3)."], "4 Experiments")
    assert [c.text for c in found] == ["RobustXLT significantly improves the accuracy on PAWS-X over mBERT."]


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ("The plot shows for the LaBSE model a clear separation between English and German.", "narrates a figure or table"),
        ("The left panel shows that XLM-R aligns Hindi better than mBERT.", "narrates a figure or table"),
        ("The dashed line marks where mBERT stops improving on XNLI.", "narrates a figure or table"),
        ("This section describes how XLM-R behaves on Swahili.", "about the paper itself"),
        ("XLM-R achieves better performance on XNLI, as shown in the experimental section.", "about the paper itself"),
        ("The baselines of Huang et al. (2021) underperform XLM-R on Swahili.", None),
    ],
)
def test_figure_narration_and_the_papers_structure_are_not_presented(claim: str, reason: str | None) -> None:
    assert leans_on_context(claim) == reason


def test_the_papers_own_method_by_no_name_is_not_presented() -> None:
    nameless = Paper(
        id="local:abc", title="Robust Training for Zero-Shot Transfer", source="local", authors=["A. Author", "B. Author"]
    )
    texts = ["Our model outperforms mBERT on XNLI by a wide margin in all fifteen languages."]
    assert _extract(texts, "5 Results", nameless) == []
    # the same sentence, when the paper names its method ("We propose RobustXLT"), is presented under that name
    assert [c.text for c in _extract(texts, "5 Results")] == [
        "RobustXLT outperforms mBERT on XNLI by a wide margin in all fifteen languages."
    ]


def test_a_conditional_and_an_announced_explanation_are_not_findings() -> None:
    assert _extract(["If a model is biased towards English, pairs with English will be ranked higher on STS."], "7 Bias") == []
    assert _extract(["First, we explain how the SNLI corpus can be used to train sentence encoders."], "3 Approach") == []


@pytest.mark.parametrize(
    ("section", "task"),
    [
        ("3.1 Sentiment analysis › Results", "Sentiment analysis"),  # fastText's results subsection
        ("6.3 English Constituency Parsing", "English Constituency Parsing"),
        ("4.2 Question Answering", "Question Answering"),
        ("5.3 Analysis", None),  # a part of the paper, not a task
        ("4 Error analysis", None),
        ("5 Evaluation of Training Datasets", None),
        ("4.4 Language Similarity", None),  # similarity of languages: an analysis
        ("4.1 Multilingual Semantic Textual Similarity", "Multilingual Semantic Textual Similarity"),  # of texts: a task
        ("5 Results and Analysis › Challenges in Crosslingual Parsing", None),
    ],
)
def test_a_heading_that_names_a_task_names_it_for_an_unnamed_measure(section: str, task: str | None) -> None:
    ctx = paper_context(PAPER, [])
    named = named_from_context("Overall our accuracy is slightly better than char-CNN.", section, ctx)
    assert (named[0] if named else None) == task


UNNAMED = Paper(
    id="1705.02364v5",
    title="Supervised Learning of Universal Sentence Representations from Natural Language Inference Data",
    source="arxiv",
    authors=["Alexis Conneau", "Douwe Kiela", "Holger Schwenk"],
    year=2017,
    abstract="We show how sentence representations trained on natural language inference data transfer to other tasks.",
)


def test_the_authors_standing_for_a_system_the_paper_never_names_is_not_a_claim() -> None:
    """ "Conneau et al. (2017) are also competitive …" names who, not what: the reader cannot tell which encoder."""
    for sentence in (
        "On semantic textual similarity STS14, we are also competitive with PPDB based paragram-phrase embeddings.",
        "Overall, our embeddings outperform SkipThought vectors on all transfer tasks.",
    ):
        assert _extract([sentence], "5 Results", UNNAMED) == []
    # "our embeddings" that is not the subject, and a paper that names its system, stay
    kept = (
        "On image caption retrieval, training our sentence encoder on more genres does not degrade the performance "
        "compared to the encoder trained only on SNLI, which confirms the generalization power of our embeddings."
    )
    assert len(_extract([kept], "5 Results", UNNAMED)) == 1
    assert len(_extract(["On STS14, we are also competitive with PPDB based embeddings."], "5 Results")) == 1


def test_how_models_can_be_trained_and_what_a_data_set_holds_are_not_findings() -> None:
    """Read on InferSent's pages: a taxonomy of models and a comparison of two corpora's coverage were presented as
    findings for a question on which architectures perform best on inference."""
    assert _extract(["Models can be trained on SNLI in two ways: (i) separate encoders and (ii) joint methods."], "3 Task") == []
    corpus = "With 400K pairs, MultiNLI improves upon SNLI in its coverage: it contains ten genres of English."
    assert _extract([corpus], "5 Results") == []
    # the authors' own models, and a result on a data set, stay
    assert len(_extract(["Our models can be trained in two hours and outperform ESIM on SNLI."], "5 Results")) == 1
    assert len(_extract(["On MultiNLI, RobustXLT improves accuracy over ESIM by 2 points."], "5 Results")) == 1


def test_a_challenge_that_remains_is_motivation() -> None:
    """MESH's abstract (a 2024 non-arXiv paper): the field's success, then "however a challenge still persists"."""
    sentence = (
        "Multi-head attention has been applied to many tasks and achieved state of the art performance on several "
        "benchmarks, however a challenge still persists to determine what it learns."
    )
    assert _extract([sentence], "Abstract") == []


def test_in_this_paper_we_names_the_authors_once_as_the_subject() -> None:
    """InferSent's abstract read "In Conneau et al. (2017), they show how …"; several authors take the plural verb."""
    ctx = paper_context(UNNAMED, [])
    assert decontextualise("In this paper, we show how NLI-trained encoders outperform SkipThought.", ctx)[0] == (
        "Conneau et al. (2017) show how NLI-trained encoders outperform SkipThought."
    )
    assert decontextualise("This paper shows that NLI-trained encoders outperform SkipThought.", ctx)[0] == (
        "Conneau et al. (2017) show that NLI-trained encoders outperform SkipThought."
    )
