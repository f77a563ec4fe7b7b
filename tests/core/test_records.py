"""Every record type survives a JSON round trip unchanged and rejects unknown fields."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from synth.core.records import (
    AnswerParagraph,
    AnswerSentence,
    ArxivSearch,
    Block,
    Chunk,
    Claim,
    ClaimRelevance,
    ClaimSource,
    Evidence,
    Facet,
    FacetCoverage,
    Failure,
    HeldOutFigures,
    Number,
    Paper,
    PaperRelevance,
    ParsedDoc,
    PlannedQuery,
    RankedCandidate,
    SearchPlan,
    Sentence,
    Synthesis,
    Verdict,
    VerifierFigures,
)

SOURCE = ClaimSource(
    paper_id="2104.08645v1",
    sentence_id="2104.08645v1#s3",
    page=2,
    section="1 Introduction",
    char_start=10,
    char_end=90,
    original="We show that X improves Y.",
)
EXAMPLES = [
    Paper(id="2104.08645v1", title="Robust", authors=["A B"], year=2021, source="arxiv", sha256="0" * 64),
    ParsedDoc(
        paper_id="p",
        sha256="0" * 64,
        n_pages=2,
        pages_read=2,
        blocks=[Block(page=1, section="Abstract", kind="prose", text="Hi.", char_start=0)],
    ),
    Sentence(id="p#s0", paper_id="p", page=1, section="Abstract", char_start=0, char_end=3, text="Hi."),
    Chunk(
        id="p#c0",
        paper_id="p",
        page_start=1,
        page_end=2,
        section="Abstract",
        char_start=0,
        char_end=3,
        sentence_ids=["p#s0"],
        text="Hi.",
    ),
    Claim(
        id="C001",
        text="X improves Y by 2.1 points on PAWS-X.",
        kind="numeric",
        sources=[SOURCE],
        numbers=[Number(value=2.1, unit="points", metric="accuracy", dataset="PAWS-X", direction="increase", text="2.1 points")],
        relevance=0.7,
        extractor="rules",
    ),
    Verdict(
        claim_id="C001",
        label="supported",
        raw_score=0.9,
        confidence=0.8,
        calibration="isotonic",
        rule="max",
        evidence=[
            Evidence(
                chunk_id="q#c1",
                paper_id="q",
                page=3,
                section="4 Results",
                text="X helps.",
                retrieval_score=0.5,
                probs={"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05},
            )
        ],
        stated_by=1,
        model_id="m",
    ),
    Failure(stage="parse", item="p", error="ParseError", message="p.pdf: encrypted"),
    SearchPlan(source="local", location="/data/sample", candidates=4, kept=3),
    SearchPlan(
        source="arxiv",
        location="https://export.arxiv.org/api/query",
        candidates=2,
        kept=1,
        queries=[PlannedQuery(name="core", why="the core topic", query="ti:xnli", total_results=40, returned=2, pages=1)],
        summary="Searched arXiv with 1 query.",
        arxiv=ArxivSearch(
            id_list=["2104.08645"],
            since=dt.date(2019, 1, 1),
            until=None,
            categories=["cs.CL"],
            filter_clauses=["cat:cs.CL"],
            max_papers=1,
            candidates_per_query=25,
            ranked_by="word overlap",
            filtered_out=0,
            downloaded=1,
            from_cache=0,
            failed=0,
            requests=3,
            retries=0,
            waited_s=6.0,
            http_s=0.4,
            elapsed_s=6.5,
            ranking=[
                RankedCandidate(id="2104.08645v1", title="Robust", similarity=0.8, queries=["id_list"], seed=True),
                RankedCandidate(id="1809.05053v1", title="XNLI", similarity=0.5, queries=["core"], seed=False),
            ],
        ),
    ),
]


HELD_OUT = HeldOutFigures(
    setting="retrieval",
    n_claims=40,
    accuracy=0.625,
    macro_f1=0.557,
    ece=0.254,
    precision_supported=0.7,
    coverage_supported=0.41,
    precision_refuted=None,
    coverage_refuted=None,
)
FIGURES = VerifierFigures(
    model="synth/nli-minilm-l6",
    source="synth/assets/nli-minilm-l6/aggregator.json",
    operating_point=0.44,
    target_precision=0.8,
    fit_precision_supported=0.857,
    fit_coverage_supported=0.46,
    eval_data="SciFact claims_train.jsonl, eval part",
    held_out=[HELD_OUT],
)
FACET = Facet(id="F2", text="text + images vs text-only models", terms=["text", "image", "text-only"], kind="comparison",
              sides=[["text", "image"], ["text-only"]])  # fmt: skip
SENTENCE = AnswerSentence(text="X helps.", claims=["C001"], papers=["a", "b"], status="not_verified", leaning="supported")
PAPER_RELEVANCE = PaperRelevance(paper_id="a", score=0.61, profile="title+abstract", relevant=True, facets=["F2"])
CLAIM_RELEVANCE = ClaimRelevance(claim_id="C001", score=0.52, facets=["F2"], finding=True, rank=1)
COVERAGE = FacetCoverage(
    facet=FACET.text, facet_id="F2", addressed=True, papers=["a"], claims=["C001"], best_score=0.7, mentions=3
)
PARAGRAPH = AnswerParagraph(facet=FACET.text, facet_id="F2", sentences=[SENTENCE])
SYNTHESIS_EXAMPLES = [
    HELD_OUT,
    FIGURES,
    FACET,
    SENTENCE,
    AnswerSentence(text="Y.", claims=["C002"], papers=["c"], status="supported", entailment=0.93),
    PAPER_RELEVANCE,
    CLAIM_RELEVANCE,
    COVERAGE,
    PARAGRAPH,
    Synthesis(
        question="Does X help?",
        embedding_model="m@rev",
        measure="cosine",
        facet_method="keyphrases",
        paper_threshold=0.4,
        claim_threshold=0.45,
        facet_threshold=0.3,
        claim_facet_threshold=0.55,
        papers=[PAPER_RELEVANCE, PaperRelevance(paper_id="b", score=0.1, profile="title", relevant=False)],
        claims=[CLAIM_RELEVANCE, ClaimRelevance(claim_id="C002", score=0.2, finding=False)],
        facets=[FACET],
        coverage=[COVERAGE],
        answer=[PARAGRAPH],
        writer="llm",
        dropped_sentences=2,
        verifier=FIGURES,
    ),
]
EXAMPLES += SYNTHESIS_EXAMPLES


def test_synthesis_knows_whether_it_is_on_topic() -> None:
    synthesis = SYNTHESIS_EXAMPLES[-1]
    assert isinstance(synthesis, Synthesis) and synthesis.on_topic
    off = synthesis.model_copy(update={"papers": [p.model_copy(update={"relevant": False}) for p in synthesis.papers]})
    assert not off.on_topic
    assert FIGURES.setting("retrieval") == HELD_OUT and FIGURES.setting("oracle") is None


@pytest.mark.parametrize("record", EXAMPLES, ids=lambda r: f"{type(r).__name__}-{getattr(r, 'source', '')}")
def test_round_trip(record) -> None:  # type: ignore[no-untyped-def]
    assert type(record).model_validate_json(record.model_dump_json()) == record


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Paper.model_validate({"id": "x", "title": "t", "source": "local", "surprise": 1})


def test_an_arxiv_id_is_cited_by_the_year_it_was_first_submitted() -> None:
    from synth.core.arxiv_ids import first_year

    assert first_year("1705.02364v5") == 2017  # the PDF's stamp says "8 Jul 2018" (version 5)
    assert first_year("2104.08645") == 2021
    assert first_year("hep-th/9901001v1") == 1999
    assert first_year("math.AG/0309136") == 2003
    assert first_year("not an id") is None
