"""report.md: the report as a short paper in Markdown, one block per section in the report's order."""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatch

from synth.core.text import sanitize
from synth.report.model import (
    Abstract,
    Answer,
    AnswerLine,
    ClaimCounts,
    Claims,
    Introduction,
    KindTally,
    Limitations,
    Methodology,
    PaperCounts,
    PaperScore,
    Quality,
    Reference,
    References,
    Remeasured,
    Report,
    Results,
    Section,
)
from synth.report.table import fmt_conf, to_markdown


def count_rows(
    papers: PaperCounts,
    claims: ClaimCounts,
    mean_confidence: str,
    mark: Callable[[str, str], str] = lambda css, symbol: symbol,
    relevant: int | None = None,
) -> list[tuple[str, int | str]]:
    """The Results counts table, shared by the Markdown and HTML renderers; ``mark`` styles the verdict symbols."""
    rows: list[tuple[str, int | str]] = [
        ("Papers found", papers.found),
        ("Papers kept", papers.kept),
        ("Papers parsed", papers.parsed),
        ("Papers failed", papers.failed),
    ]
    if relevant is not None:
        rows.append(("Papers that bear on the question", relevant))
    rows.append(("Claims extracted", claims.claims))
    if claims.findings is not None:
        rows.append(("Claims presented as findings", claims.findings))
    of = " (of the findings)" if claims.findings is not None else ""
    neither = claims.unresolved - claims.leans_supported - claims.leans_refuted
    rows += [
        (f"{mark('ok', '✓')} Verified: supported{of}", claims.supported),
        (f"{mark('bad', '×')} Verified: refuted{of}", claims.refuted),
        (f"{mark('nee', '?')} Not verified, leaning supported", claims.leans_supported),
        (f"{mark('nee', '?')} Not verified, leaning refuted", claims.leans_refuted),
        (f"{mark('nee', '?')} Not verified, leaning neither way", neither),
        ("No verdict yet", claims.unverified),
        ("Mean confidence of the verified findings", mean_confidence),
    ]
    return rows


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


