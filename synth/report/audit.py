"""The confidence audit: how each verdict was reached, how confidences are spread and, given gold labels,
how accurate and how well calibrated they are (accuracy, macro-F1, ECE, reliability diagram).

Works from the run directory alone (claims.jsonl and verdicts.jsonl). The audit is one typed :class:`Audit`
(its JSON is what ``synth audit --format json`` prints); :mod:`synth.report.audit_render` draws it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import Field

from synth.core.errors import UsageError
from synth.core.records import VERDICT_LABELS, ClaimKind, EvidenceRole, NLILabel, Record, Verdict, VerdictLabel
from synth.report.data import CLAIMS, VERIFY, RunData
from synth.report.table import VERDICT_TEXT, short_cite, verdict_text
from synth.verification.metrics import ECE_BINS, expected_calibration_error, reliability_table

LABELS = VERDICT_LABELS
HIST_BINS = 10
_GOLD_ALIASES: dict[str, VerdictLabel] = {
    "supported": "supported",
    "support": "supported",
    "supports": "supported",
    "entailment": "supported",
    "true": "supported",
    "refuted": "refuted",
    "refute": "refuted",
    "refutes": "refuted",
    "contradiction": "refuted",
    "false": "refuted",
    "not_enough_evidence": "not_enough_evidence",
    "not enough evidence": "not_enough_evidence",
    "not_enough_info": "not_enough_evidence",
    "nei": "not_enough_evidence",
    "nee": "not_enough_evidence",
    "neutral": "not_enough_evidence",
    "unresolved": "not_enough_evidence",
}
_RULE_PARAMS = re.compile(r"threshold=([0-9.]+),\s*margin=([0-9.]+)")


class Histogram(Record):
    """Counts per equal-width bin of [0, 1] (the last bin includes 1.0)."""

    edges: list[float]
    counts: list[int]
    n: int
    mean: float | None


class AuditEvidence(Record):
    chunk_id: str | None
    paper_id: str | None
    page: int | None
    section: str | None
    cite: str = ""  # the paper as the report names it ("Camacho-Collados et al. 2017")
    retrieval_score: float
    probs: dict[NLILabel, float]
    text: str
    role: EvidenceRole | None = None  # deciding / supporting / contradicting / closest; None for runs before roles


class AuditClaim(Record):
    """One claim and how its verdict was reached; the verdict's fields are None (evidence empty) before verify."""

    id: str
    claim: str
    kind: ClaimKind
    source: str
    source_cite: str = ""  # the source paper as the report names it
    verdict: VerdictLabel | None = None
    raw_score: float | None = None
    confidence: float | None = None
    calibration: str | None = None
    max_entailment: float | None = None
    max_contradiction: float | None = None
    how: str | None = None  # the derivation in one line, from the windows and the rule's parameters
    probs: dict[VerdictLabel, float] = Field(default_factory=dict)  # claim-level P(verdict), when the verifier gave them
    leaning: Literal["supported", "refuted"] | None = None  # for a claim not verified, the way its evidence leaned
    reason: str | None = None  # why it is not verified, when the verifier said more
    numeric: str | None = None  # the number check
    operating_point: float | None = None
    shown_as: str | None = None  # the verdict as reports print it: "not verified (leans supported)"
    stated_by: int | None = None
    model: str | None = None
    evidence: list[AuditEvidence] = Field(default_factory=list)


class LabelScore(Record):
    precision: float
    recall: float
    f1: float
    support: int


class ReliabilityBin(Record):
    bin: int
    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float


class GoldCheck(Record):
    id: str
    gold: VerdictLabel
    verdict: VerdictLabel
    confidence: float
    correct: bool


class Metrics(Record):
    """The verdicts against gold labels."""

    n_labels: int
    n_scored: int
    unlabelled_claims: list[str]
    unknown_ids: list[str]
    accuracy: float
    macro_f1: float
    per_label: dict[VerdictLabel, LabelScore]  # only labels that occur in gold or predictions
    ece: float
    ece_bins: int
    mean_confidence: float
    reliability: list[ReliabilityBin]
    confusion: dict[str, int]  # "gold→predicted": count
    per_claim: list[GoldCheck]


class Audit(Record):
    run: str
    question: str
    rules: list[str]
    calibrations: list[str]
    claims: list[AuditClaim]
    distribution: Histogram
    by_verdict: dict[VerdictLabel, Histogram]
    metrics: Metrics | None = None
    figure: str | None = None  # the reliability diagram's path, once written


