"""Relevance gates, facet coverage and the extractive answer, on small hand-made runs with exact vectors."""

from __future__ import annotations

import numpy as np

from synth.core.records import Chunk, Claim, ClaimSource, Evidence, Number, Paper, Verdict
from synth.core.settings import SynthesisSettings
from synth.synthesis.answer import disagreements
from synth.synthesis.relevance import findings, paper_relevance, profiles
from synth.synthesis.synthesize import RunRecords, synthesize
from tests.conftest import FakeEmbedder

QUESTION = "Does zero-shot cross-lingual transfer of multilingual encoders work without parallel data?"


def _paper(pid: str, title: str, abstract: str = "") -> Paper:
    return Paper(id=pid, title=title, abstract=abstract, authors=["Ada Lovelace"], year=2020, source="local")


def _claim(cid: str, pid: str, text: str, numbers: list[Number] | None = None) -> Claim:
    src = ClaimSource(paper_id=pid, sentence_id=f"{pid}#s1", page=2, section="4", char_start=0, char_end=len(text), original=text)
    return Claim(id=cid, text=text, kind="finding", sources=[src], numbers=numbers or [], relevance=0.5, extractor="rules")


def _chunk(pid: str, n: int, text: str) -> Chunk:
    return Chunk(id=f"{pid}#c{n}", paper_id=pid, page_start=1, page_end=1, section="1", char_start=0, char_end=len(text),
                 sentence_ids=[], text=text)  # fmt: skip


