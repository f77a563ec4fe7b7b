"""Verify claims against evidence: windows in, one verdict per claim out. ``synth verify`` and ``synth check`` share it.

Per claim: the caller gathers candidate windows (retrieved from other papers, or documents the user gave); they
are re-ranked (:mod:`synth.verification.evidence`), scored by the NLI cross-encoder, checked for numbers
(:mod:`synth.verification.numbers`), and turned into claim-level probabilities by the fitted aggregator
(:mod:`synth.verification.aggregate`). A claim is reported supported or refuted only when that probability reaches
the operating point; otherwise it is not verified, with the way the evidence leaned and, where there is one, the
reason (no evidence, a claim too long for the model, evidence in a language the model was not trained on).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synth.core.modelref import resolve_model
from synth.core.records import NLI_LABELS, VERDICT_LABELS, Chunk, Claim, Evidence, EvidenceRole, Verdict
from synth.core.settings import VerifySettings
from synth.verification.aggregate import Aggregator, decide, features
from synth.verification.decision import RULE, judge
from synth.verification.evidence import Embed, Window, rank_windows
from synth.verification.nli import NLIModel
from synth.verification.numbers import NumberCheck, check_numbers
from synth.verification.remeasure import Remeasurer
from synth.verification.windows import MIN_PREMISE_TOKENS

EVIDENCE_SHOWN = 3
STANCE = 0.5  # a window "supports" / "contradicts" the claim when that NLI probability reaches this
Candidates = list[list[tuple[str, Chunk | None]]]
LanguageOf = Callable[[str, Chunk | None], str | None]  # (window text, its chunk) -> ISO 639-1 code, None if unknown

_E, _C = NLI_LABELS.index("entailment"), NLI_LABELS.index("contradiction")


@dataclass(frozen=True)
class Decider:
    """How window evidence becomes a claim verdict: the model's fitted aggregator, or (for a model that ships
    none, e.g. a hub cross-encoder) the max-over-windows rule with its raw score, said to be uncalibrated."""

    aggregator: Aggregator | None
    min_confidence: float
    threshold: float
    margin: float

    @property
    def calibration(self) -> str:
        if self.aggregator is None:
            return "uncalibrated: confidence is the rule's raw score (the NLI model ships no aggregator.json)"
        return f"claim-level probabilities of a {self.aggregator.describe()}"

    @property
    def rule(self) -> str:
        point = f"reported only when its probability is at least {self.min_confidence:g}, otherwise not verified"
        if self.aggregator is None:
            return f"{RULE} [threshold={self.threshold:g}, margin={self.margin:g}]; a verdict is {point}"
        return f"the most probable of supported / refuted / not enough evidence; supported or refuted is {point}"


def load_decider(nli_model: str, settings: VerifySettings) -> Decider:
    """The aggregator shipped beside the NLI model (``aggregator.json``), with the operating point in force."""
    path = Path(resolve_model(nli_model)) / "aggregator.json"
    aggregator = Aggregator.load(path) if path.is_file() else None
    default = aggregator.min_confidence if aggregator else 0.5
    return Decider(
        aggregator=aggregator,
        min_confidence=settings.min_confidence if settings.min_confidence is not None else default,
        threshold=settings.threshold if settings.threshold is not None else 0.5,
        margin=settings.margin if settings.margin is not None else 0.1,
    )


def _probs(decider: Decider, probs: np.ndarray, windows: list[Window], numeric: NumberCheck) -> tuple[dict[str, float], float]:
    """Claim-level P(verdict) and the raw score: the aggregator's, or the rule's verdict with its score."""
    if decider.aggregator is not None:
        p = decider.aggregator.predict_proba(features(probs, windows, numeric))[0]
        return {label: float(x) for label, x in zip(VERDICT_LABELS, p, strict=True)}, float(p.max())
    j = judge(probs, threshold=decider.threshold, margin=decider.margin)
    rest = (1.0 - j.score) / 2
    return {label: (j.score if label == j.label else rest) for label in VERDICT_LABELS}, j.score


def _numeric(claim: Claim, windows: list[Window]) -> tuple[NumberCheck, int | None]:
    """The number check over the windows: the first agreement, else the first conflict (with its window)."""
    conflict: tuple[NumberCheck, int | None] = (NumberCheck("unrelated"), None)
    if not claim.numbers:
        return conflict
    for i, w in enumerate(windows):
        check = check_numbers(claim.text, claim.numbers, w.text)
        if check.verdict == "agrees":
            return check, i
        if check.verdict == "conflicts" and conflict[1] is None:
            conflict = (check, i)
    return conflict


def _evidence(windows: list[Window], probs: np.ndarray, deciding: int | None) -> list[Evidence]:
    """Deciding window first, then the strongest supporting and contradicting ones, then the closest others."""
    if not windows:
        return []
    order: list[tuple[int, EvidenceRole]] = []
    if deciding is not None:
        order.append((deciding, "deciding"))
    ie, ic = int(probs[:, _E].argmax()), int(probs[:, _C].argmax())
    if probs[ie, _E] >= STANCE and ie != deciding:
        order.append((ie, "supporting"))
    if probs[ic, _C] >= STANCE and ic != deciding and ic != ie:
        order.append((ic, "contradicting"))
    for i in range(len(windows)):  # windows come best-ranked first
        if len(order) >= EVIDENCE_SHOWN:
            break
        if all(i != j for j, _ in order):
            order.append((i, "closest"))
    shown = []
    for i, role in order[:EVIDENCE_SHOWN]:
        chunk = windows[i].chunk
        shown.append(
            Evidence(
                chunk_id=chunk.id if chunk else None,
                paper_id=chunk.paper_id if chunk else None,
                page=chunk.page_start if chunk else None,
                section=chunk.section if chunk else None,
                text=windows[i].text,
                retrieval_score=round(windows[i].score, 4),
                probs={label: round(float(p), 4) for label, p in zip(NLI_LABELS, probs[i], strict=True)},
                role=role,
            )
        )
    return shown


def verify_claims(
    claims: Sequence[Claim],
    candidates: Candidates,
    nli: NLIModel,
    embed: Embed,
    settings: VerifySettings,
    decider: Decider,
    remeasurer: Remeasurer | None = None,
    language_of: LanguageOf | None = None,
) -> tuple[list[Verdict], dict[str, int]]:
    """One verdict per claim from its candidate windows, and the counts for the stage record."""
    if not claims:
        return [], {"claims": 0}
    texts = [c.text for c in claims]
    vectors = embed(texts)
    reasons: dict[int, str] = {}
    too_long = [nli.count_tokens(t) > nli.max_tokens - 3 - MIN_PREMISE_TOKENS for t in texts]
    filtered: Candidates = []
    for j, windows in enumerate(candidates):
        if too_long[j]:
            reasons[j] = f"the claim is longer than the verifier's window ({nli.max_tokens} tokens with its evidence)"
            filtered.append([])
            continue
        kept = windows
        if nli.languages and language_of is not None:
            kept = [(w, c) for w, c in windows if (language_of(w, c) or next(iter(nli.languages))) in nli.languages]
            if windows and not kept:
                trained = ", ".join(sorted(nli.languages))
                reasons[j] = f"the evidence is in a language the verifier was not trained on ({trained} only)"
        if not kept and j not in reasons:
            reasons[j] = "no passage of another paper was found to test it against"
        filtered.append(kept)
    ranked = rank_windows(texts, vectors, filtered, embed, settings.windows_per_claim)
    pairs = [(w.text, text) for text, windows in zip(texts, ranked, strict=True) for w in windows]
    probs_all = nli.predict_proba(pairs) if pairs else np.zeros((0, 3))
    verdicts: list[Verdict] = []
    counts: dict[str, int] = dict.fromkeys(VERDICT_LABELS, 0)
    counts["leaning"] = counts["remeasured"] = 0
    offset = 0
    for j, (claim, shortlist) in enumerate(zip(claims, ranked, strict=True)):
        probs = probs_all[offset : offset + len(shortlist)]
        offset += len(shortlist)
        numeric, numeric_at = _numeric(claim, shortlist)
        p, raw = _probs(decider, probs, shortlist, numeric)
        label, leaning, confidence = decide(np.array([p[v] for v in VERDICT_LABELS]), decider.min_confidence)
        reason = reasons.get(j)
        if label == "supported" and numeric.verdict == "conflicts":  # a conflicting number never supports
            label, leaning, reason = "not_enough_evidence", "supported", f"a passage states another value: {numeric.describe()}"
        elif label == "refuted" and numeric.verdict == "agrees":
            label, leaning, reason = "not_enough_evidence", "refuted", f"a passage states the same value: {numeric.describe()}"
        stance = label if label != "not_enough_evidence" else leaning
        deciding = None
        if len(shortlist):
            if stance == "supported":
                deciding = int(probs[:, _E].argmax())
            elif stance == "refuted":
                deciding = int(probs[:, _C].argmax())
            if numeric_at is not None and numeric.verdict == ("agrees" if stance == "supported" else "conflicts"):
                deciding = numeric_at
        remeasured = remeasurer.remeasure(claim) if remeasurer is not None else None
        counts[label] += 1
        counts["leaning"] += leaning is not None
        counts["remeasured"] += remeasured is not None
        verdicts.append(
            Verdict(
                claim_id=claim.id,
                label=label,  # type: ignore[arg-type]
                leaning=leaning,  # type: ignore[arg-type]
                probs={k: round(v, 4) for k, v in p.items()},  # type: ignore[misc]
                raw_score=round(raw, 4),
                confidence=round(confidence, 4),
                calibration=decider.calibration,
                rule=decider.rule,
                operating_point=decider.min_confidence,
                reason=reason,
                numeric=numeric.describe() if numeric.verdict != "unrelated" else None,
                evidence=_evidence(shortlist, probs, deciding),
                stated_by=len({s.paper_id for s in claim.sources}),
                model_id=nli.model_id,
                model_revision=nli.revision,
                remeasured=remeasured,
            )
        )
    return verdicts, {"claims": len(claims), "pairs": len(pairs), **counts}
