"""report.html: the same content as report.md as one self-contained HTML page (also the PDF's source)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from synth.report.markdown import count_rows, reference_text
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
    return escape(str(text), quote=False)


def _score(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


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


def claims_table(rows: list[dict[str, Any]], for_pdf: bool = False) -> Rows:
    """The claims table as an HTML table (widths sized for A4 in the PDF)."""
    heads = ("#", "Claim", "Verdict", "Conf.", "Evidence (paper, page, passage)", "Source (paper, page)")
    wa = cell_widths((10, 28, 10, 6, 31, 15), for_pdf)
    th = "".join(f"<th{a}>{h}</th>" for a, h in zip(wa, heads, strict=True))
    body = []
    for r in rows:
        cls = _VERDICT_CLASS[r["verdict"]]
        body.append(
            "<tr>"
            f"<td{wa[0]}>{_e(r['id'])}<br/><i>{_e(r['kind'])}</i></td>"
            f"<td{wa[1]}>{_e(r['claim'])}</td>"
            f'<td{wa[2]}><span class="{cls} mark">{_e(r["symbol"])}</span> {_e(r["verdict_text"])}</td>'
            f'<td{wa[3]} class="num">{fmt_conf(r["confidence"])}</td>'
            f"<td{wa[4]}>{_e(evidence_cell(r))}</td>"
            f"<td{wa[5]}>{_e(source_cell(r))}</td>"
            "</tr>"
        )
    return Rows('<table class="claims">', f"<tr>{th}</tr>", body, "</table>")


def render_html(report: dict[str, Any], for_pdf: bool = False) -> str:
    """The report as HTML; ``for_pdf`` picks the CSS subset and embedded fonts PyMuPDF's Story understands."""
    body = join_parts(html_parts(report, for_pdf))
    if for_pdf:
        return f"<html><body>{body}</body></html>"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(report["title"])}</title>'
        f"<style>{SCREEN_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def html_parts(report: dict[str, Any], for_pdf: bool = False) -> list[Part]:
    """The report's top-level HTML blocks in order; long tables and lists come as :class:`Rows`."""
    run, meth, res = report["run"], report["methodology"], report["results"]
    counts, quality = res["counts"], res["quality"]
    h: list[Part] = []
    h.append(f"<h1>{_e(report['title'])}</h1>")
    h.append(f'<p class="sub">{_e(report["subtitle"])}</p>')
    stamp = [f"run {run['id']}"]
    if run.get("date"):
        stamp.append(run["date"])
    if run.get("synth_version"):
        stamp.append(f"synth {run['synth_version']}" + (f" ({run['git_sha']})" if run.get("git_sha") else ""))
    h.append(f'<p class="meta">{_e(" · ".join(stamp))}</p>')
    if quality["overall"] is not None:
        h.append(f'<p class="score">Quality score: {quality["overall"]:.1f}/10 (Section 3.2)</p>')
    h.append("<h2>Abstract</h2>")
    h.append(f"<p>{_e(report['abstract'])}</p>")

    h.append("<h2>1 Introduction</h2>")
    h += [f"<p>{_e(p)}</p>" for p in report["introduction"]]
    h.append(f"<p><b>Research question.</b> {_e(report['question'])}</p>")

    h.append("<h2>2 Methodology</h2>")
    h.append("<h3>2.1 Sources and queries</h3>")
    items = [f"<li>Source: {_e(s)}</li>" for s in meth["sources"]]
    if meth["queries"]:
        items.append("<li>Exact queries searched:</li>")
        items += [
            f'<li class="q">{i}. <code>{_e(q["query"])}</code>' + (f" ({_e(q['note'])})" if q["note"] else "") + "</li>"
            for i, q in enumerate(meth["queries"], 1)
        ]
    items += [f"<li>{_e(s)}</li>" for s in meth["search_settings"]]
    h.append(Rows("<ul>", "", items, "</ul>"))
    p = meth["papers"]
    h.append(
        f"<p>Papers found: {p['papers_found']} · kept: {p['papers_kept']} "
        f"· parsed: {p['papers_parsed']} ({p['pages_read']} pages) · "
        f"failed: {p['papers_failed']}{' (named in Section 4)' if p['papers_failed'] else ''}.</p>"
    )
    h.append("<h3>2.2 Claim extraction</h3>")
    h.append(
        "<p>Every sentence of every parsed paper was a candidate; checkable claims (findings, numeric and comparative results, "
        "limitations) were kept, rewritten to stand alone, ranked by relevance to the question and merged when near-duplicate."
        + (f" Extractor: {_e(', '.join(meth['extractors']))}." if meth["extractors"] else "")
        + "</p>"
    )
    h.append("<h3>2.3 Models</h3>")
    if meth["models"]:
        wa = cell_widths((30, 45, 25), for_pdf)
        models = [
            f"<tr><td{wa[0]}>{_e(m['role'])}</td><td{wa[1]}><code>{_e(m['id'])}</code></td>"
            f"<td{wa[2]}>{_e(m['revision'] or 'hub (unpinned)')}</td></tr>"
            for m in meth["models"]
        ]
        h.append(
            Rows("<table>", f"<tr><th{wa[0]}>Role</th><th{wa[1]}>Model</th><th{wa[2]}>Revision</th></tr>", models, "</table>")
        )
    else:
        h.append("<p>No model identities were recorded.</p>")
    h.append("<h3>2.4 Verification rule and calibration</h3>")
    h.append(f"<p>{_e(meth['evidence_policy'])}</p>")
    items = [f"<li>Rule: {_e(r)}</li>" for r in meth["rules"]]
    items += [f"<li>Calibration: {_e(c)}</li>" for c in meth["calibrations"]]
    h.append(Rows("<ul>", "", items or ["<li>No claim has been verified yet.</li>"], "</ul>"))

    h.append("<h2>3 Results</h2>")
    h.append("<h3>3.1 Counts</h3>")
    rows = count_rows(counts, fmt_conf(res["mean_confidence"]), mark=lambda css, symbol: f'<span class="{css}">{symbol}</span>')
    h.append(
        "<table><tr><th>Measure</th><th>Count</th></tr>"
        + "".join(f'<tr><td>{k}</td><td class="num">{v}</td></tr>' for k, v in rows)
        + "</table>"
    )
    if res["by_kind"]:
        h.append(
            "<p>Claims by kind: "
            + _e(
                "; ".join(
                    f"{kind} {sum(v.values())} ({', '.join(f'{lab} {n}' for lab, n in sorted(v.items()))})"
                    for kind, v in res["by_kind"].items()
                )
            )
            + ".</p>"
        )
    h.append("<h3>3.2 Quality score</h3>")
    h.append("<p>Independent reviewers each score one aspect of the run from 0 to 10, from the run's records alone.</p>")
    w = cell_widths((15, 22, 7, 38, 18), for_pdf)
    h.append(
        f"<table><tr><th{w[0]}>Reviewer</th><th{w[1]}>Aspect</th><th"
        f"{w[2]}>Score</th><th{w[3]}>Formula</th><th{w[4]}>Based on</th></tr>"
        + "".join(
            f'<tr><td>{_e(r["name"])}</td><td>{_e(r["aspect"])}</td><td class="num">{_score(r["score"])}</td>'
            f"<td>{_e(r['formula'])}</td><td>{_e(r['detail'])}</td></tr>"
            for r in quality["reviews"]
        )
        + "</table>"
    )
    h.append(f"<p><b>Overall: {_score(quality['overall'])}/10</b>, {_e(quality['formula'])}.</p>")

    h.append("<h2>4 Limitations</h2>")
    h.append(Rows("<ul>", "", [f"<li>{_e(lim)}</li>" for lim in report["limitations"]] or ["<li>None recorded.</li>"], "</ul>"))

    h.append("<h2>5 Extracted Claims</h2>")
    if report["claims"]:
        h.append(
            '<p>Verdict: <span class="ok">✓</span> supported · <span class="bad">×</span> '
            'refuted · <span class="nee">?</span> not enough evidence. '
            "Confidence is the calibrated probability that the verdict is "
            "right. Evidence is the deciding passage from another paper "
            "(for ? the closest one), quoted in full or cut with […].</p>"
        )
        h.append(claims_table(report["claims"], for_pdf))
    else:
        h.append("<p>No claims were extracted.</p>")

    h.append("<h2>6 Re-measured numbers</h2>")
    if report["remeasured"]:
        w = cell_widths((8, 46, 46), for_pdf)
        remeasured = []
        for m in report["remeasured"]:
            res_text = m["summary"]
            remeasured.append(f"<tr><td>{_e(m['claim_id'])}</td><td>{_e(m['claim'])}</td><td>{_e(res_text)}</td></tr>")
        head = f"<tr><th{w[0]}>#</th><th{w[1]}>Claim</th><th{w[2]}>Re-measured</th></tr>"
        h.append(Rows("<table>", head, remeasured, "</table>"))
    note = report["remeasure_note"]
    h.append(f"<p>{_e(note[0].upper() + note[1:])}.</p>")

    h.append("<h2>References</h2>")
    refs = []
    for i, ref in enumerate(report["references"], 1):
        text = _e(reference_text(ref, link=False)).replace(f"*{_e(ref['title'])}*", f"<i>{_e(ref['title'])}</i>")
        if ref.get("url"):
            text += f' <a href="{escape(ref["url"])}">{_e(ref["url"])}</a>'
        refs.append(f'<p class="ref">[{i}] {text}</p>')
    h.append(Rows("<div>", "", refs or ["<p>No papers.</p>"], "</div>"))
    h.append("<p>BibTeX: references.bib.</p>")
    return h