def _verdict(cid: str, label: str, decider: str | None = None, leaning: str | None = None) -> Verdict:
    evidence = []
    if decider:
        evidence = [Evidence(chunk_id=f"{decider}#c0", paper_id=decider, page=3, section="5", text="It does.",
                             retrieval_score=0.5, probs={"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05},
                             role="deciding")]  # fmt: skip
    return Verdict(claim_id=cid, label=label, raw_score=0.9, confidence=0.85, calibration="test", rule="test",  # type: ignore[arg-type]
                   evidence=evidence, leaning=leaning, stated_by=1, model_id="m")  # type: ignore[arg-type]  # fmt: skip


ON = "Zero-shot cross-lingual transfer of multilingual encoders works without parallel data."
RUN = RunRecords(
    question=QUESTION,
    papers=[
        _paper("a", "Zero-shot cross-lingual transfer of multilingual encoders", ON),
        _paper("b", "Multilingual encoders without parallel data", "Cross-lingual transfer of multilingual encoders."),
        _paper("c", "Quantum criticality on a Bethe lattice", "Spin glasses and extended nodes."),
    ],
    chunks=[
        _chunk("a", 0, ON),
        _chunk("b", 0, "Multilingual encoders achieve zero-shot cross-lingual transfer without parallel data."),
        _chunk("c", 0, "The Bethe lattice has extended nodes at large connectivity."),
    ],
    claims=[
        _claim("C001", "a", "Zero-shot cross-lingual transfer of multilingual encoders works without parallel data."),
        _claim("C002", "b", "Multilingual encoders transfer zero-shot without parallel data."),
        _claim("C003", "c", "Extended nodes appear on the Bethe lattice at large connectivity."),
        _claim("C004", "a", "Zero-shot cross-lingual transfer of multilingual encoders fails for distant scripts."),
    ],
    verdicts={
        "C001": _verdict("C001", "supported", decider="b"),
        "C002": _verdict("C002", "not_enough_evidence", leaning="supported"),
        "C003": _verdict("C003", "not_enough_evidence"),
        "C004": _verdict("C004", "refuted", decider="b"),
    },
)
SETTINGS = SynthesisSettings(paper_threshold=0.3, claim_threshold=0.3, facet_threshold=0.2, claim_facet_threshold=0.6)


def _run(run: RunRecords = RUN, settings: SynthesisSettings = SETTINGS):  # type: ignore[no-untyped-def]
    embedder = FakeEmbedder()
    return synthesize(run, settings, embedder.encode, embedder.key)


def test_profiles_fall_back_to_first_chunks_without_an_abstract() -> None:
    papers = [_paper("a", "T", "An abstract."), _paper("b", "U"), _paper("c", "V")]
    chunks = [_chunk("b", 0, "one"), _chunk("b", 1, "two"), _chunk("b", 2, "three")]
    assert profiles(papers, chunks) == [
        ("T. An abstract.", "title+abstract"),
        ("U one two", "title+first chunks"),
        ("V", "title"),
    ]


def test_relevance_gate_keeps_every_score_and_ranks() -> None:
    papers = [_paper("x", "X"), _paper("y", "Y"), _paper("z", "Z")]
    rows = paper_relevance(papers, ["title"] * 3, np.array([0.1, 0.5, 0.4]), threshold=0.4)
    assert [(r.paper_id, r.score, r.relevant) for r in rows] == [("y", 0.5, True), ("z", 0.4, True), ("x", 0.1, False)]


def test_findings_need_a_relevant_paper_and_are_cut_by_rank() -> None:
    claims = [_claim(f"C00{i}", "a" if i < 4 else "b", f"claim {i}") for i in range(1, 6)]
    scores = np.array([0.5, 0.2, 0.7, 0.9, 0.6])
    rows = findings(claims, scores, {"C002": ["F1"]}, relevant_papers={"a"}, threshold=0.4, cap=2)
    by_id = {r.claim_id: r for r in rows}
    assert [r.claim_id for r in rows] == ["C001", "C002", "C003", "C004", "C005"]  # claims.jsonl order kept
    assert (by_id["C003"].finding, by_id["C003"].rank) == (True, 1)
    assert (by_id["C001"].finding, by_id["C001"].rank) == (True, 2)
    assert not by_id["C002"].finding  # names a facet, but past the cap
    assert not by_id["C004"].finding and not by_id["C005"].finding  # paper b does not bear on the question


def test_the_off_topic_paper_and_its_claims_are_gated() -> None:
    result = _run()
    relevant = {p.paper_id: p.relevant for p in result.papers}
    assert relevant == {"a": True, "b": True, "c": False}
    assert result.on_topic
    claims = {c.claim_id: c for c in result.claims}
    assert not claims["C003"].finding and claims["C003"].rank is None
    assert all(claims[c].finding for c in ("C001", "C002", "C004"))
    assert result.paper_threshold == 0.3 and "cosine similarity" in result.measure


def test_coverage_names_papers_and_findings_per_facet() -> None:
    result = _run()
    by_facet = {r.facet: r for r in result.coverage}
    assert list(by_facet) == ["zero-shot cross-lingual transfer", "multilingual encoders", "without parallel data"]
    zero = by_facet["zero-shot cross-lingual transfer"]
    assert zero.addressed and set(zero.papers) == {"a", "b"} and zero.mentions >= 2
    assert "C001" in zero.claims and "C003" not in zero.claims
    for paper in result.papers:
        if not paper.relevant:
            assert paper.facets == []


def test_nothing_relevant_means_no_findings_and_no_answer() -> None:
    run = RunRecords(
        question="Does intermittent fasting improve insulin sensitivity in adults?",
        papers=RUN.papers,
        chunks=RUN.chunks,
        claims=RUN.claims,
        verdicts=RUN.verdicts,
    )
    result = _run(run)
    assert not result.on_topic and not any(c.finding for c in result.claims)
    assert result.answer == [] and not any(r.addressed for r in result.coverage)
    assert [f.text for f in result.facets] == ["intermittent fasting", "insulin sensitivity", "adults"]


def test_the_answer_puts_verified_findings_first_and_cites_the_deciding_paper() -> None:
    result = _run(settings=SETTINGS.model_copy(update={"sentences_per_facet": 5}))
    sentences = [s for p in result.answer for s in p.sentences]
    told = [s for s in sentences if s.status in ("supported", "refuted", "not_verified")]
    assert {c for s in told for c in s.claims} <= {"C001", "C002", "C004"}
    first = result.answer[0].sentences[0]
    assert first.status == "supported" and first.claims == ["C001"] and first.papers == ["a", "b"]  # source, then decider
    assert first.text == RUN.claims[0].text  # extractive: the finding's own text
    refuted = next(s for s in told if s.claims == ["C004"])
    assert refuted.status == "refuted" and "b" in refuted.papers
    leaning = next(s for s in told if s.claims == ["C002"])
    assert (leaning.status, leaning.leaning) == ("not_verified", "supported")


def test_opposite_numbers_on_the_same_comparison_are_called_a_disagreement() -> None:
    up = Number(value=2.0, unit="points", metric="accuracy", dataset="XNLI", direction="increase", text="+2 points")
    down = Number(value=1.0, unit="points", metric="Accuracy", dataset="xnli", direction="decrease", text="-1 point")
    a = _claim("C001", "a", "X raises XNLI accuracy by 2 points.", [up])
    b = _claim("C002", "b", "X lowers XNLI accuracy by 1 point.", [down])
    same_paper = _claim("C003", "a", "X lowers XNLI accuracy by 1 point.", [down])
    [sentence] = disagreements([a, b, same_paper])
    assert sentence.status == "disagreement" and sentence.claims == ["C001", "C002"] and sentence.papers == ["a", "b"]
    assert "accuracy on XNLI" in sentence.text
