"""report.md: the report as a short paper in Markdown (Abstract, 1–6, References)."""

from __future__ import annotations

from typing import Any

from synth.report.table import fmt_conf, to_markdown


def count_rows(counts: dict[str, Any], mean_confidence: str, mark: Any = lambda css, symbol: symbol) -> list[tuple[str, Any]]:
    """The Results counts table, shared by the Markdown and HTML renderers; ``mark`` styles the verdict symbols."""
    return [
        ("Papers found", counts["papers_found"]),
        ("Papers kept", counts["papers_kept"]),
        ("Papers parsed", counts["papers_parsed"]),
        ("Papers failed", counts["papers_failed"]),
        ("Claims extracted", counts["claims"]),
        (f"{mark('ok', '✓')} Verified (supported)", counts["supported"]),
        (f"{mark('bad', '×')} Refuted", counts["refuted"]),
        (f"{mark('nee', '?')} Unresolved (not enough evidence)", counts["unresolved"]),
        ("Not yet verified", counts["unverified"]),
        ("Mean confidence", mean_confidence),
    ]


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _score(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def render_markdown(report: dict[str, Any]) -> str:
    """The Markdown report; its structure is pinned by tests/golden/report.md."""
    run, meth, res = report["run"], report["methodology"], report["results"]
    counts, quality = res["counts"], res["quality"]
    out: list[str] = [f"# {report['title']}", "", f"*{report['subtitle']}*", ""]
    stamp = [f"run `{run['id']}`"]
    if run.get("date"):
        stamp.append(run["date"])
    if run.get("synth_version"):
        stamp.append(f"synth {run['synth_version']}" + (f" ({run['git_sha']})" if run.get("git_sha") else ""))
    out += [" · ".join(stamp), ""]
    if quality["overall"] is not None:
        out += [f"**Quality score: {quality['overall']:.1f}/10** (Section 3.2)", ""]
    out += ["## Abstract", "", report["abstract"], ""]

    out += ["## 1 Introduction", ""]
    for para in report["introduction"]:
        out += [para, ""]
    out += [f"**Research question.** {report['question']}", ""]

    out += ["## 2 Methodology", "", "### 2.1 Sources and queries", ""]
    out += [f"- Source: {s}" for s in meth["sources"]]
    if meth["queries"]:
        out += ["- Exact queries searched:"]
        out += [f"  {i}. `{q['query']}`" + (f" ({q['note']})" if q["note"] else "") for i, q in enumerate(meth["queries"], 1)]
    out += [f"- {s}" for s in meth["search_settings"]]
    p = meth["papers"]
    out += [
        "",
        f"Papers found: {p['papers_found']} · kept: {p['papers_kept']} · parsed: {p['papers_parsed']} "
        f"({p['pages_read']} pages) · failed: {p['papers_failed']}{' (named in Section 4)' if p['papers_failed'] else ''}.",
        "",
        "### 2.2 Claim extraction",
        "",
        "Every sentence of every parsed paper was a candidate; checkable claims (findings, numeric and comparative results, "
        "limitations) were kept, rewritten to stand alone, ranked by relevance to the question and merged when near-duplicate."
        + (f" Extractor: {', '.join(meth['extractors'])}." if meth["extractors"] else ""),
        "",
        "### 2.3 Models",
        "",
    ]
    if meth["models"]:
        out += ["| Role | Model | Revision |", "|---|---|---|"]
        out += [f"| {m['role']} | `{m['id']}` | {m['revision'] or 'hub (unpinned)'} |" for m in meth["models"]]
    else:
        out += ["No model identities were recorded."]
    out += ["", "### 2.4 Verification rule and calibration", "", meth["evidence_policy"], ""]
    for rule in meth["rules"]:
        out += [f"- Rule: {rule}"]
    for cal in meth["calibrations"]:
        out += [f"- Calibration: {cal}"]
    if not meth["rules"]:
        out += ["- No claim has been verified yet."]
    out += [""]

    out += ["## 3 Results", "", "### 3.1 Counts", "", "| Measure | Count |", "|---|---|"]
    rows = count_rows(counts, fmt_conf(res["mean_confidence"]))
    out += [f"| {k} | {v} |" for k, v in rows]
    if res["by_kind"]:
        out += [
            "",
            "Claims by kind: "
            + "; ".join(
                f"{kind} {sum(v.values())} ({', '.join(f'{lab} {n}' for lab, n in sorted(v.items()))})"
                for kind, v in res["by_kind"].items()
            )
            + ".",
        ]
    out += [
        "",
        "### 3.2 Quality score",
        "",
        "Independent reviewers each score one aspect of the run from 0 to 10, from the run's records alone.",
        "",
        "| Reviewer | Aspect | Score | Formula | Based on |",
        "|---|---|---|---|---|",
    ]
    for r in quality["reviews"]:
        out.append(
            f"| {r['name']} | {_cell(r['aspect'])} | {_score(r['score'])} | {_cell(r['formula'])} | {_cell(r['detail'])} |"
        )
    out += ["", f"**Overall: {_score(quality['overall'])}/10**, {quality['formula']}.", ""]

    out += ["## 4 Limitations", ""]
    out += [f"- {lim}" for lim in report["limitations"]] or ["- None recorded."]
    out += [""]

    out += ["## 5 Extracted Claims", ""]
    if report["claims"]:
        out += [
            "Verdict: ✓ supported · × refuted · ? not enough evidence. Confidence "
            "is the calibrated probability that the verdict is right. "
            "Evidence is the deciding passage from another paper (for ? the closest one), quoted in full or cut with […].",
            "",
            to_markdown(report["claims"]).rstrip("\n"),
        ]
    else:
        out += ["No claims were extracted."]
    out += [""]

    out += ["## 6 Re-measured numbers", ""]
    if report["remeasured"]:
        out += ["| # | Claim | Re-measured |", "|---|---|---|"]
        for m in report["remeasured"]:
            res_text = m["summary"]
            out.append(f"| {m['claim_id']} | {_cell(m['claim'])} | {_cell(res_text)} |")
        out += [""]
    out += [f"{report['remeasure_note'][0].upper()}{report['remeasure_note'][1:]}.", ""]

    out += ["## References", ""]
    for i, ref in enumerate(report["references"], 1):
        out.append(f"{i}. {reference_text(ref)}")
    if not report["references"]:
        out.append("No papers.")
    out += ["", "BibTeX: `references.bib`.", ""]
    return "\n".join(out)


def reference_text(ref: dict[str, Any], link: bool = True) -> str:
    """``Authors (year). Title. Venue. arXiv:id <url>`` in plain text (Markdown link when ``link``)."""
    authors = ref["authors"]
    who = ", ".join(authors[:6]) + (", et al." if len(authors) > 6 else "") if authors else "Unknown authors"
    parts = [f"{who} ({ref['year'] or 'n.d.'}). *{ref['title']}*."]
    if ref.get("venue"):
        parts.append(f"{ref['venue']}.")
    if ref.get("arxiv"):
        parts.append(f"arXiv:{ref['arxiv']}" + (f" <{ref['url']}>" if link and ref.get("url") else "") + ".")
    elif ref.get("url"):
        parts.append(f"<{ref['url']}>." if link else f"{ref['url']}.")
    if ref.get("doi"):
        parts.append(f"doi:{ref['doi']}.")
    parts.append(f"[{ref['key']}]")
    return " ".join(parts)
