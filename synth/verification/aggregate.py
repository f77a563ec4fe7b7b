"""The claim-level decision: a small learned aggregator over window-level NLI probabilities and retrieval signals.

Max-over-windows with a threshold (:mod:`synth.verification.decision`) reads one window and ignores whether the
evidence agrees with itself, how close it is to the claim, and whether its numbers match. The aggregator is a
multinomial logistic regression over the features below, fitted on labelled claims (SciFact's ``fit`` part, see
:mod:`synth.training.calibrate`); its class probabilities are the claim-level P(supported), P(refuted),
P(not enough evidence), and it is stored as plain JSON (coefficients, scaling, fit data, measured figures).

The operating point (``min_confidence``) is chosen on cross-validated predictions of the fit claims as the
smallest probability at which "supported" verdicts reach the target precision: below it synth says "not
verified" and reports only which way the evidence leaned.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.io import atomic_write_text
from synth.core.records import NLI_LABELS, VERDICT_LABELS
from synth.verification.evidence import Window
from synth.verification.numbers import NumberCheck

_E, _C = NLI_LABELS.index("entailment"), NLI_LABELS.index("contradiction")

FEATURES: tuple[str, ...] = (
    "e_max",  # strongest entailment of any window
    "c_max",  # strongest contradiction
    "e_second",  # runner-up entailment (evidence that agrees with itself)
    "c_second",
    "e_top3",  # mean of the three strongest
    "c_top3",
    "e_minus_c",  # e_max - c_max
    "sim_at_e",  # bi-encoder similarity of the claim to the most entailing window
    "sim_at_c",
    "overlap_at_e",  # share of the claim's content words in the most entailing window
    "overlap_at_c",
    "sim_max",  # how close the closest window is at all
    "numeric_agrees",  # a window states the claim's quantity with the same value
    "numeric_conflicts",  # a window states the claim's quantity with another value
    "no_windows",
)


def _top(values: np.ndarray, n: int) -> np.ndarray:
    return np.sort(values)[::-1][:n] if values.size else np.zeros(0)


def features(probs: np.ndarray, windows: list[Window], numeric: NumberCheck | None = None) -> np.ndarray:
    """The feature vector (in :data:`FEATURES` order) of one claim; ``probs`` rows align with ``windows``."""
    probs = np.asarray(probs, dtype=np.float64).reshape(-1, 3)
    if len(probs) == 0:
        row = np.zeros(len(FEATURES))
        row[FEATURES.index("no_windows")] = 1.0
        return row
    e, c = probs[:, _E], probs[:, _C]
    ie, ic = int(e.argmax()), int(c.argmax())
    te, tc = _top(e, 3), _top(c, 3)
    sims = np.array([w.similarity for w in windows])
    verdict = numeric.verdict if numeric else "unrelated"
    return np.array(
        [
            te[0],
            tc[0],
            te[1] if len(te) > 1 else 0.0,
            tc[1] if len(tc) > 1 else 0.0,
            te.mean(),
            tc.mean(),
            te[0] - tc[0],
            windows[ie].similarity,
            windows[ic].similarity,
            windows[ie].overlap,
            windows[ic].overlap,
            float(sims.max()),
            1.0 if verdict == "agrees" else 0.0,
            1.0 if verdict == "conflicts" else 0.0,
            0.0,
        ]
    )


@dataclass
class Aggregator:
    """Standardised features → multinomial logistic regression → P(verdict), columns in VERDICT_LABELS order."""

    coef: list[list[float]]  # (3, n_features), rows in VERDICT_LABELS order
    intercept: list[float]
    mean: list[float]
    scale: list[float]
    features: list[str] = field(default_factory=lambda: list(FEATURES))
    min_confidence: float = 0.8
    target_precision: float = 0.8
    method: str = "multinomial logistic regression"
    fit_data: dict[str, Any] = field(default_factory=dict)
    operating_point: dict[str, Any] = field(default_factory=dict)
    eval: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        x = (np.atleast_2d(np.asarray(x, dtype=np.float64)) - np.array(self.mean)) / np.array(self.scale)
        z = x @ np.array(self.coef).T + np.array(self.intercept)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def describe(self) -> str:
        return (
            f"{self.method} over {len(self.features)} features of the windows' NLI probabilities, similarity, word "
            f"overlap and number agreement, fitted on {self.fit_data.get('n_claims', '?')} labelled claims "
            f"({self.fit_data.get('dataset', '?')}, {self.fit_data.get('part', '?')} part)"
        )

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        y: list[str],
        *,
        sample_weight: np.ndarray | None = None,
        target_precision: float = 0.8,
        seed: int = 0,
        **meta: Any,
    ) -> Aggregator:
        """Fit on labelled claims; choose C by cross-validated log-loss and the operating point on CV predictions."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score

        x = np.asarray(x, dtype=np.float64)
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
        xs = (x - mean) / scale
        labels = np.array([VERDICT_LABELS.index(v) for v in y])
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        w = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        fit_params = {"sample_weight": w}
        losses = {
            c: cross_val_score(
                LogisticRegression(C=c, max_iter=2000), xs, labels, cv=folds, scoring="neg_log_loss", params=fit_params
            ).mean()
            for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
        }
        c_value = max(losses, key=lambda c: losses[c])
        model = LogisticRegression(C=c_value, max_iter=2000)
        model.fit(xs, labels, sample_weight=w)
        coef = np.zeros((3, x.shape[1]))
        intercept = np.full(3, -30.0)  # a class absent from the fit data is never predicted
        for row, cls_index in enumerate(model.classes_):
            coef[cls_index], intercept[cls_index] = model.coef_[row], model.intercept_[row]
        held = cross_val_predict(
            LogisticRegression(C=c_value, max_iter=2000), xs, labels, cv=folds, method="predict_proba", params=fit_params
        )
        cv_probs = np.zeros((len(labels), 3))
        cv_probs[:, sorted(set(labels.tolist()))] = held
        point = choose_operating_point(cv_probs, list(y), target_precision)
        return cls(
            coef=coef.tolist(),
            intercept=intercept.tolist(),
            mean=mean.tolist(),
            scale=scale.tolist(),
            min_confidence=point["min_confidence"],
            target_precision=target_precision,
            operating_point={**point, "C": c_value, "chosen_on": "5-fold cross-validated predictions of the fit claims"},
            **meta,
        )

    def save(self, path: str | Path) -> None:
        atomic_write_text(Path(path), json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Aggregator:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def decide(probs: np.ndarray, min_confidence: float) -> tuple[str, str | None, float]:
    """(label, leaning, confidence) from claim-level P(verdict) at the operating point.

    The most probable of supported / refuted is reported only when its probability reaches ``min_confidence``;
    otherwise the claim is not verified (``not_enough_evidence``) and ``leaning`` says which way the evidence went
    (None when "not enough evidence" itself is most probable). ``confidence`` is the probability of the label
    shown, or for a claim not verified, of the way it leans (of "not enough evidence" when it leans nowhere).
    """
    p = {label: float(x) for label, x in zip(VERDICT_LABELS, probs, strict=True)}
    top = max(VERDICT_LABELS, key=lambda label: p[label])
    if top != "not_enough_evidence" and p[top] >= min_confidence:
        return top, None, p[top]
    if top == "not_enough_evidence":
        return "not_enough_evidence", None, p[top]
    return "not_enough_evidence", top, p[top]


def choose_operating_point(probs: np.ndarray, gold: list[str], target_precision: float) -> dict[str, Any]:
    """The smallest probability at which "supported" reaches ``target_precision`` on these predictions.

    Returns the threshold with the precision and coverage (share of truly supported claims reported as supported)
    of supported and of refuted at it; 0.99 when no threshold reaches the target (synth then almost never decides).
    """
    probs = np.asarray(probs)
    top = probs.argmax(axis=1)
    best = 0.99
    for t in np.round(np.arange(0.34, 0.991, 0.01), 2):
        chosen = (top == 0) & (probs[:, 0] >= t)
        if chosen.sum() >= 5 and np.mean([gold[i] == "supported" for i in np.flatnonzero(chosen)]) >= target_precision:
            best = float(t)
            break
    return {"min_confidence": best, **precision_coverage(probs, gold, best)}


def precision_coverage(probs: np.ndarray, gold: list[str], min_confidence: float) -> dict[str, Any]:
    """Precision and coverage of supported and refuted verdicts at an operating point (None where undefined)."""
    probs = np.asarray(probs)
    out: dict[str, Any] = {}
    decided = [decide(p, min_confidence)[0] for p in probs]
    for label in ("supported", "refuted"):
        called = [i for i, d in enumerate(decided) if d == label]
        truly = [i for i, g in enumerate(gold) if g == label]
        hits = sum(1 for i in called if gold[i] == label)
        out[label] = {
            "called": len(called),
            "precision": round(hits / len(called), 4) if called else None,
            "coverage": round(hits / len(truly), 4) if truly else None,
        }
    return out