def paper_label(p: PaperScore) -> str:
    return f"[{p.reference}] {p.cite}" if p.reference is not None else p.cite


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def score_text(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def overall_text(quality: Quality, bold: Callable[[str], str] = lambda t: f"**{t}**") -> str:
    """ "**Overall: 3.0/10** (capped: …), overall = …" for the Results section."""
    capped = (
        f" (capped at {quality.cap:g}: {quality.cap_reason}; {score_text(quality.uncapped)} before the cap)"
        if quality.cap is not None and quality.uncapped is not None and quality.uncapped > quality.cap
        else ""
    )
    return f"{bold(f'Overall: {score_text(quality.overall)}/10')}{capped}, {quality.formula}"


def relevant_count(report: Report) -> int | None:
    """Papers that bear on the question, from the methodology's scores (None before the synthesis stage)."""
    scores = report.section(Methodology).paper_scores
    return sum(p.relevant for p in scores) if scores else None


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
    abstract = report.section(Abstract)
    if abstract.headline:
        out += [f"**{abstract.headline}{'' if abstract.headline.endswith(('?”', '!”', '.”')) else '.'}**", ""]
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


def refs_text(numbers: list[int], link: Callable[[int], str] = lambda n: str(n)) -> str:
    """``[1, 4]``: numbered citations into the reference list (``link`` renders one number)."""
    return "[" + ", ".join(link(n) for n in numbers) + "]" if numbers else ""


def _status_text(line: AnswerLine, link: Callable[[int], str]) -> str:
    """The mark after a finding's claim id (ASCII and symbols only: safe to put into HTML unescaped)."""
    by = f" by {refs_text(line.decided_by, link)}" if line.decided_by else ""
    if line.status == "supported":
        return f"✓ verified: supported{by}"
    if line.status == "refuted":
        return f"× refuted{by}: the papers disagree"
    if line.status == "not_verified":
        return "? not verified" + (f", leans {line.leaning}" if line.leaning else "")
    return ""


def answer_sentence(
    line: AnswerLine,
    link: Callable[[int], str] = str,
    claim: Callable[[str], str] = lambda c: c,
    esc: Callable[[str], str] = lambda t: t,
) -> str:
    """One answer sentence with its citations and marks: "Text [2] (C004; ✓ verified: supported by [5])." — ``link`` and
    ``claim`` render a reference number and a claim id, ``esc`` the sentence's own words (links and escaping in HTML)."""
    cited = [n for n in line.references if n not in line.decided_by] or line.references
    refs = refs_text(cited, link)
    ids = ", ".join(claim(c) for c in line.claims)
    status = _status_text(line, link)
    tail = f" ({ids}; {status})" if ids and status else (f" ({ids})" if ids else "")
    if line.quoted_from:
        return f"{esc(line.quoted_from)} {refs} write: “{esc(line.text)}”{tail}"
    body = line.text.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    body = esc(body[:-1] if body and body[-1] in ".!?" else body)
    if line.status == "more":
        return f"{esc(line.text.split(': ')[0])} {refs}: {', '.join(claim(c) for c in line.claims)}{end}"
    if line.status in ("disagreement", "mentioned"):
        return f"{body} {refs}{end}" if refs else f"{body}{end}"
    return f"{body} {refs}{tail}{end}"


def coverage_cells(report: Report, link: Callable[[int], str] = lambda n: str(n)) -> list[tuple[str, str, str, str]]:
    """(facet, addressed, papers as citations, findings) per facet, for the coverage table."""
    return [
        (
            f"{r.facet_id} {r.facet}",
            "yes" if r.addressed else "no",
            refs_text(r.references, link) or "–",
            ", ".join(r.claims) or "–",
        )
        for r in report.coverage
    ]


@_body.register
def _(section: Answer, report: Report) -> list[str]:
    out = [section.lead, ""]
    for part in report.answer:
        text = " ".join(answer_sentence(s) for s in part.sentences)
        out += [f"**{part.facet_id} {part.facet}.** {text}", ""]
    if section.unaddressed:
        out += [f"**Not addressed by any paper:** {'; '.join(section.unaddressed)}.", ""]
    if report.coverage:
        out += ["| Part of the question | Addressed | Papers | Findings |", "|---|---|---|---|"]
        out += [f"| {_cell(a)} | {b} | {c} | {d} |" for a, b, c, d in coverage_cells(report)]
        out += [""]
    if section.key:
        out += [section.key, ""]
    return out


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
        f"### {section.subheading('Relevance and facets')}",
        "",
        *[f"- {line}" for line in section.relevance],
        "",
    ]
    if section.paper_scores:
        out += ["| Paper | Similarity to the question | Bears on it | Facets addressed |", "|---|---|---|---|"]
        out += [
            f"| {_cell(paper_label(p))} | {p.score:.2f} | {'yes' if p.relevant else 'no'} | {', '.join(p.facets) or '–'} |"
            for p in section.paper_scores
        ]
        out += [""]
    out += [f"### {section.subheading('Models')}", ""]
    if section.models:
        out += ["| Role | Model | Revision |", "|---|---|---|"]
        out += [f"| {m.role} | `{m.id}` | {m.revision or 'hub (unpinned)'} |" for m in section.models]
    else:
        out += ["No model identities were recorded."]
    out += ["", f"### {section.subheading('Verification rule and calibration')}", "", section.evidence_policy, ""]
    out += [f"- {line}" for line in section.decision]
    out += [f"- Rule: {rule}" for rule in section.rules]
    out += [f"- Calibration: {cal}" for cal in section.calibrations]
    if not section.rules:
        out += ["- No claim has been verified yet."]
    return [*out, ""]


@_body.register
def _(section: Results, report: Report) -> list[str]:
    out = [f"### {section.subheading('Counts')}", "", "| Measure | Count |", "|---|---|"]
    out += [
        f"| {k} | {v} |"
        for k, v in count_rows(section.papers, section.claims, fmt_conf(section.mean_confidence), relevant=relevant_count(report))
    ]
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
    return [*out, "", overall_text(quality) + ".", ""]


@_body.register
def _(section: Limitations, report: Report) -> list[str]:
    return [*([f"- {lim}" for lim in section.items] or ["- None recorded."]), ""]


CLAIMS_KEY = (
    "Verdict: ✓ supported · × refuted (both at the verifier's operating point) · ? not verified, with the way the "
    "evidence leaned. Confidence is the calibrated probability of the verdict shown; for a claim not verified, of the way "
    "it leans. Evidence is the passage from another paper that decided the verdict (for ? the closest one; where passages "
    "point both ways, the strongest supporting and contradicting ones), quoted in full or cut with […]."
)


@_body.register
def _(section: Claims, report: Report) -> list[str]:
    shown = section.shown()
    if not section.rows:
        return ["No claims were extracted.", ""]
    note = [section.note, ""] if section.note else []
    if not shown:
        return note
    return [*note, CLAIMS_KEY, "", to_markdown(shown).rstrip("\n"), ""]


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
