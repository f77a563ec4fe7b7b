"""The claim-level rule, premise windows and the calibration (no model needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synth.verification.calibration import Calibration
from synth.verification.decision import judge
from synth.verification.metrics import expected_calibration_error
from synth.verification.windows import premise_windows, split_long_sentence


def words(text: str) -> int:
    """A deterministic stand-in tokenizer: one token per whitespace-separated word."""
    return len(text.split())


def P(*rows: tuple[float, float, float]) -> np.ndarray:
    return np.array(rows, dtype=float)


# ------------------------------------------------------------------------------------------------ judge
def test_supported_when_entailment_clears_threshold_and_margin():
    j = judge(P((0.1, 0.8, 0.1), (0.85, 0.1, 0.05)), threshold=0.5, margin=0.2)
    assert (j.label, j.window) == ("supported", 1)
    assert j.score == pytest.approx(0.85)
    assert "threshold=0.5" in j.rule and "margin=0.2" in j.rule


def test_refuted_when_contradiction_clears_threshold_and_margin():
    j = judge(P((0.1, 0.2, 0.7), (0.2, 0.7, 0.1)), threshold=0.5, margin=0.2)
    assert (j.label, j.window, j.score) == ("refuted", 0, pytest.approx(0.7))


def test_no_windows_is_not_enough_evidence_never_supported():
    for probs in (np.zeros((0, 3)), []):
        j = judge(np.asarray(probs), threshold=0.0, margin=0.0)
        assert j.label == "not_enough_evidence"
        assert j.window is None and j.score == 1.0


def test_below_threshold_is_not_enough_evidence_with_documented_score():
    j = judge(P((0.4, 0.5, 0.1), (0.1, 0.6, 0.3)), threshold=0.5, margin=0.0)
    assert j.label == "not_enough_evidence"
    assert j.score == pytest.approx(1 - 0.4)
    assert j.window == 0  # the strongest window, even though it did not decide a verdict


def test_margin_exactly_met_counts_and_just_missed_does_not():
    # e - c == margin (0.7 - 0.5 is 0.19999999999999996 in floating point: still a margin of 0.2)
    met = judge(P((0.7, 0.1, 0.2), (0.0, 0.5, 0.5)), threshold=0.5, margin=0.2)
    assert met.label == "supported"
    missed = judge(P((0.69, 0.1, 0.21), (0.0, 0.5, 0.5)), threshold=0.5, margin=0.2)
    assert missed.label == "not_enough_evidence"


def test_tie_between_entailment_and_contradiction_is_never_a_verdict():
    j = judge(P((0.6, 0.0, 0.4), (0.4, 0.0, 0.6)), threshold=0.5, margin=0.0)
    assert j.label == "not_enough_evidence"


def test_conflicting_windows_within_margin_are_not_enough_evidence():
    j = judge(P((0.8, 0.1, 0.1), (0.1, 0.2, 0.7)), threshold=0.5, margin=0.2)
    assert j.label == "not_enough_evidence"


def test_bad_shape_raises():
    with pytest.raises(ValueError):
        judge(np.ones((2, 2)), threshold=0.5, margin=0.1)


# ------------------------------------------------------------------------------------------------ windows
def test_windows_are_sentences_and_fitting_pairs():
    sents = ["a b c", "d e", "f g h i j"]
    assert premise_windows(sents, 6, words) == ["a b c", "a b c d e", "d e", "f g h i j"]


def test_long_sentence_is_windowed_not_truncated():
    long = "alpha beta gamma, delta epsilon zeta; eta theta iota kappa lambda mu nu xi omicron pi rho"
    windows = premise_windows([long], 5, words)
    assert all(words(w) <= 5 for w in windows)
    singles = split_long_sentence(long, 5, words)
    # every word survives, in order, exactly once across the pieces
    assert " ".join(singles).split() == long.split()
    assert singles[0] == "alpha beta gamma,"  # cut at the clause boundary first
    assert set(singles) <= set(windows)


def test_word_longer_than_window_is_chunked():
    def chars(text: str) -> int:
        return len(text.replace(" ", ""))

    pieces = split_long_sentence("abcdefghij", 4, chars)
    assert "".join(pieces) == "abcdefghij" and all(chars(p) <= 4 for p in pieces)


def test_windows_reject_nonpositive_budget():
    with pytest.raises(ValueError):
        premise_windows(["x"], 0, words)


def test_empty_sentences_give_no_windows():
    assert premise_windows(["", "  "], 10, words) == []


# ------------------------------------------------------------------------------------------------ calibration
def _toy_fit() -> Calibration:
    rng = np.random.default_rng(0)
    labels, scores, correct = [], [], []
    for label in ("supported", "refuted", "not_enough_evidence"):
        s = rng.uniform(0, 1, 200)
        labels += [label] * 200
        scores += list(s)
        correct += list(rng.uniform(0, 1, 200) < s)  # P(correct) = score
    return Calibration.fit(labels, scores, correct, threshold=0.6, margin=0.1, fit_data={"n_claims": 600})


def test_calibration_is_monotone_and_bounded():
    cal = _toy_fit()
    grid = np.linspace(0, 1, 101)
    for label in ("supported", "refuted", "not_enough_evidence"):
        values = [cal.apply(label, x) for x in grid]
        assert all(0.0 <= v <= 1.0 for v in values)
        assert all(b >= a for a, b in zip(values, values[1:], strict=False))
        assert cal.curves[label]["fitted_on"] == label
    assert cal.apply("supported", 0.95) > cal.apply("supported", 0.05)


def test_calibration_round_trip(tmp_path):
    cal = _toy_fit()
    path = tmp_path / "calibration.json"
    cal.save(path)
    data = json.loads(path.read_text())
    assert data["method"] == "isotonic" and data["threshold"] == 0.6
    again = Calibration.load(path)
    assert again == cal
    for x in (0.0, 0.33, 0.71, 1.0):
        assert again.apply("refuted", x) == cal.apply("refuted", x)


def test_sparse_label_falls_back_to_pooled_curve():
    cal = Calibration.fit(
        ["supported"] * 50 + ["refuted"] * 3,
        list(np.linspace(0, 1, 50)) + [0.9, 0.8, 0.7],
        [i % 2 == 0 for i in range(50)] + [True, False, True],
    )
    assert cal.curves["refuted"]["fitted_on"] == "pooled"
    assert cal.apply("refuted", 0.5) == cal.apply("pooled", 0.5)


def test_ece():
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert expected_calibration_error([0.9] * 10, [True] * 5 + [False] * 5) == pytest.approx(0.4)
    assert expected_calibration_error([], []) == 0.0
