"""report.md: the report as a short paper in Markdown, one block per section in the report's order."""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatch

from synth.core.text import sanitize
from synth.report.model import (
    Abstract,
    ClaimCounts,
    Claims,
    Introduction,
    KindTally,
    Limitations,
    Methodology,
    PaperCounts,
    Reference,
    References,
    Remeasured,
    Report,
    Results,
    Section,
)
from synth.report.table import fmt_conf, to_markdown


def count_rows(
    papers: PaperCounts, claims: ClaimCounts, mean_confidence: str, mark: Callable[[str, str], str] = lambda css, symbol: symbol
) -> list[tuple[str, int | str]]:
    """The Results counts table, shared by the Markdown and HTML renderers; ``mark`` styles the verdict symbols."""
    return [
        ("Papers found", papers.found),
        ("Papers kept", papers.kept),
        ("Papers parsed", papers.parsed),
        ("Papers failed", papers.failed),
        ("Claims extracted", claims.claims),
        (f"{mark('ok', '✓')} Verified (supported)", claims.supported),
        (f"{mark('bad', '×')} Refuted", claims.refuted),
        (f"{mark('nee', '?')} Unresolved (not enough evidence)", claims.unresolved),
        ("Not yet verified", claims.unverified),
        ("Mean confidence", mean_confidence),
    ]


def kinds_text(by_kind: list[KindTally]) -> str:
    """``finding 2 (supported 1, unverified 1); …``: the verdicts of each kind of claim."""
    return "; ".join(
        f"{t.kind} {sum(t.verdicts.values())} ({', '.join(f'{lab} {n}' for lab, n in sorted(t.verdicts.items()))})"
        for t in by_kind
    )


def papers_text(papers: PaperCounts, failures_at: str) -> str:
    """The methodology's one line of paper counts; ``failures_at`` names the section that lists the failures."""
    return (
        f"Papers found: {papers.found} · kept: {papers.kept} · parsed: {papers.parsed} "
        f"({papers.pages_read} pages) · failed: {papers.failed}{f' (named in {failures_at})' if papers.failed else ''}."
    )


