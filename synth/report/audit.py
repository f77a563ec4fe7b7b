"""The confidence audit: how each verdict was reached, how confidences are spread and, given gold labels,
how accurate and how well calibrated they are (accuracy, macro-F1, ECE, reliability diagram).

Works from the run directory alone (claims.jsonl and verdicts.jsonl); matplotlib and pymupdf are imported
only when a figure or a PDF is written.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from synth.core.errors import UsageError
from synth.core.records import VERDICT_LABELS
from synth.verification.metrics import ECE_BINS, expected_calibration_error, reliability_table
from synth.report.data import CLAIMS, VERIFY, RunData
from synth.report.table import SYMBOLS, VERDICT_TEXT

LABELS = VERDICT_LABELS
HIST_BINS = 10
_GOLD_ALIASES = {
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


# -- per-claim account ---------------------------------------------------------------------------------
def _how(label: str, e: float, c: float, rule: str, n_windows: int) -> str:
    """The verdict's derivation in one line, from the stored windows and the rule's parameters."""
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


def build_audit(data: RunData) -> dict[str, Any]:
    """Per-claim derivations and the confidence distribution (JSON-safe)."""
    data.require(CLAIMS, VERIFY)
    verdicts = data.verdict_map()
    claims: list[dict[str, Any]] = []
    for claim in data.claims or []:
        v = verdicts.get(claim.id)
        if v is None:
            claims.append({"id": claim.id, "claim": claim.text, "kind": claim.kind, "verdict": None})
            continue
        e = max((ev.probs.get("entailment", 0.0) for ev in v.evidence), default=0.0)
        c = max((ev.probs.get("contradiction", 0.0) for ev in v.evidence), default=0.0)
        claims.append(
            {
                "id": claim.id,
                "claim": claim.text,
                "kind": claim.kind,
                "source": claim.sources[0].paper_id,
                "verdict": v.label,
                "raw_score": v.raw_score,
                "confidence": v.confidence,
                "calibration": v.calibration,
                "max_entailment": e,
                "max_contradiction": c,
                "how": _how(v.label, e, c, v.rule, len(v.evidence)),
                "stated_by": v.stated_by,
                "model": f"{v.model_id}@{v.model_revision}" if v.model_revision else v.model_id,
                "evidence": [
                    {
                        "chunk_id": ev.chunk_id,
                        "paper_id": ev.paper_id,
                        "page": ev.page,
                        "section": ev.section,
                        "retrieval_score": ev.retrieval_score,
                        "probs": dict(ev.probs),
                        "text": ev.text,
                    }
                    for ev in v.evidence
                ],
            }
        )
    confs = [c["confidence"] for c in claims if c.get("verdict")]
    return {
        "run": data.run_id,
        "question": data.question,
        "rules": sorted({v.rule for v in data.verdicts or []}),
        "calibrations": sorted({v.calibration for v in data.verdicts or []}),
        "claims": claims,
        "distribution": histogram(confs),
        "by_verdict": {label: histogram([c["confidence"] for c in claims if c.get("verdict") == label]) for label in LABELS},
        "metrics": None,
    }


def histogram(values: list[float], bins: int = HIST_BINS) -> dict[str, Any]:
    """Counts per equal-width bin of [0, 1] (the last bin includes 1.0)."""
    counts = [0] * bins
    for v in values:
        counts[min(int(v * bins), bins - 1)] += 1
    return {
        "edges": [round(i / bins, 4) for i in range(bins + 1)],
        "counts": counts,
        "n": len(values),
        "mean": round(sum(values) / len(values), 4) if values else None,
    }


def histogram_text(hist: dict[str, Any], width: int = 40) -> str:
    peak = max(hist["counts"], default=0) or 1
    lines = []
    edges = hist["edges"]
    for i, n in enumerate(hist["counts"]):
        bar = "█" * round(width * n / peak)
        close = "]" if i == len(hist["counts"]) - 1 else ")"
        lines.append(f"[{edges[i]:.1f}, {edges[i + 1]:.1f}{close} {n:>4} {bar}")
    return "\n".join(lines)


# -- gold labels -------------------------------------------------------------------------------------
def normalise_label(raw: str, where: str) -> str:
    key = " ".join(str(raw).strip().lower().replace("-", "_").split())
    label = _GOLD_ALIASES.get(key) or _GOLD_ALIASES.get(key.replace(" ", "_"))
    if label is None:
        raise UsageError(f"{where}: unknown gold label '{raw}'", hint="Use supported, refuted or not_enough_evidence.")
    return label


def load_labels(path: Path) -> dict[str, str]:
    """Gold verdicts by claim id from JSONL (``{"claim_id": …, "label": …}``) or CSV (``claim_id,label``)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"labels file not found: {path}", hint="Pass a JSONL or CSV file of claim_id,label rows.")
    text = path.read_text(encoding="utf-8-sig")
    gold: dict[str, str] = {}
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


