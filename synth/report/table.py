"""The claims table: one row per claim with its verdict, confidence, deciding evidence and source.

Rows are built from the run's stored records only (claims.jsonl, verdicts.jsonl, papers.jsonl), so
``synth table`` re-renders the table of any old run, offline, without loading a model.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from synth.core.errors import UsageError
from synth.core.names import surname
from synth.core.records import Evidence, Paper, Verdict
from synth.core.text import sanitize
from synth.report.data import CLAIMS, RunData
from synth.report.model import ClaimRow, EvidenceRef, SourceRef

SYMBOLS = {"supported": "✓", "refuted": "×", "not_enough_evidence": "?", None: "–"}
VERDICT_TEXT = {
    "supported": "supported",
    "refuted": "refuted",
    "not_enough_evidence": "not verified",
    None: "no verdict yet",
}


def verdict_text(label: str | None, leaning: str | None = None) -> str:
    """How a verdict is shown: "supported", "refuted", "not verified (leans supported)", "not verified", "no verdict yet"."""
    if label == "not_enough_evidence" and leaning:
        return f"not verified (leans {leaning})"
    return VERDICT_TEXT[label]


VERDICT_ALIASES = {
    "supported": "supported",
    "refuted": "refuted",
    "not_enough_evidence": "not_enough_evidence",
    "nee": "not_enough_evidence",
    "unresolved": "not_enough_evidence",
    "unverified": "unverified",
}
SORTS = ("relevance", "confidence", "verdict", "paper")
FORMATS = ("md", "csv", "latex", "json")
FIRST_PERSON = re.compile(r"\b(?:we|our|ours|us)\b", re.IGNORECASE)
QUOTE_LIMIT = 400  # characters of evidence quoted in tables; the cut is always marked "[…]"
_VERDICT_ORDER = {"supported": 0, "refuted": 1, "not_enough_evidence": 2, None: 3}


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` in full when short, else cut at a word boundary with an explicit " […]"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut} […]"


def short_cite(paper: Paper | None, fallback: str) -> str:
    """``Conneau et al. 2020`` from a Paper, or ``fallback`` (its id) when it has no authors."""
    if paper is None:
        return fallback
    names = [surname(a) for a in paper.authors if a.split()]
    year = f" {paper.year}" if paper.year else ""
    if not names:
        return f"{fallback}{year}" if not paper.title else f"{_short_title(paper.title)}{year}"
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}{year}"


def _short_title(title: str, words: int = 5) -> str:
    parts = title.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _evidence_ref(ev: Evidence, papers: dict[str, Paper], deciding: bool) -> EvidenceRef:
    paper = papers.get(ev.paper_id) if ev.paper_id else None
    return EvidenceRef(
        paper_id=ev.paper_id,
        cite=short_cite(paper, ev.paper_id or "given evidence"),
        page=ev.page,
        section=ev.section,
        text=ev.text,
        quote=quote(ev.text),
        deciding=deciding,
        probs=ev.probs,
        retrieval_score=ev.retrieval_score,
        role=ev.role,
    )


def shown_evidence(verdict: Verdict | None) -> tuple[Evidence | None, bool, Evidence | None, Evidence | None]:
    """(the passage shown first, whether it decided the verdict, the best supporting, the best contradicting).

    The first is the deciding passage, else the closest; runs verified before evidence had roles: their first passage
    decided a supported/refuted verdict. Supporting and contradicting are given only when both exist (then the reader
    sees the strongest passage each way, not only the one that won)."""
    if verdict is None or not verdict.evidence:
        return None, False, None, None
    first = verdict.evidence[0]
    deciding = first.role == "deciding" or ("role" not in first.model_fields_set and verdict.label in ("supported", "refuted"))
    pro = next((e for e in verdict.evidence if e.role == "supporting"), None)
    con = next((e for e in verdict.evidence if e.role == "contradicting"), None)
    if first.role == "deciding" and verdict.label == "supported":
        pro = pro or first
    if first.role == "deciding" and verdict.label == "refuted":
        con = con or first
    if pro is None or con is None:
        return first, deciding, None, None
    return first, deciding, pro, con


def claim_rows(data: RunData) -> list[ClaimRow]:
    """One row per claim, in the stored (relevance) order, with the synthesis stage's flags when it has run."""
    data.require(CLAIMS)
    verdicts = data.verdict_map()
    papers = {p.id: p for p in data.papers or []}
    relevance = {c.claim_id: c for c in data.synthesis.claims} if data.synthesis else {}
    rows = []
    for n, claim in enumerate(data.claims or [], start=1):
        verdict = verdicts.get(claim.id)
        src = claim.sources[0]
        src_paper = papers.get(src.paper_id)
        ev, deciding, pro, con = shown_evidence(verdict)
        label = verdict.label if verdict else None
        leaning = verdict.leaning if verdict and label == "not_enough_evidence" else None
        rel = relevance.get(claim.id)
        rows.append(
            ClaimRow(
                n=n,
                id=claim.id,
                claim=claim.text,
                kind=claim.kind,
                relevance=claim.relevance,
                verdict=label,
                symbol=SYMBOLS[label],
                verdict_text=verdict_text(label, leaning),
                # no passage was weighed (not checked, or nothing to check it against): a probability would be the
                # aggregator's prior for an empty evidence list, not a confidence in anything read
                confidence=verdict.confidence if verdict and verdict.evidence else None,
                raw_score=verdict.raw_score if verdict else None,
                n_evidence=len(verdict.evidence) if verdict else 0,
                stated_by=verdict.stated_by if verdict else len({s.paper_id for s in claim.sources}),
                source=SourceRef(
                    paper_id=src.paper_id,
                    cite=short_cite(src_paper, src.paper_id),
                    title=src_paper.title if src_paper else None,
                    page=src.page,
                    section=src.section,
                    also=[s.paper_id for s in claim.sources[1:]],
                    also_cited=[
                        f"{cite_id(short_cite(papers.get(s.paper_id), s.paper_id), s.paper_id)}, p. {s.page}"
                        for s in claim.sources[1:]
                    ],
                ),
                evidence=None if ev is None else _evidence_ref(ev, papers, deciding),
                numbers=claim.numbers,
                leaning=leaning,
                reason=verdict.reason if verdict else None,
                probs=dict(verdict.probs) if verdict else {},
                supporting=None if pro is None else _evidence_ref(pro, papers, pro is ev and deciding),
                contradicting=None if con is None else _evidence_ref(con, papers, con is ev and deciding),
                finding=rel.finding if rel else (False if data.synthesis else None),
                question_similarity=rel.score if rel else None,
                finding_rank=rel.rank if rel else None,
                quoted=FIRST_PERSON.search(claim.text) is not None,
            )
        )
    return rows


