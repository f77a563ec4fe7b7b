"""Numeric claims -> re-measured figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_experiment_results import fake_doc

from synth.experiment.robust_xlt.link import find_results, load_results, remeasure

PAWS = {"value": 2.1, "unit": "points", "metric": "accuracy", "dataset": "PAWS-X", "direction": "increase"}


def test_delta_claim_matches_and_agrees():
    doc = fake_doc()
    r = remeasure("Robust training improves cross-lingual transfer by 2.1 points on PAWS-X", [PAWS], doc)
    assert r is not None and r["task"] == "pawsx" and r["method"] == "rs-da" and r["setting"] == "avg"
    assert r["measured"]["mean"] > 0 and r["direction_agrees"] and r["size_agrees"]
    assert r["verdict"] == "agrees" and r["kind"] == "delta"
    assert "1200 English dev rows" in r["protocol"]["train"]


def test_direction_disagreement_and_settings():
    doc = fake_doc()
    r = remeasure("Data augmentation hurts Chinese PAWS-X accuracy by 3 points",
                  [{**PAWS, "value": 3.0, "direction": "decrease"}], doc)
    assert r["setting"] == "lang:zh" and r["claimed"] == -3.0
    assert not r["direction_agrees"] and r["verdict"] == "disagrees"
    g = remeasure("gains in the generalized setting on PAWS-X", [{**PAWS, "value": 9.0}], doc)
    assert g["setting"] == "generalized_avg" and g["verdict"] == "same direction, different size"


def test_no_match():
    doc = fake_doc()
    assert remeasure("XNLI improves by 1.6 points", [{**PAWS, "dataset": "XNLI"}], doc) is None  # not measured
    assert remeasure("BLEU rises by 2 on WMT", [{"value": 2, "unit": "BLEU", "metric": "BLEU"}], doc) is None
    assert remeasure("PAWS-X F1 up 2 points", [{**PAWS, "metric": "F1"}], doc) is None
    assert remeasure("adversarial training helps PAWS-X", [PAWS], doc) is None  # adv not run
    assert remeasure("anything", [], doc) is None


def test_absolute_claim_is_reported_not_judged():
    doc = fake_doc()
    r = remeasure("mBERT reaches 81.9% accuracy on PAWS-X", [{"value": 81.9, "unit": "%", "metric": "accuracy",
                                                              "dataset": "PAWS-X"}], doc)
    assert r["kind"] == "absolute" and r["direction_agrees"] is None


def test_find_newest_results(tmp_path: Path):
    old, new = fake_doc(), fake_doc()
    old["created"], new["created"] = "2026-01-01T00:00:00+00:00", "2026-11-25T00:00:00+00:00"
    for name, doc in (("a", new), ("b", old)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(doc))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "results.json").write_text(json.dumps({"experiment": "other"}))
    assert find_results(tmp_path) == tmp_path / "a" / "results.json"
    assert load_results(tmp_path / "b" / "results.json")["created"].startswith("2026-01")
    assert find_results(tmp_path / "missing") is None
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        (tmp_path / "reports" / "experiments" / "x").mkdir(parents=True)
        (tmp_path / "reports" / "experiments" / "x" / "results.json").write_text(json.dumps(new))
        assert find_results() == tmp_path / "reports" / "experiments" / "x" / "results.json"
        r = remeasure("robust training improves PAWS-X by 2.1 points", [PAWS])
        assert r is not None and r["results_path"].endswith("x/results.json")
    finally:
        os.chdir(cwd)


def test_smoke_results_rank_below_real_runs(tmp_path: Path):
    real, smoke = fake_doc(), fake_doc()
    real["created"], smoke["created"] = "2026-01-01T00:00:00+00:00", "2026-11-25T00:00:00+00:00"
    smoke["preset"] = {**smoke["preset"], "name": "smoke"}
    for name, doc in (("real", real), ("smoke", smoke)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(doc))
    assert find_results(tmp_path) == tmp_path / "real" / "results.json"