def score_labels(audit: dict[str, Any], gold: dict[str, str]) -> dict[str, Any]:
    """Accuracy, macro-F1, ECE (15 bins) and the reliability table of the run's verdicts against ``gold``."""
    decided = {c["id"]: c for c in audit["claims"] if c.get("verdict")}
    matched = [cid for cid in decided if cid in gold]
    if not matched:
        raise UsageError(
            f"none of the {len(gold)} gold labels match a verified claim of run {audit['run']}",
            hint=(
                f"Label the claim ids of this run (e.g. {', '.join(list(decided)[:3]) or 'C001'}); `synth table RUN` lists them."
            ),
        )
    pred = [decided[cid]["verdict"] for cid in matched]
    true = [gold[cid] for cid in matched]
    conf = [float(decided[cid]["confidence"]) for cid in matched]
    correct = [p == t for p, t in zip(pred, true, strict=True)]
    per_label = {}
    for label in LABELS:
        tp = sum(1 for p, t in zip(pred, true, strict=True) if p == t == label)
        fp = sum(1 for p, t in zip(pred, true, strict=True) if p == label != t)
        fn = sum(1 for p, t in zip(pred, true, strict=True) if t == label != p)
        if tp + fp + fn == 0:
            continue  # the label occurs in neither gold nor predictions: it does not enter the macro average
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    reliability = reliability_table(conf, correct, ECE_BINS)
    confusion = Counter(f"{t}→{p}" for p, t in zip(pred, true, strict=True))
    return {
        "n_labels": len(gold),
        "n_scored": len(matched),
        "unlabelled_claims": sorted(cid for cid in decided if cid not in gold),
        "unknown_ids": sorted(cid for cid in gold if cid not in decided),
        "accuracy": sum(correct) / len(correct),
        "macro_f1": sum(v["f1"] for v in per_label.values()) / len(per_label),
        "per_label": per_label,
        "ece": expected_calibration_error(conf, correct),
        "ece_bins": ECE_BINS,
        "mean_confidence": sum(conf) / len(conf),
        "reliability": reliability,
        "confusion": dict(sorted(confusion.items())),
        "per_claim": [
            {
                "id": cid,
                "gold": gold[cid],
                "verdict": decided[cid]["verdict"],
                "confidence": decided[cid]["confidence"],
                "correct": ok,
            }
            for cid, ok in zip(matched, correct, strict=True)
        ],
    }


# -- rendering -----------------------------------------------------------------------------------------
def render_audit_md(audit: dict[str, Any]) -> str:
    out = [f"# Confidence audit — run {audit['run']}", "", f"Question: {audit['question']}", ""]
    out += ["## How verdicts are aggregated", ""]
    out += [f"- Rule: {r}" for r in audit["rules"]] or ["- No verdicts."]
    out += [f"- Calibration: {c}" for c in audit["calibrations"]]
    out += ["", "e and c below are the largest entailment and contradiction probabilities over the stored evidence windows.", ""]
    out += ["## Claims", ""]
    for c in audit["claims"]:
        out.append(f"### {c['id']} ({c['kind']}): {SYMBOLS[c['verdict']]} {VERDICT_TEXT[c['verdict']]}")
        out += ["", c["claim"], ""]
        if c["verdict"] is None:
            out += ["Not verified.", ""]
            continue
        out.append(
            f"- Source: {c['source']} · stated by {c['stated_by']} paper(s) (not counted as evidence) · model {c['model']}"
        )
        out.append(f"- Raw score {c['raw_score']:.4f} → calibrated confidence {c['confidence']:.4f}")
        out.append(f"- How: {c['how']}")
        if c["evidence"]:
            out += [
                "",
                "| # | Paper, page | Retrieval | P(entail) | P(neutral) | P(contra) | Window |",
                "|---|---|---|---|---|---|---|",
            ]
            for i, ev in enumerate(c["evidence"], 1):
                p = ev["probs"]
                out.append(
                    f"| {i} | {ev['paper_id']} p. {ev['page']} | {ev['retrieval_score']:.3f} | {p.get('entailment', 0):.3f} | "
                    f"{p.get('neutral', 0):.3f} | {p.get('contradiction', 0):.3f} | "
                    f"{' '.join(ev['text'].split()).replace('|', chr(92) + '|')} |"
                )
        out.append("")
    d = audit["distribution"]
    out += [
        "## Distribution of confidences",
        "",
        f"{d['n']} verdicts, mean confidence " + ("–" if d["mean"] is None else f"{d['mean']:.3f}") + ".",
        "",
    ]
    out += ["```", histogram_text(d), "```", ""]
    out += [
        "By verdict: "
        + "; ".join(
            f"{VERDICT_TEXT[label]} {h['n']} (mean {'–' if h['mean'] is None else format(h['mean'], '.3f')})"
            for label, h in audit["by_verdict"].items()
        )
        + ".",
        "",
    ]
    m = audit.get("metrics")
    if m:
        out += ["## Against gold labels", ""]
        out += [
            f"- Claims scored: {m['n_scored']} of {m['n_labels']} labels"
            + (f" (labels with unknown ids: {', '.join(m['unknown_ids'])})" if m["unknown_ids"] else "")
            + (f"; verified claims without a label: {', '.join(m['unlabelled_claims'])}" if m["unlabelled_claims"] else ""),
            f"- Accuracy: {m['accuracy']:.3f}",
            f"- Macro-F1: {m['macro_f1']:.3f} (over {', '.join(m['per_label'])})",
            f"- Expected calibration error ({m['ece_bins']} bins): {m['ece']:.3f} (mean confidence {m['mean_confidence']:.3f})",
            "",
            "| Label | Precision | Recall | F1 | Support |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {lab} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
            for lab, v in m["per_label"].items()
        ]
        out += ["", "| Confidence bin | n | Mean confidence | Accuracy |", "|---|---|---|---|"]
        out += [
            f"| [{r['low']:.3f}, {r['high']:.3f}) | {r['n']} | {r['mean_confidence']:.3f} | {r['accuracy']:.3f} |"
            for r in m["reliability"]
        ]
        out += ["", "Confusion (gold→predicted): " + ", ".join(f"{k} {v}" for k, v in m["confusion"].items()) + "."]
        if audit.get("figure"):
            out += ["", f"Reliability diagram: {audit['figure']}"]
        out.append("")
    return "\n".join(out)