def filter_rows(
    rows: list[ClaimRow],
    *,
    min_confidence: float | None = None,
    verdicts: list[str] | None = None,
    kinds: list[str] | None = None,
    sort: str = "relevance",
) -> list[ClaimRow]:
    """Apply the ``synth table`` filters; unknown verdicts, kinds or sorts raise :class:`UsageError`."""
    if sort not in SORTS:
        raise UsageError(f"unknown sort '{sort}'", hint=f"Use one of: {', '.join(SORTS)}.")
    wanted: set[str | None] = set()
    for v in verdicts or []:
        key = VERDICT_ALIASES.get(v.strip().lower().replace(" ", "_").replace("-", "_"))
        if key is None:
            raise UsageError(
                f"unknown verdict '{v}'", hint="Use supported, refuted, not_enough_evidence (or unresolved) or unverified."
            )
        wanted.add(None if key == "unverified" else key)
    from synth.core.records import ClaimKind

    known_kinds = set(ClaimKind.__args__)  # type: ignore[attr-defined]
    for k in kinds or []:
        if k not in known_kinds:
            raise UsageError(f"unknown claim kind '{k}'", hint=f"Use one of: {', '.join(sorted(known_kinds))}.")
    out = [
        r
        for r in rows
        if (min_confidence is None or (r.confidence is not None and r.confidence >= min_confidence))
        and (not wanted or r.verdict in wanted)
        and (not kinds or r.kind in kinds)
    ]
    keys: dict[str, Callable[[ClaimRow], tuple[Any, ...]]] = {
        "relevance": lambda r: (-r.relevance, r.n),
        "confidence": lambda r: (-(r.confidence if r.confidence is not None else -1.0), r.n),
        "verdict": lambda r: (_VERDICT_ORDER[r.verdict], -(r.confidence or 0.0), r.n),
        "paper": lambda r: (r.source.paper_id, r.source.page, r.n),
    }
    return sorted(out, key=keys[sort])


# -- formats ------------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def fmt_conf(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def cite_id(cite: str, paper_id: str) -> str:
    """``Cite (id)``; a local file's hash id is left out when the cite names the paper (it means nothing to a reader
    and is in the references, CSV and JSON)."""
    if paper_id.startswith("local:") and cite != paper_id:
        return cite
    return f"{cite} ({paper_id})"


def _passage(ev: EvidenceRef, lead: str) -> str:
    where = f"{cite_id(ev.cite, ev.paper_id)}, p. {ev.page}" if ev.paper_id else ev.cite
    return f"{lead}{where}: “{ev.quote}”"


def evidence_cell(row: ClaimRow) -> str:
    """The deciding passage (else the closest); where both exist, the strongest supporting and contradicting ones."""
    ev = row.evidence
    if ev is None:
        if row.verdict is None:
            return "no verdict yet"
        return f"not checked: {row.reason}" if row.reason else "no passage retrieved"
    if row.supporting is not None and row.contradicting is not None:
        pro, con = row.supporting, row.contradicting
        tag = {True: " (decided)", False: ""}
        return _passage(pro, f"supporting{tag[pro.deciding]}: ") + " · " + _passage(con, f"contradicting{tag[con.deciding]}: ")
    return _passage(ev, "" if ev.deciding else "closest passage: ")


