"""Claim-level decision from sentence-level NLI probabilities, and its calibration.

``synth verify`` and ``synth verifier calibrate`` both call :func:`premise_windows` and :func:`judge`, so the
rule that was calibrated is exactly the rule that runs. Only numpy is needed here (no torch, no sklearn at
apply time: isotonic curves are stored as thresholds and applied with :func:`numpy.interp`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

Verdict = Literal["supported", "refuted", "not_enough_evidence"]
VERDICTS: tuple[Verdict, Verdict, Verdict] = ("supported", "refuted", "not_enough_evidence")

# Columns of the probability arrays (synth.nli.LABELS order); duplicated here so judge needs no model import.
_E, _N, _C = 0, 1, 2
# Float slack for the margin comparison, so that e.g. 0.7 - 0.5 counts as a margin of 0.2.
_EPS = 1e-9

RULE = (
    "e = max P(entailment), c = max P(contradiction) over premise windows; "
    "supported if e >= threshold and e - c >= margin (score e); "
    "refuted if c >= threshold and c - e >= margin (score c); "
    "a tie e == c is never a verdict; otherwise not_enough_evidence (score 1 - max(e, c)); "
    "no windows -> not_enough_evidence (score 1)"
)


# ----------------------------------------------------------------------------------------------- windows
_CLAUSE_BREAK = re.compile(r"(?<=[;:,])\s+|\s+(?=(?:—|–|-{2}|\())")


def _split_words(text: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Greedy word packing; a single word longer than the window is cut into character chunks."""
    pieces: list[str] = []
    current: list[str] = []
    for word in text.split():
        if count_tokens(word) > max_tokens:
            if current:
                pieces.append(" ".join(current))
                current = []
            chunk = ""
            for ch in word:
                if chunk and count_tokens(chunk + ch) > max_tokens:
                    pieces.append(chunk)
                    chunk = ""
                chunk += ch
            if chunk:
                pieces.append(chunk)
            continue
        candidate = " ".join([*current, word])
        if current and count_tokens(candidate) > max_tokens:
            pieces.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces


def split_long_sentence(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Cut a sentence that does not fit into pieces that do: at clause boundaries first, then at words.

    Every word of the sentence ends up in exactly one piece, in order (nothing is dropped).
    """
    sentence = sentence.strip()
    if not sentence:
        return []
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    clauses = [c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]
    pieces: list[str] = []
    current = ""
    for clause in clauses:
        clause = clause.strip()
        if count_tokens(clause) > max_tokens:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_split_words(clause, max_tokens, count_tokens))
            continue
        candidate = f"{current} {clause}".strip()
        if current and count_tokens(candidate) > max_tokens:
            pieces.append(current)
            current = clause
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def premise_windows(sentences: list[str], max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Premises to test a claim against: each sentence, and each pair of consecutive sentences that fits.

    Args:
        sentences: the evidence text in reading order (one abstract or chunk; do not mix documents).
        max_tokens: tokens available to the premise, i.e. the model window minus the claim and special tokens.
        count_tokens: tokenizer length function (``NLIModel.count_tokens``).

    Returns:
        Windows in document order: sentence i, then sentences i and i+1 joined when the pair fits. A sentence
        longer than ``max_tokens`` is first split at clause/word boundaries (:func:`split_long_sentence`), so no
        window is ever truncated by the model.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be positive, got {max_tokens}")
    pieces = [p for s in sentences for p in split_long_sentence(s, max_tokens, count_tokens)]
    windows: list[str] = []
    for i, piece in enumerate(pieces):
        windows.append(piece)
        if i + 1 < len(pieces):
            pair = f"{piece} {pieces[i + 1]}"
            if count_tokens(pair) <= max_tokens:
                windows.append(pair)
    return windows


# ----------------------------------------------------------------------------------------------- judge
@dataclass(frozen=True)
class Judgement:
    """A claim-level verdict: ``score`` is the raw number that decided it (see ``rule``)."""

    label: Verdict
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


# ----------------------------------------------------------------------------------------------- calibration
def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 15) -> float:
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
        return {"x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in y], "n": int(scores.size),
                "smoothing": "Laplace (k+1)/(n+2) per isotonic block"}

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
        for verdict in VERDICTS:
            mask = lab == verdict
            if mask.sum() >= min_per_label and 0 < ok[mask].sum() < mask.sum():
                curves[verdict] = {**cls._fit_curve(sc[mask], ok[mask]), "fitted_on": verdict}
            else:
                curves[verdict] = {**curves["pooled"], "fitted_on": "pooled", "n_label": int(mask.sum())}
        return cls(curves=curves, **meta)

    def save(self, path: str | Path) -> None:
        """Write as JSON (atomically)."""
        path = Path(path)
        tmp = path.with_suffix(path.suffix + ".incomplete")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        """Read a calibration.json written by :meth:`save`."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**data)