EXTRACTION = (
    "Every sentence of every parsed paper was a candidate; checkable claims (findings, numeric and comparative results, "
    "limitations) were kept, rewritten to stand alone, ranked by relevance to the question and merged when near-duplicate."
)
REVIEWERS = "Independent reviewers each score one aspect of the run from 0 to 10, from the run's records alone."


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def score_text(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def sentence(note: str) -> str:
    """A lower-case note as a sentence of its own."""
    return f"{note[0].upper()}{note[1:]}."


def render_markdown(report: Report) -> str:
    """The Markdown report; its structure is pinned by tests/golden/report.md."""
    run = report.run
    results = report.section(Results)
    out: list[str] = [f"# {report.title}", "", f"*{report.subtitle}*", ""]
    stamp = [f"run `{run.id}`"]
    if run.date:
        stamp.append(run.date)
    if run.synth_version:
        stamp.append(f"synth {run.synth_version}" + (f" ({run.git_sha})" if run.git_sha else ""))
    out += [" · ".join(stamp), ""]
    if results.quality.overall is not None:
        out += [f"**Quality score: {results.quality.overall:.1f}/10** ({results.ref('Quality score')})", ""]
    for section in report.sections:
        out += [f"## {section.heading}", "", *_body(section, report)]
    return sanitize("\n".join(out))  # no control character or terminal escape from a PDF or a question gets through


@singledispatch
def _body(section: Section, report: Report) -> list[str]:
    """A section's lines after its heading, each block followed by a blank line."""
    raise TypeError(f"no Markdown for a {type(section).__name__} section")


@_body.register
def _(section: Abstract, report: Report) -> list[str]:
    return [section.text, ""]


@_body.register
def _(section: Introduction, report: Report) -> list[str]:
    out: list[str] = []
    for para in section.paragraphs:
        out += [para, ""]
    return [*out, f"**Research question.** {section.question}", ""]


@_body.register
def _(section: Methodology, report: Report) -> list[str]:
    out = [f"### {section.subheading('Sources and queries')}", ""]
    out += [f"- Source: {s}" for s in section.sources]
    if section.queries:
        out += ["- Exact queries searched:"]
        out += [f"  {i}. `{q.query}`" + (f" ({q.note})" if q.note else "") for i, q in enumerate(section.queries, 1)]
    out += [f"- {s}" for s in section.search_settings]
    out += [
        "",
        papers_text(section.papers, report.section(Limitations).ref()),
        "",
        f"### {section.subheading('Claim extraction')}",
        "",
        EXTRACTION + (f" Extractor: {', '.join(section.extractors)}." if section.extractors else ""),
        "",
        f"### {section.subheading('Models')}",
        "",
    ]
    if section.models:
        out += ["| Role | Model | Revision |", "|---|---|---|"]
        out += [f"| {m.role} | `{m.id}` | {m.revision or 'hub (unpinned)'} |" for m in section.models]
    else:
        out += ["No model identities were recorded."]
    out += ["", f"### {section.subheading('Verification rule and calibration')}", "", section.evidence_policy, ""]
    out += [f"- Rule: {rule}" for rule in section.rules]
    out += [f"- Calibration: {cal}" for cal in section.calibrations]
    if not section.rules:
        out += ["- No claim has been verified yet."]
    return [*out, ""]


@_body.register
def _(section: Results, report: Report) -> list[str]:
    out = [f"### {section.subheading('Counts')}", "", "| Measure | Count |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in count_rows(section.papers, section.claims, fmt_conf(section.mean_confidence))]
    if section.by_kind:
        out += ["", f"Claims by kind: {kinds_text(section.by_kind)}."]
    quality = section.quality
    out += [
        "",
        f"### {section.subheading('Quality score')}",
        "",
        REVIEWERS,
        "",
        "| Reviewer | Aspect | Score | Formula | Based on |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {r.name} | {_cell(r.aspect)} | {score_text(r.score)} | {_cell(r.formula)} | {_cell(r.detail)} |"
        for r in quality.reviews
    ]
    return [*out, "", f"**Overall: {score_text(quality.overall)}/10**, {quality.formula}.", ""]


@_body.register
def _(section: Limitations, report: Report) -> list[str]:
    return [*([f"- {lim}" for lim in section.items] or ["- None recorded."]), ""]


CLAIMS_KEY = (
    "Confidence is the calibrated probability that the verdict is right. Evidence is the deciding passage from another "
    "paper (for ? the closest one), quoted in full or cut with […]."
)


@_body.register
def _(section: Claims, report: Report) -> list[str]:
    if not section.rows:
        return ["No claims were extracted.", ""]
    return [
        f"Verdict: ✓ supported · × refuted · ? not enough evidence. {CLAIMS_KEY}",
        "",
        to_markdown(section.rows).rstrip("\n"),
        "",
    ]


@_body.register
def _(section: Remeasured, report: Report) -> list[str]:
    out: list[str] = []
    if section.rows:
        out += ["| # | Claim | Re-measured |", "|---|---|---|"]
        out += [f"| {m.claim_id} | {_cell(m.claim)} | {_cell(m.summary)} |" for m in section.rows]
        out += [""]
    return [*out, sentence(section.note), ""]


@_body.register
def _(section: References, report: Report) -> list[str]:
    out = [f"{i}. {reference_text(ref)}" for i, ref in enumerate(section.references, 1)]
    return [*(out or ["No papers."]), "", "BibTeX: `references.bib`.", ""]


def reference_text(ref: Reference, link: bool = True) -> str:
    """``Authors (year). Title. Venue. arXiv:id <url>`` in plain text (Markdown link when ``link``)."""
    authors = ref.authors
    who = ", ".join(authors[:6]) + (", et al." if len(authors) > 6 else "") if authors else "Unknown authors"
    parts = [f"{who} ({ref.year or 'n.d.'}). *{ref.title}*."]
    if ref.venue:
        parts.append(f"{ref.venue}.")
    if ref.arxiv:
        parts.append(f"arXiv:{ref.arxiv}" + (f" <{ref.url}>" if link and ref.url else "") + ".")
    elif ref.url:
        parts.append(f"<{ref.url}>." if link else f"{ref.url}.")
    if ref.doi:
        parts.append(f"doi:{ref.doi}.")
    parts.append(f"[{ref.key}]")
    return " ".join(parts)
