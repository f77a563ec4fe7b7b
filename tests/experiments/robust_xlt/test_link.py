"""Numeric claims -> re-measured figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from synth.core.errors import ConfigError
from synth.core.records import Claim, Number
from synth.core.settings import load_settings
from synth.experiments.robust_xlt.link import load_results, remeasure
from synth.extras import remeasurer_for
from tests.experiments.robust_xlt.test_results import fake_doc

PAWS = {"value": 2.1, "unit": "points", "metric": "accuracy", "dataset": "PAWS-X", "direction": "increase"}


def test_delta_claim_matches_and_agrees():
    doc = fake_doc()
    r = remeasure("Data augmentation with synonyms improves cross-lingual transfer by 2.1 points on PAWS-X", [PAWS], doc)
    assert r is not None and r["task"] == "pawsx" and r["method"] == "rs-da" and r["setting"] == "avg"
    assert r["measured"]["mean"] > 0 and r["direction_agrees"] and r["size_agrees"]
    assert r["verdict"] == "agrees" and r["kind"] == "delta"
    assert "1200 English dev rows" in r["protocol"]["train"]


def test_direction_disagreement_and_settings():
    doc = fake_doc()
    r = remeasure(
        "Data augmentation hurts Chinese PAWS-X accuracy by 3 points", [{**PAWS, "value": 3.0, "direction": "decrease"}], doc
    )
    assert r["setting"] == "lang:zh" and r["claimed"] == -3.0
    assert not r["direction_agrees"] and r["verdict"] == "disagrees"
    g = remeasure("RS-DA gains in the generalized setting on PAWS-X", [{**PAWS, "value": 9.0}], doc)
    assert g["setting"] == "generalized_avg" and g["verdict"] == "same direction, different size"


def test_no_match():
    doc = fake_doc()
    assert remeasure("XNLI improves by 1.6 points", [{**PAWS, "dataset": "XNLI"}], doc) is None  # not measured
    assert remeasure("BLEU rises by 2 on WMT", [{"value": 2, "unit": "BLEU", "metric": "BLEU"}], doc) is None
    assert remeasure("PAWS-X F1 up 2 points", [{**PAWS, "metric": "F1"}], doc) is None
    assert remeasure("adversarial training helps PAWS-X", [PAWS], doc) is None  # adv not run
    assert remeasure("anything", [], doc) is None


def test_only_the_same_comparison_meets_a_remeasurement():
    """Method, dataset, metric and comparison must all match; nothing falls back to RS-DA vs baseline."""
    doc = fake_doc()
    level = {"value": 81.9, "unit": "%", "metric": "accuracy", "dataset": "PAWS-X", "direction": "level"}
    assert remeasure("RS-DA reaches 81.9% accuracy on PAWS-X", [level], doc) is None  # a level, not a comparison
    assert remeasure("Robust training improves PAWS-X accuracy by 2.1 points", [PAWS], doc) is None  # no method named
    vocab = {"value": 250.0, "unit": None, "metric": None, "dataset": "XNLI", "direction": None}
    assert remeasure("XLM-R's vocabulary of 250k tokens helps on XNLI", [vocab], doc) is None
    tta = {"value": 2.0, "unit": "points", "metric": "accuracy", "dataset": "XNLI", "direction": "increase"}
    assert remeasure("Translate-train-all improves XNLI accuracy by 2 points", [tta], doc) is None


def test_results_are_read_only_from_the_file_named(tmp_path: Path):
    """No directory is scanned: the re-measurements come from the one file the user names, or from none."""
    (tmp_path / "reports" / "experiments" / "x").mkdir(parents=True)
    path = tmp_path / "reports" / "experiments" / "x" / "results.json"
    path.write_text(json.dumps(fake_doc()))
    remeasurer = remeasurer_for(path)
    assert remeasurer.identity()["path"] == str(path.resolve()) and len(remeasurer.identity()["sha256"]) == 64
    claim = Claim(
        id="C001",
        text="Synonym data augmentation improves cross-lingual transfer by 2.1 points on PAWS-X",
        kind="numeric",
        sources=[],
        numbers=[Number(**PAWS, text="2.1 points")],
        relevance=0.5,
        extractor="rules",
    )
    r = remeasurer.remeasure(claim)
    assert r is not None and r["results_path"] == str(path.resolve())
    assert remeasurer.remeasure(claim.model_copy(update={"numbers": []})) is None
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)  # a results file beside the working directory is never picked up on its own
        assert load_settings().verify.remeasurements is None
    finally:
        os.chdir(cwd)


def test_a_file_of_another_experiment_is_refused(tmp_path: Path):
    other = tmp_path / "results.json"
    other.write_text(json.dumps({"experiment": "other"}))
    with pytest.raises(ConfigError, match="not a results file"):
        remeasurer_for(other)
    with pytest.raises(ConfigError, match="cannot read"):
        remeasurer_for(tmp_path / "missing.json")
    with pytest.raises(ConfigError, match="not a robust-xlt results file"):
        load_results(other)
