"""report.html: the same content as report.md as one self-contained HTML page (also the PDF's source)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import singledispatch
from html import escape
from typing import Any

from synth.core.text import sanitize
from synth.report.markdown import (
    CLAIMS_KEY,
    EXTRACTION,
    REVIEWERS,
    count_rows,
    kinds_text,
    papers_text,
    reference_text,
    score_text,
    sentence,
)
from synth.report.model import (
    Abstract,
    ClaimRow,
    Claims,
    Introduction,
    Limitations,
    Methodology,
    References,
    Remeasured,
    Report,
    Results,
    Section,
)
from synth.report.table import evidence_cell, fmt_conf, source_cell


@dataclass
class Rows:
    """A table or list whose rows the PDF layout may put on different pages (header repeated on each)."""

    open: str
    header: str = ""
    rows: list[str] = field(default_factory=list)
    close: str = ""

    def html(self) -> str:
        return self.open + self.header + "".join(self.rows) + self.close


Part = str | Rows


def join_parts(parts: list[Part]) -> str:
    return "\n".join(p.html() if isinstance(p, Rows) else p for p in parts)


_VERDICT_CLASS = {"supported": "ok", "refuted": "bad", "not_enough_evidence": "nee", None: "nee"}

SCREEN_CSS = """
body { font-family: "DejaVu Serif", Georgia, serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #111; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.6em; } h3 { font-size: 1.05em; }
.sub { font-style: italic; color: #444; } .meta { color: #555; font-size: 0.9em; }
.score { font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.4em; vertical-align: top; text-align: left; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
.ok { color: #0a6b2b; font-weight: bold; } .bad { color: #a40e0e; font-weight: bold; } .nee { color: #7a5b00; font-weight: bold; }
li.q { list-style-type: none; } p.ref { margin: 0 0 0.4em 0; }
code { font-size: 0.9em; background: #f4f4f4; padding: 0 0.2em; }
blockquote { margin: 0; }
"""

# MuPDF's HTML engine (PyMuPDF Story) reads a CSS subset; DejaVu is embedded so ✓ × ? ≥ … all render.
# No border-collapse: with it MuPDF 1.26 repeats stray cell borders on later pages (seen in rendered output).
PDF_CSS = """
@font-face { font-family: DV; src: url(DejaVuSans.ttf); }
@font-face { font-family: DV; src: url(DejaVuSans-Bold.ttf); font-weight: bold; }
@font-face { font-family: DV; src: url(DejaVuSans-Oblique.ttf); font-style: italic; }
@font-face { font-family: DV; src: url(DejaVuSans-BoldOblique.ttf); font-weight: bold; font-style: italic; }
@font-face { font-family: DVM; src: url(DejaVuSansMono.ttf); }
* { font-family: DV; }
body { font-size: 9pt; line-height: 1.3; margin: 0; padding: 0; }
h1 { font-size: 15pt; margin: 0 0 3pt 0; } h2 { font-size: 11.5pt; margin: 10pt 0 3pt 0; }
h3 { font-size: 10pt; margin: 6pt 0 2pt 0; }
p { margin: 0 0 4pt 0; text-align: justify; } ul, ol { margin: 0; } li { margin: 0 0 1pt 0; }
.sub { font-style: italic; color: #444444; } .meta { color: #555555; font-size: 8pt; }
.score { font-weight: bold; font-size: 10pt; }
.mark { font-size: 9pt; }
li.q { list-style-type: none; } p.ref { text-align: left; margin: 0 0 3pt 0; }
table { margin: 0; }
th, td { border: 0.5pt solid #999999; padding: 1.5pt 2.5pt; vertical-align: top; text-align: left; font-size: 7.5pt; }
th { background-color: #e8e8e8; font-weight: bold; }
table.claims td, table.claims th { font-size: 7pt; }
.ok { color: #0a6b2b; font-weight: bold; } .bad { color: #a40e0e; font-weight: bold; } .nee { color: #7a5b00; font-weight: bold; }
code { font-family: DVM; font-size: 7.5pt; }
"""


def _e(text: Any) -> str:
    """Text for HTML: control characters and terminal escapes removed, then escaped."""
    return escape(sanitize(str(text)), quote=False)


PDF_TEXT_WIDTH = 510.0  # points: A4 (595) minus the PDF's two 42 pt margins, rounded down
_CELL_OVERHEAD = 8.0  # points MuPDF adds to a cell's CSS width: padding 2 × 2.5, border 2 × 0.5, spacing 2


def cell_widths(shares: tuple[float, ...], for_pdf: bool) -> list[str]:
    """`` style="width:…pt"`` attributes for the PDF (MuPDF honours absolute cell widths, not percentages); "" on screen.

    The PDF lays out each row of a long table as its own table, so every cell carries its width and rows line up.
    """
    if not for_pdf:
        return [""] * len(shares)
    total = sum(shares)
    return [f' style="width:{PDF_TEXT_WIDTH * s / total - _CELL_OVERHEAD:.1f}pt"' for s in shares]


def claims_table(rows: list[ClaimRow], for_pdf: bool = False) -> Rows:
    """The claims table as an HTML table (widths sized for A4 in the PDF)."""
    heads = ("#", "Claim", "Verdict", "Conf.", "Evidence (paper, page, passage)", "Source (paper, page)")
    wa = cell_widths((10, 28, 10, 6, 31, 15), for_pdf)
    th = "".join(f"<th{a}>{h}</th>" for a, h in zip(wa, heads, strict=True))
    body = []
    for r in rows:
        cls = _VERDICT_CLASS[r.verdict]
        body.append(
            "<tr>"
            f"<td{wa[0]}>{_e(r.id)}<br/><i>{_e(r.kind)}</i></td>"
            f"<td{wa[1]}>{_e(r.claim)}</td>"
            f'<td{wa[2]}><span class="{cls} mark">{_e(r.symbol)}</span> {_e(r.verdict_text)}</td>'
            f'<td{wa[3]} class="num">{fmt_conf(r.confidence)}</td>'
            f"<td{wa[4]}>{_e(evidence_cell(r))}</td>"
            f"<td{wa[5]}>{_e(source_cell(r))}</td>"
            "</tr>"
        )
    return Rows('<table class="claims">', f"<tr>{th}</tr>", body, "</table>")


def render_html(report: Report, for_pdf: bool = False) -> str:
    """The report as HTML; ``for_pdf`` picks the CSS subset and embedded fonts PyMuPDF's Story understands."""
    body = join_parts(html_parts(report, for_pdf))
    if for_pdf:
        return f"<html><body>{body}</body></html>"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(report.title)}</title>'
        f"<style>{SCREEN_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def html_parts(report: Report, for_pdf: bool = False) -> list[Part]:
    """The report's top-level HTML blocks in order; long tables and lists come as :class:`Rows`."""
    run = report.run
    results = report.section(Results)
    h: list[Part] = [f"<h1>{_e(report.title)}</h1>", f'<p class="sub">{_e(report.subtitle)}</p>']
    stamp = [f"run {run.id}"]
    if run.date:
        stamp.append(run.date)
    if run.synth_version:
        stamp.append(f"synth {run.synth_version}" + (f" ({run.git_sha})" if run.git_sha else ""))
    h.append(f'<p class="meta">{_e(" · ".join(stamp))}</p>')
    if results.quality.overall is not None:
        h.append(f'<p class="score">Quality score: {results.quality.overall:.1f}/10 ({results.ref("Quality score")})</p>')
    for section in report.sections:
        h.append(f"<h2>{_e(section.heading)}</h2>")
        h += _body(section, report, for_pdf)
    return h


@singledispatch
def _body(section: Section, report: Report, for_pdf: bool) -> list[Part]:
    """A section's blocks after its heading."""
    raise TypeError(f"no HTML for a {type(section).__name__} section")


@_body.register
def _(section: Abstract, report: Report, for_pdf: bool) -> list[Part]:
    return [f"<p>{_e(section.text)}</p>"]


@_body.register
def _(section: Introduction, report: Report, for_pdf: bool) -> list[Part]:
    return [*(f"<p>{_e(p)}</p>" for p in section.paragraphs), f"<p><b>Research question.</b> {_e(section.question)}</p>"]


@_body.register
def _(section: Methodology, report: Report, for_pdf: bool) -> list[Part]:
    h: list[Part] = [f"<h3>{_e(section.subheading('Sources and queries'))}</h3>"]
    items = [f"<li>Source: {_e(s)}</li>" for s in section.sources]
    if section.queries:
        items.append("<li>Exact queries searched:</li>")
        items += [
            f'<li class="q">{i}. <code>{_e(q.query)}</code>' + (f" ({_e(q.note)})" if q.note else "") + "</li>"
            for i, q in enumerate(section.queries, 1)
        ]
    items += [f"<li>{_e(s)}</li>" for s in section.search_settings]
    h.append(Rows("<ul>", "", items, "</ul>"))
    h.append(f"<p>{_e(papers_text(section.papers, report.section(Limitations).ref()))}</p>")
    h.append(f"<h3>{_e(section.subheading('Claim extraction'))}</h3>")
    h.append(f"<p>{EXTRACTION}" + (f" Extractor: {_e(', '.join(section.extractors))}." if section.extractors else "") + "</p>")
    h.append(f"<h3>{_e(section.subheading('Models'))}</h3>")
    if section.models:
        wa = cell_widths((30, 45, 25), for_pdf)
        models = [
            f"<tr><td{wa[0]}>{_e(m.role)}</td><td{wa[1]}><code>{_e(m.id)}</code></td>"
            f"<td{wa[2]}>{_e(m.revision or 'hub (unpinned)')}</td></tr>"
            for m in section.models
        ]
        h.append(
            Rows("<table>", f"<tr><th{wa[0]}>Role</th><th{wa[1]}>Model</th><th{wa[2]}>Revision</th></tr>", models, "</table>")
        )
    else:
        h.append("<p>No model identities were recorded.</p>")
    h.append(f"<h3>{_e(section.subheading('Verification rule and calibration'))}</h3>")
    h.append(f"<p>{_e(section.evidence_policy)}</p>")
    items = [f"<li>Rule: {_e(r)}</li>" for r in section.rules]
    items += [f"<li>Calibration: {_e(c)}</li>" for c in section.calibrations]
    h.append(Rows("<ul>", "", items or ["<li>No claim has been verified yet.</li>"], "</ul>"))
    return h


@_body.register
def _(section: Results, report: Report, for_pdf: bool) -> list[Part]:
    h: list[Part] = [f"<h3>{_e(section.subheading('Counts'))}</h3>"]
    rows = count_rows(
        section.papers,
        section.claims,
        fmt_conf(section.mean_confidence),
        mark=lambda css, symbol: f'<span class="{css}">{symbol}</span>',
    )
    h.append(
        "<table><tr><th>Measure</th><th>Count</th></tr>"
        + "".join(f'<tr><td>{k}</td><td class="num">{v}</td></tr>' for k, v in rows)
        + "</table>"
    )
    if section.by_kind:
        h.append(f"<p>Claims by kind: {_e(kinds_text(section.by_kind))}.</p>")
    h.append(f"<h3>{_e(section.subheading('Quality score'))}</h3>")
    h.append(f"<p>{REVIEWERS}</p>")
    w = cell_widths((15, 22, 7, 38, 18), for_pdf)
    quality = section.quality
    h.append(
        f"<table><tr><th{w[0]}>Reviewer</th><th{w[1]}>Aspect</th><th"
        f"{w[2]}>Score</th><th{w[3]}>Formula</th><th{w[4]}>Based on</th></tr>"
        + "".join(
            f'<tr><td>{_e(r.name)}</td><td>{_e(r.aspect)}</td><td class="num">{score_text(r.score)}</td>'
            f"<td>{_e(r.formula)}</td><td>{_e(r.detail)}</td></tr>"
            for r in quality.reviews
        )
        + "</table>"
    )
    h.append(f"<p><b>Overall: {score_text(quality.overall)}/10</b>, {_e(quality.formula)}.</p>")
    return h


@_body.register
def _(section: Limitations, report: Report, for_pdf: bool) -> list[Part]:
    return [Rows("<ul>", "", [f"<li>{_e(lim)}</li>" for lim in section.items] or ["<li>None recorded.</li>"], "</ul>")]


@_body.register
def _(section: Claims, report: Report, for_pdf: bool) -> list[Part]:
    if not section.rows:
        return ["<p>No claims were extracted.</p>"]
    key = (
        '<p>Verdict: <span class="ok">✓</span> supported · <span class="bad">×</span> '
        f'refuted · <span class="nee">?</span> not enough evidence. {_e(CLAIMS_KEY)}</p>'
    )
    return [key, claims_table(section.rows, for_pdf)]


@_body.register
def _(section: Remeasured, report: Report, for_pdf: bool) -> list[Part]:
    h: list[Part] = []
    if section.rows:
        w = cell_widths((8, 46, 46), for_pdf)
        rows = [f"<tr><td>{_e(m.claim_id)}</td><td>{_e(m.claim)}</td><td>{_e(m.summary)}</td></tr>" for m in section.rows]
        head = f"<tr><th{w[0]}>#</th><th{w[1]}>Claim</th><th{w[2]}>Re-measured</th></tr>"
        h.append(Rows("<table>", head, rows, "</table>"))
    return [*h, f"<p>{_e(sentence(section.note))}</p>"]


@_body.register
def _(section: References, report: Report, for_pdf: bool) -> list[Part]:
    refs = []
    for i, ref in enumerate(section.references, 1):
        text = _e(reference_text(ref, link=False)).replace(f"*{_e(ref.title)}*", f"<i>{_e(ref.title)}</i>")
        if ref.url:
            text += f' <a href="{escape(ref.url)}">{_e(ref.url)}</a>'
        refs.append(f'<p class="ref">[{i}] {text}</p>')
    return [Rows("<div>", "", refs or ["<p>No papers.</p>"], "</div>"), "<p>BibTeX: references.bib.</p>"]
