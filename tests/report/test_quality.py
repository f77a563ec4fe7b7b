"""The quality score is reproducible: recomputed here from the run's files with plain json, no synth code."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

import pytest

from synth.report.data import load_run
from synth.report.quality import WEIGHTS, assess
from tests.report_helpers import FIXTURE


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def recompute(run: Path) -> dict[str, float]:
    """Each reviewer's score from the files, following the formulas the report prints."""
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    papers = _jsonl(run / "01_search" / "papers.jsonl")
    claims = _jsonl(run / "05_claims" / "claims.jsonl")
    verdicts = {v["claim_id"]: v for v in _jsonl(run / "06_verify" / "verdicts.jsonl")}
    n = len(claims)
    covered = sum(
        1
        for c in claims
        if any(e["paper_id"] not in {s["paper_id"] for s in c["sources"]} for e in verdicts[c["id"]]["evidence"])
    )
    decided = sum(
        1 for c in claims if verdicts[c["id"]]["label"] in ("supported", "refuted") and verdicts[c["id"]]["confidence"] >= 0.5
    )
    used = {s["paper_id"] for c in claims for s in c["sources"]} | {
        e["paper_id"] for v in verdicts.values() for e in v["evidence"]
    }
    created = dt.datetime.fromisoformat(manifest["created"])
    now = created.year + (created.timetuple().tm_yday - 1) / 365.25
    ages = []
    for p in papers:
        y, m, d = (int(x) for x in p["published"].split("-"))
        ages.append(now - (y + (m - 1) / 12 + (d - 1) / 365.25))
    recency = max(0.0, min(10.0, 10 * (1 - (statistics.median(ages) - 2) / 18)))
    calibrated = sum(1 for v in verdicts.values() if not v["calibration"].startswith("uncalibrated"))
    scores = {
        "evidence coverage": 10 * covered / n,
        "verification rate": 10 * decided / n,
        "source diversity": 10 * len(used & {p["id"] for p in papers}) / len(papers),
        "recency": recency,
        "calibration": 10 * calibrated / len(verdicts),
    }
    scores["agreement"] = 10 * (1 - statistics.pstdev(scores.values()) / 5)
    scores["overall"] = sum(scores.values()) / len(scores)  # all weights are 1
    return scores


def test_score_is_reproducible_from_the_files() -> None:
    expected = recompute(FIXTURE)
    quality = assess(load_run(FIXTURE))
    got = {r.name: r.score for r in quality.reviews}
    for name, value in expected.items():
        if name != "overall":
            assert got[name] == pytest.approx(value, abs=1e-9), name
    assert quality.overall == pytest.approx(expected["overall"], abs=1e-9)
    assert (expected["evidence coverage"], expected["verification rate"], expected["source diversity"]) == pytest.approx(
        (50 / 6, 5.0, 10.0)
    )


def test_report_json_carries_the_same_score(tmp_path: Path) -> None:
    from synth.report import render_report

    render_report(load_run(FIXTURE), tmp_path, ["json"], remeasure=None)
    sections = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["sections"]
    quality = next(s for s in sections if s["kind"] == "results")["quality"]
    assert quality["overall"] == round(recompute(FIXTURE)["overall"], 2)
    assert [r["name"] for r in quality["reviews"]] == list(WEIGHTS)
    assert all(r["formula"] and r["detail"] for r in quality["reviews"])
    assert "Σ wᵢ·sᵢ / Σ wᵢ" in quality["formula"]


def test_reviewers_abstain_without_material() -> None:
    data = load_run(FIXTURE)
    data.claims, data.verdicts = [], []
    quality = assess(data)
    scores = {r.name: r.score for r in quality.reviews}
    assert scores["evidence coverage"] is None and scores["verification rate"] is None and scores["calibration"] is None
    assert scores["source diversity"] == 0.0
    assert quality.overall is not None  # the reviewers that could judge still give a score


def test_uncalibrated_run_scores_zero_on_calibration() -> None:
    data = load_run(FIXTURE)
    data.verdicts = [v.model_copy(update={"calibration": "uncalibrated (raw score)"}) for v in data.verdicts or []]
    assert next(r for r in assess(data).reviews if r.name == "calibration").score == 0.0


def test_recency_is_bounded() -> None:
    data = load_run(FIXTURE)
    data.papers = [p.model_copy(update={"published": None, "year": 1990}) for p in data.papers or []]
    assert next(r for r in assess(data).reviews if r.name == "recency").score == 0.0
    data.papers = [p.model_copy(update={"published": "2026-11-01"}) for p in data.papers or []]
    assert next(r for r in assess(data).reviews if r.name == "recency").score == 10.0
