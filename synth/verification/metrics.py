"""Calibration metrics, defined once: the verifier's benchmark, its calibration and ``synth audit`` all use these."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ECE_BINS = 15


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """ECE with ``bins`` equal-width bins on [0, 1]: sum over bins of |accuracy - mean confidence| * share."""
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        return 0.0
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += abs(hit[mask].mean() - conf[mask].mean()) * mask.mean()
    return float(total)


def reliability_table(confidence: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> list[dict[str, float]]:
    """The non-empty bins of a reliability diagram: bounds, count, mean confidence and accuracy per bin."""
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = idx == b
        if mask.any():
            rows.append(
                {
                    "bin": b,
                    "low": b / bins,
                    "high": (b + 1) / bins,
                    "n": int(mask.sum()),
                    "mean_confidence": float(conf[mask].mean()),
                    "accuracy": float(hit[mask].mean()),
                }
            )
    return rows
