"""Claim-level decision from sentence-level NLI probabilities.

``synth verify`` and ``synth verifier calibrate`` both call :func:`synth.verification.windows.premise_windows` and
:func:`judge`, so the rule that was calibrated is exactly the rule that runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.core.records import NLI_LABELS, VerdictLabel

# Columns of the probability arrays, in synth.core.records.NLI_LABELS order.
_E, _N, _C = NLI_LABELS.index("entailment"), NLI_LABELS.index("neutral"), NLI_LABELS.index("contradiction")
# Float slack for the margin comparison, so that e.g. 0.7 - 0.5 counts as a margin of 0.2.
_EPS = 1e-9

RULE = (
    "e = max P(entailment), c = max P(contradiction) over premise windows; "
    "supported if e >= threshold and e - c >= margin (score e); "
    "refuted if c >= threshold and c - e >= margin (score c); "
    "a tie e == c is never a verdict; otherwise not_enough_evidence (score 1 - max(e, c)); "
    "no windows -> not_enough_evidence (score 1)"
)


@dataclass(frozen=True)
class Judgement:
    """A claim-level verdict: ``score`` is the raw number that decided it (see ``rule``)."""

    label: VerdictLabel
    score: float
    window: int | None  # index of the deciding window (for NEE: the strongest one); None without windows
    rule: str
    entailment: float  # e
    contradiction: float  # c


def judge(probs: np.ndarray, *, threshold: float, margin: float) -> Judgement:
    """Decide a claim from ``probs`` of shape (n_windows, 3) in ENTAILMENT, NEUTRAL, CONTRADICTION order.

    See :data:`RULE`. ``score`` is e for supported, c for refuted and 1 - max(e, c) for not enough evidence
    (how far the best window is from any evidence), so for every label a higher score means a surer verdict.
    """
    rule = f"{RULE} [threshold={threshold:g}, margin={margin:g}]"
    probs = np.asarray(probs, dtype=np.float64)
    if probs.size == 0:
        return Judgement("not_enough_evidence", 1.0, None, rule, 0.0, 0.0)
    if probs.ndim != 2 or probs.shape[1] != 3:
        raise ValueError(f"probs must have shape (n_windows, 3), got {probs.shape}")
    ie, ic = int(probs[:, _E].argmax()), int(probs[:, _C].argmax())
    e, c = float(probs[ie, _E]), float(probs[ic, _C])
    if e >= threshold and e - c >= margin - _EPS and e > c:
        return Judgement("supported", e, ie, rule, e, c)
    if c >= threshold and c - e >= margin - _EPS and c > e:
        return Judgement("refuted", c, ic, rule, e, c)
    return Judgement("not_enough_evidence", 1.0 - max(e, c), ie if e >= c else ic, rule, e, c)
