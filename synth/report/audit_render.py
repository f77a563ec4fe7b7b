"""The confidence audit drawn: Markdown, a reliability diagram (PNG), and HTML/PDF with the diagram embedded.

matplotlib and pymupdf are imported only when a figure or a PDF is written.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from synth.core.text import sanitize
from synth.report.audit import Audit, Histogram, Metrics
from synth.report.html import SCREEN_CSS, Part, Rows, cell_widths, join_parts
from synth.report.table import SYMBOLS, VERDICT_TEXT


def esc(text: object) -> str:
    """HTML-escaped text with no control characters or terminal escapes."""
    return escape(sanitize(str(text)))


def histogram_text(hist: Histogram, width: int = 40) -> str:
    peak = max(hist.counts, default=0) or 1
    lines = []
    edges = hist.edges
    for i, n in enumerate(hist.counts):
        bar = "█" * round(width * n / peak)
        close = "]" if i == len(hist.counts) - 1 else ")"
        lines.append(f"[{edges[i]:.1f}, {edges[i + 1]:.1f}{close} {n:>4} {bar}")
    return "\n".join(lines)


def _mean(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def render_audit_md(audit: Audit) -> str:
    out = [f"# Confidence audit — run {audit.run}", "", f"Question: {audit.question}", ""]
    out += ["## How verdicts are aggregated", ""]
    out += [f"- Rule: {r}" for r in audit.rules] or ["- No verdicts."]
    out += [f"- Calibration: {c}" for c in audit.calibrations]
    out += ["", "e and c below are the largest entailment and contradiction probabilities over the stored evidence windows.", ""]
    out += ["## Claims", ""]
    for c in audit.claims:
        out.append(f"### {c.id} ({c.kind}): {SYMBOLS[c.verdict]} {c.shown_as or VERDICT_TEXT[c.verdict]}")
        out += ["", c.claim, ""]
        if c.verdict is None:
            out += ["Not verified.", ""]
            continue
        out.append(
            f"- Source: {c.source_cite or c.source} · stated by {c.stated_by} paper(s) (not counted as evidence)"
            f" · model {c.model}"
        )
        out.append(f"- Raw score {c.raw_score:.4f} → calibrated confidence {c.confidence:.4f}")
        if c.probs:
            out.append(
                "- Claim-level probabilities: "
                + ", ".join(
                    f"{VERDICT_TEXT[k] if k != 'not_enough_evidence' else 'not enough evidence'} {x:.3f}"
                    for k, x in c.probs.items()
                )
                + (f" · operating point {c.operating_point:g}" if c.operating_point is not None else "")
            )
        if c.verdict == "not_enough_evidence":
            out.append(f"- Leaning: {c.leaning or 'neither way'}" + (f" · reason: {c.reason}" if c.reason else ""))
        if c.numeric:
            out.append(f"- Number check: {c.numeric}")
        out.append(f"- How: {c.how}")
        if c.evidence:
            out += [
                "",
                "| # | Role | Paper, page | Retrieval | P(entail) | P(neutral) | P(contra) | Window |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for i, ev in enumerate(c.evidence, 1):
                p = ev.probs
                out.append(
                    f"| {i} | {ev.role or '–'} | {ev.cite or ev.paper_id} p. {ev.page} | {ev.retrieval_score:.3f} | "
                    f"{p.get('entailment', 0):.3f} | "
                    f"{p.get('neutral', 0):.3f} | {p.get('contradiction', 0):.3f} | "
                    f"{' '.join(ev.text.split()).replace('|', chr(92) + '|')} |"
                )
        out.append("")
    d = audit.distribution
    out += ["## Distribution of confidences", "", f"{d.n} verdicts, mean confidence {_mean(d.mean)}.", ""]
    out += ["```", histogram_text(d), "```", ""]
    out += [
        "By verdict: "
        + "; ".join(f"{VERDICT_TEXT[label]} {h.n} (mean {_mean(h.mean)})" for label, h in audit.by_verdict.items())
        + ".",
        "",
    ]
    m = audit.metrics
    if m:
        out += ["## Against gold labels", ""]
        out += [
            f"- Claims scored: {m.n_scored} of {m.n_labels} labels"
            + (f" (labels with unknown ids: {', '.join(m.unknown_ids)})" if m.unknown_ids else "")
            + (f"; verified claims without a label: {', '.join(m.unlabelled_claims)}" if m.unlabelled_claims else ""),
            f"- Accuracy: {m.accuracy:.3f}",
            f"- Macro-F1: {m.macro_f1:.3f} (over {', '.join(m.per_label)})",
            f"- Expected calibration error ({m.ece_bins} bins): {m.ece:.3f} (mean confidence {m.mean_confidence:.3f})",
            "",
            "| Label | Precision | Recall | F1 | Support |",
            "|---|---|---|---|---|",
        ]
        out += [f"| {lab} | {v.precision:.3f} | {v.recall:.3f} | {v.f1:.3f} | {v.support} |" for lab, v in m.per_label.items()]
        out += ["", "| Confidence bin | n | Mean confidence | Accuracy |", "|---|---|---|---|"]
        out += [f"| [{r.low:.3f}, {r.high:.3f}) | {r.n} | {r.mean_confidence:.3f} | {r.accuracy:.3f} |" for r in m.reliability]
        out += ["", "Confusion (gold→predicted): " + ", ".join(f"{k} {v}" for k, v in m.confusion.items()) + "."]
        if audit.figure:
            out += ["", f"Reliability diagram: {audit.figure}"]
        out.append("")
    return sanitize("\n".join(out))  # titles, claims and windows come from PDFs: nothing raw reaches a terminal


def reliability_png(metrics: Metrics, path: Path, title: str = "") -> Path:
    """A reliability diagram (accuracy against confidence per bin, with the diagonal) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, hx) = plt.subplots(2, 1, figsize=(4.6, 5.2), dpi=150, height_ratios=[3, 1], sharex=True)
    width = 1 / metrics.ece_bins
    rel = metrics.reliability
    ax.plot([0, 1], [0, 1], "--", color="#888888", lw=1, label="perfect calibration")
    ax.bar(
        [r.low for r in rel],
        [r.accuracy for r in rel],
        width=width,
        align="edge",
        color="#4c72b0",
        edgecolor="white",
        label="accuracy",
    )
    ax.plot([r.mean_confidence for r in rel], [r.accuracy for r in rel], "o", color="#c44e52", ms=4, label="bin mean confidence")
    ax.set_ylim(0, 1)
    ax.set_xlim(0, 1)
    ax.set_ylabel("accuracy")
    ax.set_title(title or f"Reliability (ECE {metrics.ece:.3f}, {metrics.ece_bins} bins, n={metrics.n_scored})", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    hx.bar([r.low for r in rel], [r.n for r in rel], width=width, align="edge", color="#999999", edgecolor="white")
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


def render_audit_html(audit: Audit, figure: str | None, for_pdf: bool = False) -> str:
    """The audit as HTML with the reliability diagram embedded (``figure``: a file name beside the HTML)."""
    body = join_parts(audit_parts(audit, figure, for_pdf))
    if for_pdf:
        return f"<html><body>{body}</body></html>"
    head = f'<meta charset="utf-8"><title>Audit {esc(audit.run)}</title><style>{SCREEN_CSS}</style>'
    return f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head><body>\n{body}\n</body></html>\n'


def audit_parts(audit: Audit, figure: str | None, for_pdf: bool = False) -> list[Part]:
    """The audit's top-level HTML blocks (evidence tables as rows the PDF may split between pages)."""
    h: list[Part] = [f"<h1>Confidence audit — run {esc(audit.run)}</h1>", f"<p>Question: {esc(audit.question)}</p>"]
    m = audit.metrics
    if m:
        h.append("<h2>Against gold labels</h2>")
        h.append(
            "<table><tr><th>Claims scored</th><th>Accuracy</th><th>Macro-F1</th><th>ECE "
            "(15 bins)</th><th>Mean confidence</th></tr>"
            f"<tr><td>{m.n_scored} of {m.n_labels}</td><td>{m.accuracy:.3f}</td><td>{m.macro_f1:.3f}</td>"
            f"<td>{m.ece:.3f}</td><td>{m.mean_confidence:.3f}</td></tr></table>"
        )
        if figure:
            h.append(f'<p><img src="{esc(figure)}" width="300"/></p>')
        h.append(
            "<table><tr><th>Label</th><th>Precision</th><th>Recall</th><th>F1</th><th>Support</th></tr>"
            + "".join(
                f"<tr><td>{lab}</td><td>{v.precision:.3f}</td><td>{v.recall:.3f}</td><td>{v.f1:.3f}</td><td>{v.support}</td></tr>"
                for lab, v in m.per_label.items()
            )
            + "</table>"
        )
    h.append("<h2>How verdicts are aggregated</h2>")
    items = [f"<li>Rule: {esc(r)}</li>" for r in audit.rules] + [f"<li>Calibration: {esc(c)}</li>" for c in audit.calibrations]
    h.append(Rows("<ul>", "", items or ["<li>No verdicts.</li>"], "</ul>"))
    d = audit.distribution
    h.append("<h2>Distribution of confidences</h2>")
    h.append(f"<p>{d.n} verdicts.</p><pre>{esc(histogram_text(d, width=30))}</pre>")
    h.append("<h2>Claims</h2>")
    w = cell_widths((16, 7, 7, 7, 63), for_pdf)
    for c in audit.claims:
        h.append(f"<h3>{esc(c.id)} ({esc(c.kind)}): {SYMBOLS[c.verdict]} {esc(c.shown_as or VERDICT_TEXT[c.verdict])}</h3>")
        h.append(f"<p>{esc(c.claim)}</p>")
        if c.verdict is None:
            continue
        extra = ""
        if c.verdict == "not_enough_evidence":
            extra = f" Leaning: {esc(c.leaning or 'neither way')}." + (f" Reason: {esc(c.reason)}." if c.reason else "")
        h.append(f"<p>Raw score {c.raw_score:.4f} → confidence {c.confidence:.4f}. {esc(c.how or '')}{extra}</p>")
        if c.evidence:
            rows = []
            for ev in c.evidence:
                p = ev.probs
                rows.append(
                    f"<tr><td{w[0]}>{esc(ev.cite or ev.paper_id or '')} p. {ev.page}"
                    + (f"<br/><i>{esc(ev.role)}</i>" if ev.role else "")
                    + "</td>"
                    f"<td{w[1]}>{p.get('entailment', 0):.3f}</td>"
                    f"<td{w[2]}>{p.get('neutral', 0):.3f}</td><td{w[3]}>{p.get('contradiction', 0):.3f}</td>"
                    f"<td{w[4]}>{esc(ev.text)}</td></tr>"
                )
            head = (
                f"<tr><th{w[0]}>Paper, page</th><th{w[1]}>P(e)</th><th{w[2]}>P(n)</th>"
                f"<th{w[3]}>P(c)</th><th{w[4]}>Window</th></tr>"
            )
            h.append(Rows("<table>", head, rows, "</table>"))
    return h


def write_audit_files(audit: Audit, out_dir: Path, stem: str = "audit") -> tuple[Audit, list[Path]]:
    """Write ``<stem>_reliability.png`` (with labels), ``<stem>.html`` and ``<stem>.pdf`` into ``out_dir``.

    Returns the audit naming the diagram it now has, and the files written.
    """
    from synth.core.io import atomic_write_text
    from synth.report.pdf import parts_to_pdf

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    figure = None
    if audit.metrics:
        png = reliability_png(audit.metrics, out_dir / f"{stem}_reliability.png")
        written.append(png)
        figure = png.name
        audit = audit.model_copy(update={"figure": str(png)})
    html = out_dir / f"{stem}.html"
    atomic_write_text(html, render_audit_html(audit, figure))
    written.append(html)
    pdf = out_dir / f"{stem}.pdf"
    parts_to_pdf(
        audit_parts(audit, figure, for_pdf=True),
        AUDIT_CSS_PDF,
        pdf,
        title=f"Confidence audit {audit.run}",
        footer=f"synth audit · run {audit.run}",
        images=out_dir if figure else None,
    )
    written.append(pdf)
    return audit, written
