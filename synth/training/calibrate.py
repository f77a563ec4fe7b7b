"""Choose the judge's threshold/margin and fit its calibration on SciFact ``fit`` claims; report on ``eval``.

Premises are the sentences of each claim's cited abstracts (oracle abstracts), cut into windows with
:func:`synth.verification.windows.premise_windows` exactly as ``synth verify`` does;
:func:`synth.verification.decision.judge` turns the
window probabilities into a claim-level verdict. The ``eval`` part (see :func:`synth.training.data.scifact_split`)
is never used for training, for choosing threshold/margin, or for fitting the calibration.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.records import VERDICT_LABELS as VERDICTS
from synth.training.data import SciFactClaim, load_scifact_claims, load_scifact_corpus
from synth.verification.calibration import Calibration
from synth.verification.decision import Judgement, judge
from synth.verification.metrics import expected_calibration_error
from synth.verification.nli import NLIModel, load_nli
from synth.verification.windows import premise_windows

THRESHOLDS = [round(x, 2) for x in np.arange(0.30, 0.951, 0.05)]
MARGINS = [round(x, 2) for x in np.arange(0.0, 0.601, 0.05)]


def claim_window_probs(nli: NLIModel, claims: Sequence[str], evidence: Sequence[Sequence[Sequence[str]]]) -> list[np.ndarray]:
    """For each claim, P(E, N, C) of every premise window of its evidence (a list of documents' sentences).

    Windows never cross documents. All pairs go to the model in one sorted, batched call.
    """
    pairs: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for claim, docs in zip(claims, evidence, strict=True):
        # [CLS] premise [SEP] claim [SEP]; a claim so long that it leaves < 32 tokens is itself truncated.
        budget = max(nli.max_tokens - nli.count_tokens(claim) - 3, 32)
        start = len(pairs)
        for sentences in docs:
            pairs.extend((w, claim) for w in premise_windows(list(sentences), budget, nli.count_tokens))
        spans.append((start, len(pairs)))
    probs = nli.predict_proba(pairs) if pairs else np.zeros((0, 3), dtype=np.float32)
    return [probs[a:b] for a, b in spans]


def oracle_evidence(claims: Sequence[SciFactClaim], corpus: dict[int, dict]) -> list[list[list[str]]]:
    """Sentences of each claim's cited abstracts."""
    return [[corpus[d]["abstract"] for d in c.cited_doc_ids] for c in claims]


def verdict_metrics(
    gold: Sequence[str], judgements: Sequence[Judgement], confidence: Sequence[float] | None = None
) -> dict[str, Any]:
    """Accuracy, 3-class macro-F1, per-class F1, prediction distribution and ECE (15 bins) of claim verdicts."""
    from sklearn.metrics import f1_score

    pred = [j.label for j in judgements]
    correct = [p == g for p, g in zip(pred, gold, strict=True)]
    conf = [j.score for j in judgements] if confidence is None else list(confidence)
    n = len(gold)
    per = f1_score(gold, pred, labels=list(VERDICTS), average=None, zero_division=0)
    return {
        "n_claims": n,
        "accuracy": round(float(np.mean(correct)), 4) if n else 0.0,
        "macro_f1": round(float(f1_score(gold, pred, labels=list(VERDICTS), average="macro", zero_division=0)), 4),
        "f1": {v: round(float(x), 4) for v, x in zip(VERDICTS, per, strict=True)},
        "pred_dist": {v: pred.count(v) for v in VERDICTS},
        "gold_dist": {v: list(gold).count(v) for v in VERDICTS},
        "ece_15": round(expected_calibration_error(conf, correct, 15), 4),
        "mean_confidence": round(float(np.mean(conf)), 4) if n else 0.0,
    }


def choose_rule(gold: Sequence[str], probs: Sequence[np.ndarray]) -> tuple[float, float, float]:
    """(threshold, margin, macro-F1) maximising claim-level macro-F1 on the given (fit) claims."""
    from sklearn.metrics import f1_score

    best = (0.5, 0.0, -1.0)
    for t, m in itertools.product(THRESHOLDS, MARGINS):
        pred = [judge(p, threshold=t, margin=m).label for p in probs]
        f1 = float(f1_score(gold, pred, labels=list(VERDICTS), average="macro", zero_division=0))
        if f1 > best[2] + 1e-9:
            best = (t, m, f1)
    return best


def calibrate(model_dir: str | Path, scifact_root: str | Path, batch_size: int = 64) -> dict[str, Any]:
    """Fit and write ``<model_dir>/calibration.json``; returns the figures (also stored in the JSON)."""
    t0 = time.time()
    nli = load_nli(str(model_dir), device="cpu", batch_size=batch_size)
    corpus = load_scifact_corpus(scifact_root)
    fit_claims = load_scifact_claims(scifact_root, "fit")
    eval_claims = load_scifact_claims(scifact_root, "eval")
    fit_probs = claim_window_probs(nli, [c.claim for c in fit_claims], oracle_evidence(fit_claims, corpus))
    eval_probs = claim_window_probs(nli, [c.claim for c in eval_claims], oracle_evidence(eval_claims, corpus))
    fit_gold = [c.label for c in fit_claims]
    eval_gold = [c.label for c in eval_claims]

    threshold, margin, fit_f1 = choose_rule(fit_gold, fit_probs)
    fit_j = [judge(p, threshold=threshold, margin=margin) for p in fit_probs]
    cal = Calibration.fit(
        [j.label for j in fit_j],
        [j.score for j in fit_j],
        [j.label == g for j, g in zip(fit_j, fit_gold, strict=True)],
        threshold=threshold,
        margin=margin,
        fit_data={
            "dataset": "SciFact claims_train.jsonl",
            "part": "fit",
            "split": "synth.training.data.scifact_split (sha256 of claim id; 60/20/20 train/fit/eval)",
            "n_claims": len(fit_claims),
            "premises": "oracle: all sentences of the cited abstracts",
            "threshold_margin_selection": f"grid search maximising macro-F1 on fit (macro-F1 {fit_f1:.4f})",
        },
        model={"path": str(model_dir), "revision": nli.revision},
    )
    eval_j = [judge(p, threshold=threshold, margin=margin) for p in eval_probs]
    before = verdict_metrics(eval_gold, eval_j)
    after = verdict_metrics(eval_gold, eval_j, [cal.apply(j.label, j.score) for j in eval_j])
    fit_after = verdict_metrics(fit_gold, fit_j, [cal.apply(j.label, j.score) for j in fit_j])
    cal.eval = {
        "part": "eval",
        "n_claims": len(eval_claims),
        "premises": "oracle abstracts",
        "threshold": threshold,
        "margin": margin,
        "raw_score_as_confidence": before,
        "calibrated": after,
        "fit_part_in_sample": {
            "accuracy": fit_after["accuracy"],
            "macro_f1": fit_after["macro_f1"],
            "ece_15": fit_after["ece_15"],
        },
        "seconds": round(time.time() - t0, 1),
    }
    cal.save(Path(model_dir) / "calibration.json")
    return {"threshold": threshold, "margin": margin, **cal.eval}


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(json.dumps(calibrate(sys.argv[1], sys.argv[2]), indent=2))
