"""Verify claims against evidence from *other* papers: retrieve, cut into windows, re-rank, score with NLI, decide.

A paper's own sentence proves only that the paper said it, so a claim's source papers are excluded from its
evidence and counted separately (``stated_by``). Evidence chunks are cut into sentence windows of the size the
NLI model was trained on (:mod:`synth.verification.windows`); the claim-level decision and its calibration live in
:mod:`synth.verification.decision` and :mod:`synth.verification.calibration`, so the benchmark and the calibration
use exactly the rule that runs here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.modelref import resolve_model
from synth.core.records import NLI_LABELS, VERDICT_LABELS, Chunk, Claim, Evidence, Sentence, Verdict
from synth.core.settings import VerifySettings
from synth.retrieval.index import PassageIndex
from synth.verification.calibration import Calibration
from synth.verification.decision import judge
from synth.verification.nli import NLIModel
from synth.verification.remeasure import Remeasurer
from synth.verification.windows import premise_windows

EVIDENCE_SHOWN = 3

Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised vectors (cached by the caller)


@dataclass(frozen=True)
class RuleParameters:
    """Threshold and margin of the rule, the calibration in force (or None), and what the confidence means."""

    threshold: float
    margin: float
    calibration: Calibration | None
    note: str


def load_calibration(nli_model: str) -> Calibration | None:
    """The calibration shipped beside an NLI model (``calibration.json``), if any."""
    path = Path(resolve_model(nli_model)) / "calibration.json"
    return Calibration.load(path) if path.is_file() else None


def rule_parameters(settings: VerifySettings, calibration: Calibration | None) -> RuleParameters:
    """A calibration map is valid only for the rule parameters it was fitted with; if the user overrides them, the
    confidence falls back to the raw score and says so.
    """
    if calibration is None:
        threshold = settings.threshold if settings.threshold is not None else 0.5
        margin = settings.margin if settings.margin is not None else 0.1
        note = "uncalibrated: confidence is the raw aggregated score (the NLI model ships no calibration.json)"
        return RuleParameters(threshold, margin, None, note)
    threshold = settings.threshold if settings.threshold is not None else calibration.threshold
    margin = settings.margin if settings.margin is not None else calibration.margin
    if (threshold, margin) != (calibration.threshold, calibration.margin):
        note = (
            f"uncalibrated: threshold/margin {threshold}/{margin} differ from the calibrated "
            f"{calibration.threshold}/{calibration.margin}; confidence is the raw aggregated score"
        )
        return RuleParameters(threshold, margin, None, note)
    fit = calibration.fit_data
    where = ", ".join(f"{k}={v}" for k, v in fit.items() if not isinstance(v, dict | list)) if isinstance(fit, dict) else str(fit)
    note = f"{calibration.method} regression of the raw score to P(verdict correct), fitted on {where}"
    return RuleParameters(threshold, margin, calibration, note)


def evidence_order(probs: np.ndarray, deciding: int | None) -> list[int]:
    """Deciding window first, then the most decisive others (highest entailment or contradiction)."""
    if len(probs) == 0:
        return []
    strength = probs[:, [0, 2]].max(axis=1)
    order = [int(i) for i in np.argsort(-strength)]
    if deciding is not None and deciding in order:
        order.remove(deciding)
        order.insert(0, deciding)
    return order


def candidate_windows(
    claims: list[Claim],
    vectors: np.ndarray,
    index: PassageIndex,
    sentences: dict[str, Sentence],
    settings: VerifySettings,
    nli: NLIModel,
    embed: Embed,
) -> list[list[tuple[Chunk, float, str]]]:
    """Per claim, the evidence windows given to the NLI model: retrieved from other papers, re-ranked by similarity."""
    plans: list[list[tuple[Chunk, str]]] = []
    for claim, vector in zip(claims, vectors, strict=True):
        own = {s.paper_id for s in claim.sources}
        windows: list[tuple[Chunk, str]] = []
        for hit in index.search(vector, settings.top_k, exclude_papers=own):
            texts = [sentences[i].text for i in hit.chunk.sentence_ids if i in sentences] or [hit.chunk.text]
            windows.extend((hit.chunk, w) for w in premise_windows(texts, settings.max_premise_tokens, nli.count_tokens))
        plans.append(windows)
    # re-rank windows by bi-encoder similarity to the claim; only the best go to the (slower) cross-encoder
    unique = sorted({w for windows in plans for _, w in windows})
    window_vectors = embed(unique)
    row_of = {w: i for i, w in enumerate(unique)}
    ranked: list[list[tuple[Chunk, float, str]]] = []
    for vector, windows in zip(vectors, plans, strict=True):
        sims = [float(window_vectors[row_of[w]] @ vector) for _, w in windows]
        best = sorted(range(len(windows)), key=lambda i: -sims[i])[: settings.windows_per_claim]
        ranked.append([(windows[i][0], sims[i], windows[i][1]) for i in best])
    return ranked


def verify_claims(
    claims: list[Claim],
    index: PassageIndex,
    sentences: dict[str, Sentence],
    nli: NLIModel,
    embed: Embed,
    settings: VerifySettings,
    rule: RuleParameters,
    remeasurer: Remeasurer | None = None,
) -> tuple[list[Verdict], dict[str, Any]]:
    """One verdict per claim, and the counts for the stage record."""
    if not claims:
        return [], {"claims": 0}
    vectors = embed([c.text for c in claims])
    ranked = candidate_windows(claims, vectors, index, sentences, settings, nli, embed)
    pairs = [(w, claim.text) for claim, chosen in zip(claims, ranked, strict=True) for _, _, w in chosen]
    probs_all = nli.predict_proba(pairs) if pairs else np.zeros((0, 3))
    remeasured = {c.id: r for c in claims if remeasurer is not None and (r := remeasurer.remeasure(c)) is not None}
    verdicts: list[Verdict] = []
    counts: dict[str, int] = dict.fromkeys(VERDICT_LABELS, 0)
    offset = 0
    for claim, windows in zip(claims, ranked, strict=True):
        probs = probs_all[offset : offset + len(windows)]
        offset += len(windows)
        decision = judge(probs, threshold=rule.threshold, margin=rule.margin)
        shown = evidence_order(probs, decision.window)[:EVIDENCE_SHOWN]
        evidence = [
            Evidence(
                chunk_id=windows[i][0].id,
                paper_id=windows[i][0].paper_id,
                page=windows[i][0].page_start,
                section=windows[i][0].section,
                text=windows[i][2],
                retrieval_score=round(windows[i][1], 4),
                probs={label: round(float(p), 4) for label, p in zip(NLI_LABELS, probs[i], strict=True)},
            )
            for i in shown
        ]
        confidence = rule.calibration.apply(decision.label, decision.score) if rule.calibration else decision.score
        counts[decision.label] += 1
        verdicts.append(
            Verdict(
                claim_id=claim.id,
                label=decision.label,
                raw_score=round(float(decision.score), 4),
                confidence=round(float(confidence), 4),
                calibration=rule.note,
                rule=decision.rule,
                evidence=evidence,
                stated_by=len({s.paper_id for s in claim.sources}),
                model_id=nli.model_id,
                model_revision=nli.revision,
                remeasured=remeasured.get(claim.id),
            )
        )
    return verdicts, {"claims": len(claims), "pairs": len(pairs), **counts, "remeasured": len(remeasured)}
