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


def _focus(question: str) -> list[list[str]]:
    return [[f.text for f in group] for group in focus(question, facets(question))]


def test_the_focus_is_what_the_question_asks_about() -> None:
    assert _focus(NLI) == [["natural language inference"]]  # "neural architectures" names the answer; "on" the task
    regularities = "Which word representation models capture syntactic and semantic regularities best?"
    # the verb after a plural "models" ends the answer type: "capture" is neither part of it nor a facet
    assert _focus(regularities) == [["syntactic", "semantic regularities"]]
    xai = "Can explainable AI methods explain deep learning predictions of molecular properties?"
    assert _focus(xai) == [["explainable AI methods"]]
    # "adding X" asks about X ("adding" alone was the subject of the question)
    junction = "Does adding an AlGaAs tunnel junction to a GaInP/GaAs tandem solar cell improve its conversion efficiency?"
    assert _focus(junction)[0] == ["AlGaAs tunnel junction"]
    effect = "What is the impact of multilingual pre-training on zero-shot transfer?"  # "what" is a pronoun here
    assert _focus(effect) == [["zero-shot transfer"]]
    # a yes/no question asks about its subject, and about the task it names with "on"
    assert _focus("Does attention between the two sentences improve accuracy on natural language inference?") == [
        ["attention between two sentences"],
        ["natural language inference"],
    ]
    either = "How well do cross-lingual systems perform on word similarity and word-in-context disambiguation?"
    assert _focus(either) == [["word similarity", "word-in-context disambiguation"]]  # on either task
    across = "How well do multilingual sentence encoders perform on semantic textual similarity across languages?"
    assert _focus(across) == [["semantic textual similarity"]]  # "across languages" is no second task
    assert _focus(TRANSFER) == [["multilingual encoders", "transfer across languages", "without parallel data"]]
    assert _focus(ATTENTION) == [["attention-based models vs recurrent neural networks"]]


@pytest.mark.parametrize(
    ("question", "claim", "title", "admitted"),
    [
        (NLI, "ESIM outperforms the tree-based encoders on SNLI by 0.6 points.", "Enhanced LSTM for Inference", True),
        # the context must name the whole task, not a word of it ("machine" of "machine translation")
        (
            "How well do bidirectional attention models perform on machine comprehension?",
            "The Transformer outperforms attention models with recurrent layers.",
            "Attention Is All You Need. We evaluate on machine translation.",
            False,
        ),
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
        (
            TRANSFER,
            "The knn-replace model shows the strongest multilinguality on XNLI.",
            "Elements Essential for Multilinguality. Multilingual BERT transfers across languages.",
            True,
        ),
        (TRANSFER, "Transformer reaches 28.4 BLEU on the WMT 2014 English-to-German translation task.", "Attention", False),
        # "-ness" names its adjective: a paper on robustness answers a question on robust training
        (
            "Does robust training improve zero-shot cross-lingual transfer?",
            "Adversarial training improves zero-shot cross-lingual transfer on PAWS-X.",
            "Improving the Robustness of Cross-Lingual Transfer. We study robustness to perturbations during training.",
            True,
        ),
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


def test_a_claim_about_the_papers_own_method_reads_with_its_title() -> None:
    """ "BIDAF achieves …" says nothing of attention or comprehension; its paper's title does, and BIDAF is that paper's
    method. The same sentence from another paper's results is not about it."""
    from synth.core.records import Paper
    from synth.stages.claims import question_gate

    bidaf = Paper(
        id="1611.01603v5",
        title="Bi-Directional Attention Flow for Machine Comprehension",
        source="arxiv",
        authors=["Minjoon Seo", "Aniruddha Kembhavi", "Ali Farhadi", "Hannaneh Hajishirzi"],
        year=2017,
        abstract="We introduce the Bi-Directional Attention Flow (BIDAF) network, a hierarchical model for machine "
        "comprehension.",
    )
    other = Paper(id="1706.03762v5", title="Attention Is All You Need", source="arxiv", authors=["A. Vaswani"], year=2017)
    text = "BIDAF achieves the state-of-the-art results on SQuAD."
    question = "How well do bidirectional attention models perform on machine comprehension?"
    _, answers = question_gate(question, {p.id: p for p in (bidaf, other)}, {})
    mine = Candidate(sentence=sents([text], paper_id=bidaf.id)[0], text=text, kind="comparative", numbers=[], cue=0.8)
    theirs = Candidate(sentence=sents([text], paper_id=other.id)[0], text=text, kind="comparative", numbers=[], cue=0.8)
    assert answers(mine) and not answers(theirs)


def test_a_claim_is_read_with_the_abbreviations_its_paper_defines() -> None:
    """Özen et al. 2015 write "TJ" after defining "tunnel junctions (TJs)": the claim is about tunnel junctions."""
    from synth.core.records import Paper
    from synth.stages.claims import question_gate

    paper = Paper(
        id="local:solar",
        title="Performance evaluation of a GaInP/GaAs solar cell structure with the integration of AlGaAs tunnel junction",
        source="local",
        authors=["Yunus Özen"],
        year=2015,
    )
    texts = [
        "Tunnel junctions (TJs) are highly doped p–n diodes which allow for quantum mechanical tunneling.",
        "According to experimental results, the integration of TJ is very effective on device performance.",
    ]
    sentences = sents(texts, paper_id=paper.id)
    question = "Does adding an AlGaAs tunnel junction to a GaInP/GaAs tandem solar cell improve its conversion efficiency?"
    claim = Candidate(sentence=sentences[1], text=texts[1], kind="finding", numbers=[], cue=0.7)
    assert question_gate(question, {paper.id: paper}, {paper.id: sentences})[1](claim)
    assert not question_gate(question, {paper.id: paper}, {paper.id: sentences[1:]})[1](claim)  # no definition, no match


def test_a_compound_written_open_names_the_hyphenated_term() -> None:
    # Douglas et al. 2014 write "SHOP (scaffold hopping)" where the question says "scaffold-hopping"
    gate = QuestionGate.of(
        "Can scaffold-hopping, fragment-based design produce potent ACE inhibitors that are selective for the N-domain"
        " over the C-domain?"
    )
    context = "Fragment-based design of N-domain-selective inhibitors. Using a receptor-based SHOP (scaffold hopping) approach"
    assert gate.admits("A crystal structure of the inhibitor in complex with the N-domain revealed its binding.", context)
    assert not gate.admits("A crystal structure of the inhibitor in complex with the N-domain revealed its binding.", "")
