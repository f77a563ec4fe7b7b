"""Calibration evidence is saved as plain arrays and read back exactly, empty claims included."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from synth.training.calibrate import Evidence


def test_evidence_round_trips_ragged_window_probabilities(tmp_path: Path) -> None:
    probs = {"fit_oracle": [np.full((2, 3), 0.3), np.zeros((0, 3)), np.eye(3)], "eval_oracle": [np.ones((1, 3)) / 3]}
    features = {"fit_oracle": np.arange(6.0).reshape(3, 2), "eval_oracle": np.ones((1, 2))}
    Evidence(features, probs, ["supported", "refuted", "not_enough_evidence"], ["supported"]).save(tmp_path / "e.npz")
    back = Evidence.load(tmp_path / "e.npz")
    assert back.fit_gold == ["supported", "refuted", "not_enough_evidence"] and back.eval_gold == ["supported"]
    assert [p.shape for p in back.probs["fit_oracle"]] == [(2, 3), (0, 3), (3, 3)]
    assert all(np.array_equal(a, b) for a, b in zip(back.probs["fit_oracle"], probs["fit_oracle"], strict=True))
    assert np.array_equal(back.features["eval_oracle"], features["eval_oracle"])