# -- per-claim account ---------------------------------------------------------------------------------
def _how(label: str, e: float, c: float, rule: str, n_windows: int, v: Verdict | None = None) -> str:
    """The verdict's derivation in one line: from the claim-level probabilities and the operating point when the
    verifier recorded them, else from the stored windows and the rule's parameters."""
    if v is not None and v.probs and v.operating_point is not None:
        p = ", ".join(f"P({k}) = {x:.3f}" for k, x in v.probs.items())
        shown = verdict_text(v.label, v.leaning)
        if v.label in ("supported", "refuted"):
            return f"{p}; P({v.label}) ≥ operating point {v.operating_point:g} → {shown}"
        why = f" ({v.reason})" if v.reason else ""
        return f"{p}; neither supported nor refuted reaches the operating point {v.operating_point:g} → {shown}{why}"
    if n_windows == 0:
        return "no evidence window was retrieved from another paper → not enough evidence (raw score 1)"
    m = _RULE_PARAMS.search(rule)
    if not m:
        return f"e = {e:.3f}, c = {c:.3f} → {VERDICT_TEXT[label]}"
    t, g = float(m.group(1)), float(m.group(2))
    if label == "supported":
        return f"e = {e:.3f} ≥ {t:g} and e − c = {e - c:.3f} ≥ {g:g} → supported (raw score e)"
    if label == "refuted":
        return f"c = {c:.3f} ≥ {t:g} and c − e = {c - e:.3f} ≥ {g:g} → refuted (raw score c)"
    return (
        f"e = {e:.3f}, c = {c:.3f}: neither reaches {t:g} with a lead of {g:g} → not enough evidence "
        f"(raw score 1 − max(e, c) = {1 - max(e, c):.3f})"
    )


def build_audit(data: RunData) -> Audit:
    """Per-claim derivations and the confidence distribution."""
    data.require(CLAIMS, VERIFY)
    verdicts = data.verdict_map()
    papers = {p.id: p for p in data.papers or []}

    def cite(paper_id: str | None) -> str:
        return short_cite(papers.get(paper_id), paper_id) if paper_id else "given evidence"

    claims: list[AuditClaim] = []
    for claim in data.claims or []:
        source = claim.sources[0].paper_id
        about = {"id": claim.id, "claim": claim.text, "kind": claim.kind, "source": source, "source_cite": cite(source)}
        v = verdicts.get(claim.id)
        if v is None:
            claims.append(AuditClaim(**about))
            continue
        e = max((ev.probs.get("entailment", 0.0) for ev in v.evidence), default=0.0)
        c = max((ev.probs.get("contradiction", 0.0) for ev in v.evidence), default=0.0)
        claims.append(
            AuditClaim(
                **about,
                verdict=v.label,
                raw_score=v.raw_score,
                confidence=v.confidence,
                calibration=v.calibration,
                max_entailment=e,
                max_contradiction=c,
                how=_how(v.label, e, c, v.rule, len(v.evidence), v),
                probs=dict(v.probs),
                leaning=v.leaning,
                reason=v.reason,
                numeric=v.numeric,
                operating_point=v.operating_point,
                shown_as=verdict_text(v.label, v.leaning),
                stated_by=v.stated_by,
                model=f"{v.model_id}@{v.model_revision}" if v.model_revision else v.model_id,
                evidence=[
                    AuditEvidence(
                        chunk_id=ev.chunk_id,
                        paper_id=ev.paper_id,
                        page=ev.page,
                        section=ev.section,
                        cite=cite(ev.paper_id),
                        retrieval_score=ev.retrieval_score,
                        probs=ev.probs,
                        text=ev.text,
                        role=ev.role if "role" in ev.model_fields_set else None,
                    )
                    for ev in v.evidence
                ],
            )
        )
    confs = [c.confidence for c in claims if c.confidence is not None]
    return Audit(
        run=data.run_id,
        question=data.question,
        rules=sorted({v.rule for v in data.verdicts or []}),
        calibrations=sorted({v.calibration for v in data.verdicts or []}),
        claims=claims,
        distribution=histogram(confs),
        by_verdict={
            label: histogram([c.confidence for c in claims if c.verdict == label and c.confidence is not None])
            for label in LABELS
        },
    )


def histogram(values: list[float], bins: int = HIST_BINS) -> Histogram:
    """Counts per equal-width bin of [0, 1] (the last bin includes 1.0)."""
    counts = [0] * bins
    for v in values:
        counts[min(int(v * bins), bins - 1)] += 1
    return Histogram(
        edges=[round(i / bins, 4) for i in range(bins + 1)],
        counts=counts,
        n=len(values),
        mean=round(sum(values) / len(values), 4) if values else None,
    )


