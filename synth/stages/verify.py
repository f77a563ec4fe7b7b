"""Stage 6: check each claim against evidence from *other* papers with an NLI cross-encoder.

A paper's own sentence proves only that the paper said it, so a claim's source papers are excluded from its
evidence and counted separately (``stated_by``). Evidence chunks are cut into sentence windows of the size the
NLI model was trained on; the claim-level decision and its calibration live in ``synth.judge`` so that the
benchmark and calibration use exactly the rule this stage uses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.modelinfo import model_key
from synth.models import Chunk, Claim, Evidence, Sentence, Verdict
from synth.nli import LABELS
from synth.retrieval import PassageIndex
from synth.store import read_jsonl, sha256_file, write_jsonl

if TYPE_CHECKING:
    from synth.pipeline import StageContext

NAME = "06_verify"
VERSION = "2"
UPSTREAM = ("03_chunk", "04_index", "05_claims")
EVIDENCE_SHOWN = 3


def inputs(ctx: StageContext) -> dict[str, Any]:
    return {
        "settings": ctx.settings.verify,
        "nli_model": model_key(ctx.settings.nli_model),
        "embedding_model": model_key(ctx.settings.embedding_model),
        "experiment_results": _results_identity(ctx),  # a new re-run re-verifies; an unchanged one does not
    }


def _results_file(ctx: StageContext) -> Path | None:
    from synth.experiment.robust_xlt.link import find_results

    return find_results(ctx.settings.verify.experiment_results)


def _results_identity(ctx: StageContext) -> dict[str, str] | None:
    path = _results_file(ctx)
    return {"path": str(path), "sha256": sha256_file(path)} if path else None


def _remeasure(ctx: StageContext, claims: list[Claim]) -> dict[str, dict[str, Any]]:
    """Experiment re-measurements for numeric claims, by claim id (experiment results as evidence beside the text)."""
    from synth.experiment.robust_xlt.link import load_results, remeasure

    path = _results_file(ctx)
    doc = load_results(path) if path else None
    if not doc:
        return {}
    found = {}
    for claim in claims:
        if claim.numbers:
            match = remeasure(claim.text, [n.model_dump(mode="json") for n in claim.numbers], doc)
            if match:
                found[claim.id] = json.loads(json.dumps(match, default=str))
    return found


def run(ctx: StageContext, out: Path) -> dict[str, Any]:
    from synth.judge import judge, premise_windows

    settings = ctx.settings.verify
    claims = read_jsonl(ctx.store.output("05_claims", "claims.jsonl"), Claim)
    index = PassageIndex.load(ctx.store.stage_dir("04_index"), ctx.store.output("03_chunk", "chunks.jsonl"))
    sentences = {s.id: s for s in read_jsonl(ctx.store.output("03_chunk", "sentences.jsonl"), Sentence)}
    if not claims:
        write_jsonl(out / "verdicts.jsonl", [])
        return {"claims": 0}
    nli = ctx.nli()
    embedder = ctx.embedder()
    index.check(embedder.key, embedder.dim)
    vectors, _ = ctx.cache.embed(embedder.key, [c.text for c in claims], embedder.encode)

    # retrieve chunks from other papers and cut them into sentence windows
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
    window_vectors, _ = ctx.cache.embed(embedder.key, unique, embedder.encode)
    row_of = {w: i for i, w in enumerate(unique)}
    ranked: list[list[tuple[Chunk, float, str]]] = []
    pairs: list[tuple[str, str]] = []
    for claim, vector, windows in zip(claims, vectors, plans, strict=True):
        sims = [float(window_vectors[row_of[w]] @ vector) for _, w in windows]
        best = sorted(range(len(windows)), key=lambda i: -sims[i])[: settings.windows_per_claim]
        chosen = [(windows[i][0], sims[i], windows[i][1]) for i in best]
        ranked.append(chosen)
        pairs.extend((w, claim.text) for _, _, w in chosen)
    probs_all = nli.predict_proba(pairs) if pairs else np.zeros((0, 3))
    threshold, margin, calibration, calibration_note = _rule_parameters(settings, _calibration(ctx))

    remeasured = _remeasure(ctx, claims)
    verdicts: list[Verdict] = []
    counts = {"supported": 0, "refuted": 0, "not_enough_evidence": 0}
    offset = 0
    for claim, windows in zip(claims, ranked, strict=True):
        probs = probs_all[offset : offset + len(windows)]
        offset += len(windows)
        decision = judge(probs, threshold=threshold, margin=margin)
        shown = _evidence_order(probs, decision.window)[:EVIDENCE_SHOWN]
        evidence = [
            Evidence(
                chunk_id=windows[i][0].id,
                paper_id=windows[i][0].paper_id,
                page=windows[i][0].page_start,
                section=windows[i][0].section,
                text=windows[i][2],
                retrieval_score=round(windows[i][1], 4),
                probs={label: round(float(p), 4) for label, p in zip(LABELS, probs[i], strict=True)},
            )
            for i in shown
        ]
        confidence = calibration.apply(decision.label, decision.score) if calibration else decision.score
        counts[decision.label] += 1
        verdicts.append(
            Verdict(
                claim_id=claim.id,
                label=decision.label,
                raw_score=round(float(decision.score), 4),
                confidence=round(float(confidence), 4),
                calibration=calibration_note,
                rule=decision.rule,
                evidence=evidence,
                stated_by=len({s.paper_id for s in claim.sources}),
                model_id=nli.model_id,
                model_revision=nli.revision,
                remeasured=remeasured.get(claim.id),
            )
        )
    write_jsonl(out / "verdicts.jsonl", verdicts)
    return {"claims": len(claims), "pairs": len(pairs), **counts, "remeasured": len(remeasured)}


def _evidence_order(probs: np.ndarray, deciding: int | None) -> list[int]:
    """Deciding window first, then the most decisive others (highest entailment or contradiction)."""
    if len(probs) == 0:
        return []
    strength = probs[:, [0, 2]].max(axis=1)
    order = [int(i) for i in np.argsort(-strength)]
    if deciding is not None and deciding in order:
        order.remove(deciding)
        order.insert(0, deciding)
    return order


def _rule_parameters(settings: Any, calibration: Any) -> tuple[float, float, Any, str]:
    """Threshold and margin of the rule, the calibration in force (or None), and what the confidence means.

    A calibration map is valid only for the rule parameters it was fitted with; if the user overrides them, the
    confidence falls back to the raw score and says so.
    """
    if calibration is None:
        threshold = settings.threshold if settings.threshold is not None else 0.5
        margin = settings.margin if settings.margin is not None else 0.1
        note = "uncalibrated: confidence is the raw aggregated score (the NLI model ships no calibration.json)"
        return threshold, margin, None, note
    threshold = settings.threshold if settings.threshold is not None else calibration.threshold
    margin = settings.margin if settings.margin is not None else calibration.margin
    if (threshold, margin) != (calibration.threshold, calibration.margin):
        note = (
            f"uncalibrated: threshold/margin {threshold}/{margin} differ from the calibrated "
            f"{calibration.threshold}/{calibration.margin}; confidence is the raw aggregated score"
        )
        return threshold, margin, None, note
    fit = calibration.fit_data
    where = ", ".join(f"{k}={v}" for k, v in fit.items() if not isinstance(v, dict | list)) if isinstance(fit, dict) else str(fit)
    note = f"{calibration.method} regression of the raw score to P(verdict correct), fitted on {where}"
    return threshold, margin, calibration, note


def _calibration(ctx: StageContext) -> Any:
    from synth.judge import Calibration
    from synth.resolve import resolve_model

    path = Path(resolve_model(ctx.settings.nli_model)) / "calibration.json"
    return Calibration.load(path) if path.is_file() else None