def source_cell(row: ClaimRow) -> str:
    src = row.source
    others = src.also_cited or src.also  # a report written before citations were recorded names the ids
    also = f"; also {', '.join(others)}" if others else ""
    return f"{cite_id(src.cite, src.paper_id)}, p. {src.page}{also}"


def to_markdown(rows: list[ClaimRow]) -> str:
    lines = [
        "| # | Claim | Kind | Verdict | Confidence | Evidence (paper, page, passage) | Source (paper, page) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.id} | {_cell(r.shown)} | {r.kind} | {r.symbol} {r.verdict_text} | {fmt_conf(r.confidence)} "
            f"| {_cell(evidence_cell(r))} | {_cell(source_cell(r))} |"
        )
    return "\n".join(lines) + "\n"


CSV_COLUMNS = [
    "id",
    "claim",
    "kind",
    "verdict",
    "label",
    "leaning",
    "reason",
    "finding",
    "question_similarity",
    "confidence",
    "raw_score",
    "relevance",
    "source_paper",
    "source_title",
    "source_page",
    "source_section",
    "evidence_paper",
    "evidence_page",
    "evidence_section",
    "evidence_text",
    "p_entailment",
    "p_neutral",
    "p_contradiction",
    "n_evidence",
    "stated_by",
    "p_supported",
    "p_refuted",
    "p_not_enough_evidence",
    "supporting_paper",
    "supporting_text",
    "contradicting_paper",
    "contradicting_text",
]


def to_csv(rows: list[ClaimRow]) -> str:
    """claims.csv: one row per claim (no control characters, so a spreadsheet or a terminal shows what it says)."""
    return sanitize(_csv(rows))


def _csv(rows: list[ClaimRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        ev = r.evidence
        probs = ev.probs if ev else {}
        w.writerow(
            [
                r.id,
                r.claim,
                r.kind,
                r.verdict_text,
                r.verdict or "",
                r.leaning or "",
                r.reason or "",
                "" if r.finding is None else ("yes" if r.finding else "no"),
                _num(r.question_similarity),
                _num(r.confidence),
                _num(r.raw_score),
                _num(r.relevance),
                r.source.paper_id,
                r.source.title or "",
                r.source.page,
                r.source.section,
                ev.paper_id if ev else "",
                ev.page if ev else "",
                ev.section if ev else "",
                ev.text if ev else "",
                _num(probs.get("entailment")),
                _num(probs.get("neutral")),
                _num(probs.get("contradiction")),
                r.n_evidence,
                r.stated_by,
                _num(r.probs.get("supported")),
                _num(r.probs.get("refuted")),
                _num(r.probs.get("not_enough_evidence")),
                r.supporting.paper_id if r.supporting else "",
                r.supporting.text if r.supporting else "",
                r.contradicting.paper_id if r.contradicting else "",
                r.contradicting.text if r.contradicting else "",
            ]
        )
    return buf.getvalue()


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}".rstrip("0").rstrip(".") if x != 0 else "0"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "“": "``",
    "”": "''",
    "…": r"\ldots{}",
    "×": r"$\times$",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "–": "--",
    "—": "---",
}
_LATEX_VERDICT = {"supported": r"\checkmark", "refuted": r"$\times$", "not_enough_evidence": "?", None: "--"}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in " ".join(str(text).split()))


def to_latex(rows: list[ClaimRow]) -> str:
    """A ``longtable`` (needs ``\\usepackage{longtable,amssymb}``); every claim in full, evidence quoted."""
    out = [
        "% \\usepackage{longtable,amssymb}",
        r"\begin{longtable}{@{}p{0.04\linewidth}p{0.30\linewidth}p{0.08\linewidth}p{0.06\linewidth}p{0.32\linewidth}p{0.12\linewidth}@{}}",
        r"\# & Claim & Verdict & Conf. & Evidence (paper, page, passage) & Source \\ \hline \endhead",
    ]
    for r in rows:
        out.append(
            " & ".join(
                [
                    latex_escape(r.id),
                    latex_escape(r.shown),
                    f"{_LATEX_VERDICT[r.verdict]} {latex_escape(r.verdict_text)}",
                    fmt_conf(r.confidence).replace("–", "--"),
                    latex_escape(evidence_cell(r)),
                    latex_escape(source_cell(r)),
                ]
            )
            + r" \\"
        )
    out.append(r"\end{longtable}")
    return "\n".join(out) + "\n"


def to_json(rows: list[ClaimRow]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in rows], indent=2, ensure_ascii=False) + "\n"


def render_table(rows: list[ClaimRow], fmt: str) -> str:
    """Render rows as ``md``, ``csv``, ``latex`` or ``json``."""
    renderers = {"md": to_markdown, "csv": to_csv, "latex": to_latex, "json": to_json}
    if fmt not in renderers:
        raise UsageError(f"unknown table format '{fmt}'", hint=f"Use one of: {', '.join(FORMATS)}.")
    return sanitize(renderers[fmt](rows))  # claims and passages come from PDFs: nothing raw reaches a terminal