# -- gold labels -------------------------------------------------------------------------------------
def normalise_label(raw: str, where: str) -> VerdictLabel:
    key = " ".join(str(raw).strip().lower().replace("-", "_").split())
    label = _GOLD_ALIASES.get(key) or _GOLD_ALIASES.get(key.replace(" ", "_"))
    if label is None:
        raise UsageError(f"{where}: unknown gold label '{raw}'", hint="Use supported, refuted or not_enough_evidence.")
    return label


def load_labels(path: Path) -> dict[str, VerdictLabel]:
    """Gold verdicts by claim id from JSONL (``{"claim_id": …, "label": …}``) or CSV (``claim_id,label``)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"labels file not found: {path}", hint="Pass a JSONL or CSV file of claim_id,label rows.")
    text = path.read_text(encoding="utf-8-sig")
    gold: dict[str, VerdictLabel] = {}
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise UsageError(f"{path}:{n}: not valid JSON ({err.msg})", hint="One JSON object per line.") from None
            cid = row.get("claim_id", row.get("id")) if isinstance(row, dict) else None
            lab = row.get("label", row.get("gold")) if isinstance(row, dict) else None
            if cid is None or lab is None:
                raise UsageError(
                    f"{path}:{n}: needs 'claim_id' and 'label'", hint='e.g. {"claim_id": "C001", "label": "supported"}'
                )
            gold[str(cid)] = normalise_label(str(lab), f"{path}:{n}")
    else:
        rows = list(csv.reader(io.StringIO(text)))
        if rows and [h.strip().lower() for h in rows[0][:2]] in (["claim_id", "label"], ["id", "label"], ["claim_id", "gold"]):
            rows = rows[1:]
        for n, row in enumerate(rows, 1):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                raise UsageError(f"{path}: row {n} needs two columns (claim_id,label)", hint="CSV header: claim_id,label")
            gold[row[0].strip()] = normalise_label(row[1], f"{path}: row {n}")
    if not gold:
        raise UsageError(f"{path} holds no labels", hint="One row per claim: claim_id,label")
    return gold


def score_labels(audit: Audit, gold: dict[str, VerdictLabel]) -> Metrics:
    """Accuracy, macro-F1, ECE (15 bins) and the reliability table of the run's verdicts against ``gold``."""
    decided = {c.id: (c.verdict, c.confidence) for c in audit.claims if c.verdict is not None and c.confidence is not None}
    matched = [cid for cid in decided if cid in gold]
    if not matched:
        raise UsageError(
            f"none of the {len(gold)} gold labels match a verified claim of run {audit.run}",
            hint=(
                f"Label the claim ids of this run (e.g. {', '.join(list(decided)[:3]) or 'C001'}); `synth table RUN` lists them."
            ),
        )
    pred = [decided[cid][0] for cid in matched]
    true = [gold[cid] for cid in matched]
    conf = [decided[cid][1] for cid in matched]
    correct = [p == t for p, t in zip(pred, true, strict=True)]
    per_label: dict[VerdictLabel, LabelScore] = {}
    for label in LABELS:
        tp = sum(1 for p, t in zip(pred, true, strict=True) if p == t == label)
        fp = sum(1 for p, t in zip(pred, true, strict=True) if p == label != t)
        fn = sum(1 for p, t in zip(pred, true, strict=True) if t == label != p)
        if tp + fp + fn == 0:
            continue  # the label occurs in neither gold nor predictions: it does not enter the macro average
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = LabelScore(precision=precision, recall=recall, f1=f1, support=tp + fn)
    confusion = Counter(f"{t}→{p}" for p, t in zip(pred, true, strict=True))
    return Metrics(
        n_labels=len(gold),
        n_scored=len(matched),
        unlabelled_claims=sorted(cid for cid in decided if cid not in gold),
        unknown_ids=sorted(cid for cid in gold if cid not in decided),
        accuracy=sum(correct) / len(correct),
        macro_f1=sum(v.f1 for v in per_label.values()) / len(per_label),
        per_label=per_label,
        ece=expected_calibration_error(conf, correct),
        ece_bins=ECE_BINS,
        mean_confidence=sum(conf) / len(conf),
        reliability=[ReliabilityBin.model_validate(row) for row in reliability_table(conf, correct, ECE_BINS)],
        confusion=dict(sorted(confusion.items())),
        per_claim=[
            GoldCheck(id=cid, gold=gold[cid], verdict=decided[cid][0], confidence=decided[cid][1], correct=ok)
            for cid, ok in zip(matched, correct, strict=True)
        ],
    )
