"""The quality score measures what can be low, is capped for runs that answer nothing, and is reproducible from the
files with plain json (no synth code)."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

import pytest

from synth.report.data import load_run
from synth.report.quality import OFF_TOPIC_CAP, UNVERIFIED_CAP, WEIGHTS, assess
from tests.report_helpers import FIXTURE


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def recompute(run: Path) -> dict[str, float]:
    """Each reviewer's score from the files, following the formulas the report prints."""
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    synthesis = json.loads((run / "07_synthesis" / "synthesis.json").read_text(encoding="utf-8"))
    papers = _jsonl(run / "01_search" / "papers.jsonl")
    claims = {c["id"]: c for c in _jsonl(run / "05_claims" / "claims.jsonl")}
    verdicts = {v["claim_id"]: v for v in _jsonl(run / "06_verify" / "verdicts.jsonl")}
    relevant = {p["paper_id"] for p in synthesis["papers"] if p["relevant"]}
    findings = [c["claim_id"] for c in synthesis["claims"] if c["finding"]]
    decided = sum(1 for c in findings if verdicts[c]["label"] in ("supported", "refuted"))
    used = {s["paper_id"] for c in findings for s in claims[c]["sources"]}
    used |= {e["paper_id"] for c in findings for e in verdicts[c]["evidence"]}
    created = dt.datetime.fromisoformat(manifest["created"])
    now = created.year + (created.timetuple().tm_yday - 1) / 365.25
    ages = []
    for p in papers:
        if p["id"] in relevant:
            y, m, d = (int(x) for x in p["published"].split("-"))
            ages.append(now - (y + (m - 1) / 12 + (d - 1) / 365.25))
    held = next(h for h in synthesis["verifier"]["held_out"] if h["setting"] == "retrieval")
    scores = {
        "relevance": 10 * len(relevant) / len(papers),
        "facet coverage": 10 * sum(r["addressed"] for r in synthesis["coverage"]) / len(synthesis["coverage"]),
        "verification": 10 * decided / len(findings),
        "verifier accuracy": max(0.0, min(10.0, 10 * (held["accuracy"] - 1 / 3) / (2 / 3))),
        "verifier calibration": max(0.0, min(10.0, 10 * (1 - held["ece"] / 0.25))),
        "source diversity": 10 * len(used & relevant) / len(relevant),
        "recency": max(0.0, min(10.0, 10 * (1 - (statistics.median(ages) - 2) / 18))),
    }
    weights = {"relevance": 2, "facet coverage": 2, "verification": 2}
    total = sum(weights.get(k, 1) for k in scores)
    scores["overall"] = sum(weights.get(k, 1) * v for k, v in scores.items()) / total
    return scores


def test_score_is_reproducible_from_the_files() -> None:
    expected = recompute(FIXTURE)
    quality = assess(load_run(FIXTURE))
    got = {r.name: r.score for r in quality.reviews}
    for name, value in expected.items():
        if name != "overall":
            assert got[name] == pytest.approx(value, abs=1e-9), name
    assert quality.overall == pytest.approx(expected["overall"], abs=1e-9) and quality.cap is None
    assert (expected["relevance"], expected["verification"], expected["source diversity"]) == pytest.approx((20 / 3, 7.5, 10.0))


def test_report_json_carries_the_same_score(tmp_path: Path) -> None:
    from synth.report import render_report

    render_report(load_run(FIXTURE), tmp_path, ["json"], remeasure=None)
    sections = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["sections"]
    quality = next(s for s in sections if s["kind"] == "results")["quality"]
    assert quality["overall"] == round(recompute(FIXTURE)["overall"], 2)
    assert [r["name"] for r in quality["reviews"]] == list(WEIGHTS)
    assert all(r["formula"] and r["detail"] for r in quality["reviews"])
    assert "Σ wᵢ·sᵢ / Σ wᵢ" in quality["formula"]


def test_an_off_topic_run_scores_at_most_three() -> None:
    data = load_run(FIXTURE)
    assert data.synthesis is not None
    data.synthesis = data.synthesis.model_copy(
        update={
            "papers": [p.model_copy(update={"relevant": False}) for p in data.synthesis.papers],
            "claims": [c.model_copy(update={"finding": False, "rank": None}) for c in data.synthesis.claims],
        }
    )
    quality = assess(data)
    scores = {r.name: r.score for r in quality.reviews}
    assert scores["relevance"] == 0.0 and scores["verification"] == 0.0 and scores["source diversity"] == 0.0
    assert quality.overall is not None and quality.overall <= OFF_TOPIC_CAP
    assert quality.cap == OFF_TOPIC_CAP and quality.cap_reason == "no paper bears on the question"


def test_a_run_with_no_verified_finding_scores_at_most_five() -> None:
    data = load_run(FIXTURE)
    data.verdicts = [v.model_copy(update={"label": "not_enough_evidence"}) for v in data.verdicts or []]
    quality = assess(data)
    assert next(r for r in quality.reviews if r.name == "verification").score == 0.0
    assert quality.cap == UNVERIFIED_CAP and quality.overall is not None and quality.overall <= UNVERIFIED_CAP


def test_an_unmeasured_verifier_earns_nothing() -> None:
    """ "A calibration file exists" is not a measurement: without held-out figures both verifier reviewers score 0."""
    data = load_run(FIXTURE)
    assert data.synthesis is not None
    data.synthesis = data.synthesis.model_copy(update={"verifier": None})
    scores = {r.name: (r.score, r.detail) for r in assess(data).reviews}
    assert scores["verifier accuracy"][0] == 0.0 and "not measured" in scores["verifier accuracy"][1]
    assert scores["verifier calibration"][0] == 0.0


def test_reviewers_abstain_without_material() -> None:
    data = load_run(FIXTURE)
    data.claims, data.verdicts = [], []
    quality = assess(data)
    scores = {r.name: r.score for r in quality.reviews}
    assert scores["verifier accuracy"] is None and scores["verifier calibration"] is None
    assert scores["verification"] == 0.0  # nothing presented as a finding
    assert quality.overall is not None  # the reviewers that could judge still give a score


def test_a_run_before_the_synthesis_stage_is_judged_on_all_claims() -> None:
    data = load_run(FIXTURE)
    data.synthesis = None
    scores = {r.name: r.score for r in assess(data).reviews}
    assert scores["relevance"] is None and scores["facet coverage"] is None
    assert scores["verification"] == pytest.approx(10 * 4 / 6)


def test_recency_is_bounded() -> None:
    data = load_run(FIXTURE)
    data.papers = [p.model_copy(update={"published": None, "year": 1990}) for p in data.papers or []]
    assert next(r for r in assess(data).reviews if r.name == "recency").score == 0.0
    data.papers = [p.model_copy(update={"published": "2026-11-01"}) for p in data.papers or []]
    assert next(r for r in assess(data).reviews if r.name == "recency").score == 10.0
