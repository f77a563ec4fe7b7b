"""The claim-level decision: features, a fitted aggregator, and an operating point that says nothing rather than wrong."""

from __future__ import annotations

import numpy as np
import pytest

from synth.verification.aggregate import FEATURES, Aggregator, choose_operating_point, decide, features
from synth.verification.evidence import Window
from synth.verification.numbers import NumberCheck


def window(sim: float = 0.5, overlap: float = 0.5) -> Window:
    return Window("text", None, sim, overlap, sim)


def test_features_read_the_strongest_windows_and_say_when_there_are_none() -> None:
    probs = np.array([[0.9, 0.05, 0.05], [0.2, 0.1, 0.7], [0.6, 0.3, 0.1]])
    f = dict(zip(FEATURES, features(probs, [window(0.8), window(0.3), window(0.5)], NumberCheck("agrees")), strict=True))
    assert f["e_max"] == pytest.approx(0.9) and f["c_max"] == pytest.approx(0.7) and f["e_second"] == pytest.approx(0.6)
    assert f["sim_at_e"] == pytest.approx(0.8) and f["sim_at_c"] == pytest.approx(0.3)
    assert f["numeric_agrees"] == 1.0 and f["numeric_conflicts"] == 0.0 and f["no_windows"] == 0.0
    empty = dict(zip(FEATURES, features(np.zeros((0, 3)), []), strict=True))
    assert empty["no_windows"] == 1.0 and empty["e_max"] == 0.0


def test_below_the_operating_point_a_claim_is_not_verified_but_keeps_its_leaning() -> None:
    assert decide(np.array([0.85, 0.05, 0.10]), 0.8) == ("supported", None, pytest.approx(0.85))
    assert decide(np.array([0.60, 0.10, 0.30]), 0.8) == ("not_enough_evidence", "supported", pytest.approx(0.60))
    assert decide(np.array([0.10, 0.55, 0.35]), 0.5) == ("refuted", None, pytest.approx(0.55))
    assert decide(np.array([0.20, 0.10, 0.70]), 0.5) == ("not_enough_evidence", None, pytest.approx(0.70))


def test_operating_point_is_the_lowest_probability_that_reaches_the_target_precision() -> None:
    # ten "supported" calls: the five above 0.9 are right, the five between 0.6 and 0.7 are wrong
    probs = np.array([[0.95, 0.0, 0.05]] * 5 + [[0.65, 0.0, 0.35]] * 5)
    gold = ["supported"] * 5 + ["not_enough_evidence"] * 5
    point = choose_operating_point(probs, gold, 0.8)
    assert 0.65 < point["min_confidence"] <= 0.95
    assert point["supported"] == {"called": 5, "precision": 1.0, "coverage": 1.0}


def test_a_fitted_aggregator_separates_clear_cases_and_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    rows, labels = [], []
    for label, e, c in (("supported", 0.9, 0.05), ("refuted", 0.05, 0.9), ("not_enough_evidence", 0.2, 0.15)):
        for _ in range(40):
            p = np.clip(np.array([[e, 1 - e - c, c]]) + rng.normal(0, 0.05, (1, 3)), 0.01, 0.98)
            rows.append(features(p / p.sum(), [window()]))
            labels.append(label)
    agg = Aggregator.fit(np.array(rows), labels, fit_data={"n_claims": 120})
    probs = agg.predict_proba(np.array(rows))
    assert (
        probs.argmax(axis=1) == np.array([["supported", "refuted", "not_enough_evidence"].index(y) for y in labels])
    ).mean() > 0.95
    agg.save(tmp_path / "aggregator.json")
    again = Aggregator.load(tmp_path / "aggregator.json")
    assert np.allclose(again.predict_proba(np.array(rows)), probs) and again.min_confidence == agg.min_confidence
