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
    answer_sentence,
    count_rows,
    coverage_cells,
    kinds_text,
    overall_text,
    papers_text,
    reference_text,
    relevant_count,
    score_text,
    sentence,
)
from synth.report.model import (
    Abstract,
    Answer,
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
.headline { font-weight: bold; font-size: 1.1em; border-left: 4px solid #a40e0e; padding-left: 0.6em; }
p.facet { margin: 0.5em 0; } .facet b { color: #223; }
a.cite, a.cid { text-decoration: none; } a.cite:hover, a.cid:hover { text-decoration: underline; }
.filters { margin: 0.4em 0; font-size: 0.9em; } .filters input, .filters select { font: inherit; margin-right: 0.8em; }
table.claims th { cursor: pointer; user-select: none; } table.claims th[aria-sort="ascending"]::after { content: " ▲"; }
table.claims th[aria-sort="descending"]::after { content: " ▼"; }
.wide { overflow-x: auto; }
@media (max-width: 40em) {
  body { margin: 0.6em auto; padding: 0 0.5em; font-size: 0.95em; }
  table { font-size: 0.78em; } th, td { padding: 0.2em 0.25em; }
  table.claims td:nth-child(3), table.claims th:nth-child(3) { display: none; }
}
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
    """The claims table as an HTML table (widths sized for A4 in the PDF; on screen sortable and filterable)."""
    heads: tuple[str, ...] = ("#", "Claim", "Kind", "Verdict", "Conf.", "Evidence (paper, page, passage)", "Source (paper, page)")
    if for_pdf:
        heads = ("#", "Claim", "Verdict", "Conf.", "Evidence (paper, page, passage)", "Source (paper, page)")
    wa = cell_widths((10, 28, 10, 6, 31, 15), for_pdf) if for_pdf else [""] * len(heads)
    th = "".join(f"<th{a}>{h}</th>" for a, h in zip(wa, heads, strict=True))
    body = []
    for r in rows:
        cls = _VERDICT_CLASS[r.verdict]
        verdict = f'<span class="{cls} mark">{_e(r.symbol)}</span> {_e(r.verdict_text)}'
        if for_pdf:
            body.append(
                "<tr>"
                f"<td{wa[0]}>{_e(r.id)}<br/><i>{_e(r.kind)}</i></td>"
                f"<td{wa[1]}>{_e(r.shown)}</td>"
                f"<td{wa[2]}>{verdict}</td>"
                f'<td{wa[3]} class="num">{fmt_conf(r.confidence)}</td>'
                f"<td{wa[4]}>{_e(evidence_cell(r))}</td>"
                f"<td{wa[5]}>{_e(source_cell(r))}</td>"
                "</tr>"
            )
            continue
        conf = "" if r.confidence is None else f"{r.confidence:.4f}"
        body.append(
            f'<tr id="claim-{escape(r.id)}" data-verdict="{escape(r.verdict_text)}">'
            f'<td data-key="{r.finding_rank or r.n:05d}">{_e(r.id)}</td>'
            f"<td>{_e(r.shown)}</td>"
            f"<td>{_e(r.kind)}</td>"
            f'<td data-key="{escape(r.verdict_text)}">{verdict}</td>'
            f'<td class="num" data-key="{conf}">{fmt_conf(r.confidence)}</td>'
            f"<td>{_e(evidence_cell(r))}</td>"
            f"<td>{_e(source_cell(r))}</td>"
            "</tr>"
        )
    return Rows('<table class="claims" id="claims-table">', f"<tr>{th}</tr>", body, "</table>")


CLAIMS_KEY_HTML = (
    _e(CLAIMS_KEY)
    .replace("✓", '<span class="ok">✓</span>', 1)
    .replace("×", '<span class="bad">×</span>', 1)
    .replace("?", '<span class="nee">?</span>', 1)
)

# sorting (click a header) and filtering (text, verdict) of the claims table; inline, no network
TABLE_JS = """
(function () {
  var table = document.getElementById("claims-table");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.rows, 1);
  var text = document.getElementById("claims-filter"), verdict = document.getElementById("claims-verdict");
  var count = document.getElementById("claims-count");
  function filter() {
    var q = text.value.toLowerCase(), v = verdict.value, n = 0;
    rows.forEach(function (r) {
      var show = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) && (!v || r.getAttribute("data-verdict").indexOf(v) === 0);
      r.style.display = show ? "" : "none"; if (show) n++;
    });
    count.textContent = n + " of " + rows.length + " shown";
  }
  text.addEventListener("input", filter); verdict.addEventListener("change", filter);
  Array.prototype.forEach.call(table.rows[0].cells, function (th, col) {
    th.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      function key(r) {
        var c = r.cells[col]; return c.getAttribute("data-key") !== null ? c.getAttribute("data-key") : c.textContent;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return up ? d : -d;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
  filter();
})();
"""

FILTERS = (
    '<div class="filters"><label>Filter <input id="claims-filter" type="search" placeholder="words, paper, claim id"></label>'
    '<label>Verdict <select id="claims-verdict"><option value="">any</option><option value="supported">supported</option>'
    '<option value="refuted">refuted</option><option value="not verified">not verified</option>'
    '<option value="not verified (leans supported)">not verified, leans supported</option>'
    '<option value="not verified (leans refuted)">not verified, leans refuted</option></select></label>'
    '<span id="claims-count"></span> · click a column header to sort</div>'
)


def render_html(report: Report, for_pdf: bool = False) -> str:
    """The report as HTML; ``for_pdf`` picks the CSS subset and embedded fonts PyMuPDF's Story understands."""
    body = join_parts(html_parts(report, for_pdf))
    if for_pdf:
        return f"<html><body>{body}</body></html>"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(report.title)}</title>"
        f"<style>{SCREEN_CSS}</style></head><body>\n{body}\n<script>{TABLE_JS}</script>\n</body></html>\n"
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
    headline = report.section(Abstract).headline
    if headline:
        h.append(f'<p class="headline">{_e(headline)}{"" if headline.endswith(("?”", "!”", ".”")) else "."}</p>')
    if results.quality.overall is not None:
        h.append(f'<p class="score">Quality score: {results.quality.overall:.1f}/10 ({results.ref("Quality score")})</p>')
    for section in report.sections:
        h.append(f'<h2 id="{section.kind}">{_e(section.heading)}</h2>')
        h += _body(section, report, for_pdf)
    return h


@singledispatch
def _body(section: Section, report: Report, for_pdf: bool) -> list[Part]:
    """A section's blocks after its heading."""
    raise TypeError(f"no HTML for a {type(section).__name__} section")


@_body.register
def _(section: Abstract, report: Report, for_pdf: bool) -> list[Part]:
    return [f"<p>{_e(section.text)}</p>"]


def _ref_link(for_pdf: bool):  # type: ignore[no-untyped-def]
    """How a reference number is shown: a link to the reference list on screen, plain in the PDF."""
    if for_pdf:
        return lambda n: str(n)
    return lambda n: f'<a class="cite" href="#ref-{n}">{n}</a>'


def _claim_link(for_pdf: bool):  # type: ignore[no-untyped-def]
    if for_pdf:
        return lambda c: c
    return lambda c: f'<a class="cid" href="#claim-{escape(c)}">{escape(c)}</a>'


@_body.register
def _(section: Answer, report: Report, for_pdf: bool) -> list[Part]:
    h: list[Part] = [f"<p>{_e(section.lead)}</p>"]
    ref, cid = _ref_link(for_pdf), _claim_link(for_pdf)
    for part in report.answer:
        # the sentences' own text is escaped; the links are built here
        text = " ".join(_answer_html(s, ref, cid) for s in part.sentences)
        h.append(f'<p class="facet"><b>{_e(part.facet_id)} {_e(part.facet)}.</b> {text}</p>')
    if section.unaddressed:
        h.append(f"<p><b>Not addressed by any paper:</b> {_e('; '.join(section.unaddressed))}.</p>")
    if report.coverage:
        w = cell_widths((40, 12, 24, 24), for_pdf)
        head = f"<tr><th{w[0]}>Part of the question</th><th{w[1]}>Addressed</th><th{w[2]}>Papers</th><th{w[3]}>Findings</th></tr>"
        rows = []
        for (facet, addressed, _, _), row in zip(coverage_cells(report), report.coverage, strict=True):
            papers = "[" + ", ".join(ref(n) for n in row.references) + "]" if row.references else "–"
            found = ", ".join(cid(c) for c in row.claims) or "–"
            rows.append(
                f"<tr><td{w[0]}>{_e(facet)}</td><td{w[1]}>{addressed}</td><td{w[2]}>{papers}</td><td{w[3]}>{found}</td></tr>"
            )
        h.append(Rows('<div class="wide"><table>', head, rows, "</table></div>"))
    if section.key:
        h.append(f"<p><i>{_e(section.key)}</i></p>")
    return h


def _answer_html(line, ref, cid) -> str:  # type: ignore[no-untyped-def]
    """An answer sentence: its words escaped, its citations and claim ids linked (plain in the PDF)."""
    return answer_sentence(line, ref, cid, _e)


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
    h.append(f"<h3>{_e(section.subheading('Relevance and facets'))}</h3>")
    h.append(Rows("<ul>", "", [f"<li>{_e(line)}</li>" for line in section.relevance], "</ul>"))
    if section.paper_scores:
        w = cell_widths((46, 18, 14, 22), for_pdf)
        ref = _ref_link(for_pdf)
        head = (
            f"<tr><th{w[0]}>Paper</th><th{w[1]}>Similarity to the question</th><th{w[2]}>Bears on it</th>"
            f"<th{w[3]}>Facets addressed</th></tr>"
        )
        rows = [
            f"<tr><td{w[0]}>" + (f"[{ref(p.reference)}] {_e(p.cite)}" if p.reference is not None else _e(p.cite)) + "</td>"
            f'<td{w[1]} class="num">{p.score:.2f}</td><td{w[2]}>{"yes" if p.relevant else "no"}</td>'
            f"<td{w[3]}>{_e(', '.join(p.facets) or '–')}</td></tr>"
            for p in section.paper_scores
        ]
        h.append(Rows('<div class="wide"><table>', head, rows, "</table></div>"))
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
    items = [f"<li>{_e(line)}</li>" for line in section.decision]
    items += [f"<li>Rule: {_e(r)}</li>" for r in section.rules]
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
        relevant=relevant_count(report),
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
    h.append(f"<p>{overall_text(quality, bold=lambda t: f'<b>{t}</b>')}.</p>")
    return h


@_body.register
def _(section: Limitations, report: Report, for_pdf: bool) -> list[Part]:
    return [Rows("<ul>", "", [f"<li>{_e(lim)}</li>" for lim in section.items] or ["<li>None recorded.</li>"], "</ul>")]


@_body.register
def _(section: Claims, report: Report, for_pdf: bool) -> list[Part]:
    if not section.rows:
        return ["<p>No claims were extracted.</p>"]
    shown = section.shown()
    h: list[Part] = [f"<p>{_e(section.note)}</p>"] if section.note else []
    if not shown:
        return h
    h.append(f"<p>{CLAIMS_KEY_HTML}</p>")
    if not for_pdf:
        h.append(FILTERS)
        return [*h, Rows('<div class="wide">', "", [claims_table(shown).html()], "</div>")]
    return [*h, claims_table(shown, for_pdf)]


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
        links = [ref.url] if ref.url else []
        if ref.doi and f"https://doi.org/{ref.doi}" not in links:
            links.append(f"https://doi.org/{ref.doi}")
        text += "".join(f' <a href="{escape(u)}">{_e(u)}</a>' for u in links)
        refs.append(f'<p class="ref" id="ref-{i}">[{i}] {text}</p>')
    return [Rows("<div>", "", refs or ["<p>No papers.</p>"], "</div>"), "<p>BibTeX: references.bib.</p>"]
