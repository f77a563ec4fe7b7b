"""Calibration of the claim-level decision: raw score -> P(verdict correct), fitted on labelled claims.

Only numpy is needed to apply it (isotonic curves are stored as thresholds and applied with :func:`numpy.interp`);
scikit-learn is needed only to fit one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.io import atomic_write_text
from synth.core.records import VERDICT_LABELS
from synth.verification.decision import RULE


@dataclass
class Calibration:
    """Isotonic maps raw judge score → P(verdict correct), one per verdict label where data allows.

    ``curves[label] = {"x": [...], "y": [...], "n": n, "fitted_on": label | "pooled"}``; a label with too few
    fit claims (or only right or only wrong ones) uses the curve fitted on all labels pooled.
    """

    curves: dict[str, dict[str, Any]]
    method: str = "isotonic"
    threshold: float = 0.5
    margin: float = 0.0
    fit_data: dict[str, Any] = field(default_factory=dict)
    eval: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    rule: str = RULE

    def apply(self, label: str, raw_score: float) -> float:
        """P(the verdict ``label`` with this raw score is correct)."""
        curve = self.curves.get(label) or self.curves["pooled"]
        return float(np.interp(raw_score, curve["x"], curve["y"]))

    @staticmethod
    def _fit_curve(scores: np.ndarray, correct: np.ndarray) -> dict[str, Any]:
        """Isotonic fit, then each block's rate smoothed as (right + 1) / (n + 2).

        Plain isotonic regression on ~150 claims gives blocks where every claim happened to be right, i.e. a
        confidence of exactly 1.0; no verifier is certain, so each block's rate gets Laplace's rule of succession
        (monotonicity restored afterwards), which keeps small blocks away from 0 and 1.
        """
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        iso.fit(scores, correct.astype(np.float64))
        block = iso.predict(scores)
        smoothed = {}
        for value in np.unique(block):
            members = block == value
            smoothed[float(value)] = (float(correct[members].sum()) + 1.0) / (float(members.sum()) + 2.0)
        y = np.array([smoothed.get(float(v), float(v)) for v in iso.y_thresholds_])
        y = np.maximum.accumulate(y)
        return {
            "x": [float(v) for v in iso.X_thresholds_],
            "y": [float(v) for v in y],
            "n": int(scores.size),
            "smoothing": "Laplace (k+1)/(n+2) per isotonic block",
        }

    @classmethod
    def fit(
        cls,
        labels: Sequence[str],
        scores: Sequence[float],
        correct: Sequence[bool],
        *,
        min_per_label: int = 25,
        **meta: Any,
    ) -> Calibration:
        """Fit per-label curves (and a pooled one) on claim-level (label, raw score, correct?) triples."""
        lab = np.asarray(labels)
        sc = np.asarray(scores, dtype=np.float64)
        ok = np.asarray(correct, dtype=bool)
        if sc.size == 0:
            raise ValueError("cannot fit a calibration on no claims")
        curves: dict[str, dict[str, Any]] = {"pooled": {**cls._fit_curve(sc, ok), "fitted_on": "pooled"}}
        for verdict in VERDICT_LABELS:
            mask = lab == verdict
            if mask.sum() >= min_per_label and 0 < ok[mask].sum() < mask.sum():
                curves[verdict] = {**cls._fit_curve(sc[mask], ok[mask]), "fitted_on": verdict}
            else:
                curves[verdict] = {**curves["pooled"], "fitted_on": "pooled", "n_label": int(mask.sum())}
        return cls(curves=curves, **meta)

    def save(self, path: str | Path) -> None:
        """Write as JSON (atomically)."""
        atomic_write_text(Path(path), json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        """Read a calibration.json written by :meth:`save`."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**data)