def reliability_png(metrics: dict[str, Any], path: Path, title: str = "") -> Path:
    """A reliability diagram (accuracy against confidence per bin, with the diagonal) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, hx) = plt.subplots(2, 1, figsize=(4.6, 5.2), dpi=150, height_ratios=[3, 1], sharex=True)
    width = 1 / metrics["ece_bins"]
    rel = metrics["reliability"]
    ax.plot([0, 1], [0, 1], "--", color="#888888", lw=1, label="perfect calibration")
    ax.bar(
        [r["low"] for r in rel],
        [r["accuracy"] for r in rel],
        width=width,
        align="edge",
        color="#4c72b0",
        edgecolor="white",
        label="accuracy",
    )
    ax.plot(
        [r["mean_confidence"] for r in rel], [r["accuracy"] for r in rel], "o", color="#c44e52", ms=4, label="bin mean confidence"
    )
    ax.set_ylim(0, 1)
    ax.set_xlim(0, 1)
    ax.set_ylabel("accuracy")
    ax.set_title(
        title or f"Reliability (ECE {metrics['ece']:.3f}, {metrics['ece_bins']} bins, n={metrics['n_scored']})", fontsize=9
    )
    ax.legend(fontsize=7, loc="upper left")
    hx.bar([r["low"] for r in rel], [r["n"] for r in rel], width=width, align="edge", color="#999999", edgecolor="white")
    hx.set_xlabel("confidence")
    hx.set_ylabel("claims")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png")
    plt.close(fig)
    tmp.replace(path)
    return path


AUDIT_CSS_PDF = """
@font-face { font-family: DV; src: url(DejaVuSans.ttf); }
@font-face { font-family: DV; src: url(DejaVuSans-Bold.ttf); font-weight: bold; }
@font-face { font-family: DVM; src: url(DejaVuSansMono.ttf); }
* { font-family: DV; }
body { font-size: 8.5pt; line-height: 1.3; margin: 0; padding: 0; }
h1 { font-size: 13pt; } h2 { font-size: 11pt; margin: 8pt 0 3pt 0; } h3 { font-size: 9pt; margin: 6pt 0 2pt 0; }
p { margin: 0 0 3pt 0; }
table { margin: 0; } ul { margin: 0; }
th, td { border: 0.5pt solid #999999; padding: 1.5pt 2.5pt; vertical-align: top; font-size: 7pt; text-align: left; }
th { background-color: #e8e8e8; }
pre { font-family: DVM; font-size: 7pt; }
"""


def render_audit_html(audit: dict[str, Any], figure: str | None, for_pdf: bool = False) -> str:
    """The audit as HTML with the reliability diagram embedded (``figure``: a file name beside the HTML)."""
    from html import escape as esc

    from synth.report.html import SCREEN_CSS, join_parts

    body = join_parts(audit_parts(audit, figure, for_pdf))
    if for_pdf:
        return f"<html><body>{body}</body></html>"
    head = f'<meta charset="utf-8"><title>Audit {esc(audit["run"])}</title><style>{SCREEN_CSS}</style>'
    return f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head><body>\n{body}\n</body></html>\n'


def audit_parts(audit: dict[str, Any], figure: str | None, for_pdf: bool = False) -> list[Any]:
    """The audit's top-level HTML blocks (evidence tables as rows the PDF may split between pages)."""
    from html import escape as esc

    from synth.report.html import Part, Rows, cell_widths

    h: list[Part] = [f"<h1>Confidence audit — run {esc(audit['run'])}</h1>", f"<p>Question: {esc(audit['question'])}</p>"]
    m = audit.get("metrics")
    if m:
        h.append("<h2>Against gold labels</h2>")
        h.append(
            "<table><tr><th>Claims scored</th><th>Accuracy</th><th>Macro-F1</th><th>ECE "
            "(15 bins)</th><th>Mean confidence</th></tr>"
            f"<tr><td>{m['n_scored']} of {m['n_labels']}</td><td>{m['accuracy']:.3f}</td><td>{m['macro_f1']:.3f}</td>"
            f"<td>{m['ece']:.3f}</td><td>{m['mean_confidence']:.3f}</td></tr></table>"
        )
        if figure:
            h.append(f'<p><img src="{esc(figure)}" width="300"/></p>')
        h.append(
            "<table><tr><th>Label</th><th>Precision</th><th>Recall</th><th>F1</th><th>Support</th></tr>"
            + "".join(
                f"<tr><td>{lab}</td><td>{v['precision']:.3f}</td><td>{v['recall']:.3f}</td>"
                f"<td>{v['f1']:.3f}</td><td>{v['support']}</td></tr>"
                for lab, v in m["per_label"].items()
            )
            + "</table>"
        )
    h.append("<h2>How verdicts are aggregated</h2>")
    items = [f"<li>Rule: {esc(r)}</li>" for r in audit["rules"]] + [
        f"<li>Calibration: {esc(c)}</li>" for c in audit["calibrations"]
    ]
    h.append(Rows("<ul>", "", items or ["<li>No verdicts.</li>"], "</ul>"))
    d = audit["distribution"]
    h.append("<h2>Distribution of confidences</h2>")
    h.append(f"<p>{d['n']} verdicts.</p><pre>{esc(histogram_text(d, width=30))}</pre>")
    h.append("<h2>Claims</h2>")
    w = cell_widths((16, 7, 7, 7, 63), for_pdf)
    for c in audit["claims"]:
        h.append(f"<h3>{esc(c['id'])} ({esc(c['kind'])}): {SYMBOLS[c['verdict']]} {esc(VERDICT_TEXT[c['verdict']])}</h3>")
        h.append(f"<p>{esc(c['claim'])}</p>")
        if c["verdict"] is None:
            continue
        h.append(f"<p>Raw score {c['raw_score']:.4f} → confidence {c['confidence']:.4f}. {esc(c['how'])}</p>")
        if c["evidence"]:
            rows = []
            for ev in c["evidence"]:
                p = ev["probs"]
                rows.append(
                    f"<tr><td{w[0]}>{esc(ev['paper_id'])} p. {ev['page']}</td><td{w[1]}>{p.get('entailment', 0):.3f}</td>"
                    f"<td{w[2]}>{p.get('neutral', 0):.3f}</td><td{w[3]}>{p.get('contradiction', 0):.3f}</td>"
                    f"<td{w[4]}>{esc(ev['text'])}</td></tr>"
                )
            head = (
                f"<tr><th{w[0]}>Paper, page</th><th{w[1]}>P(e)</th><th{w[2]}>P(n)</th>"
                f"<th{w[3]}>P(c)</th><th{w[4]}>Window</th></tr>"
            )
            h.append(Rows("<table>", head, rows, "</table>"))
    return h


def write_audit_files(audit: dict[str, Any], out_dir: Path, stem: str = "audit") -> list[Path]:
    """Write ``<stem>_reliability.png`` (with labels), ``<stem>.html`` and ``<stem>.pdf`` into ``out_dir``."""
    from synth.report.pdf import parts_to_pdf
    from synth.core.io import atomic_write_text

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    figure = None
    if audit.get("metrics"):
        png = reliability_png(audit["metrics"], out_dir / f"{stem}_reliability.png")
        written.append(png)
        figure = png.name
        audit["figure"] = str(png)
    html = out_dir / f"{stem}.html"
    atomic_write_text(html, render_audit_html(audit, figure))
    written.append(html)
    pdf = out_dir / f"{stem}.pdf"
    parts_to_pdf(
        audit_parts(audit, figure, for_pdf=True),
        AUDIT_CSS_PDF,
        pdf,
        title=f"Confidence audit {audit['run']}",
        footer=f"synth audit · run {audit['run']}",
        images=out_dir if figure else None,
    )
    written.append(pdf)
    return written
