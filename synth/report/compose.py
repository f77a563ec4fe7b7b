"""The report composed from one run's records: every number, sentence and list the renderers show.

Nothing is written by hand for a run: the abstract's numbers, the methodology's sources, queries and models, the
limitations (from what actually failed or stayed weak), the claims and the references all come from its records.
The date is the run's creation date, so rendering the same run twice gives the same bytes. Sentences that point at
a section ("Section 3.2") take its number from :data:`OUTLINE`, the order the sections are built in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from synth.core.arxiv_ids import is_arxiv_id
from synth.core.records import ArxivSearch, Paper, SearchPlan
from synth.report.bibtex import cite_keys
from synth.report.data import RunData
from synth.report.model import (
    Abstract,
    AnySection,
    ClaimCounts,
    ClaimRow,
    Claims,
    Introduction,
    KindTally,
    Limitations,
    Methodology,
    ModelUsed,
    Outline,
    PaperCounts,
    Quality,
    QueryLine,
    Reference,
    References,
    Remeasured,
    Remeasurement,
    Report,
    Results,
    RunInfo,
    Section,
)
from synth.report.quality import CONFIDENT, assess
from synth.report.table import claim_rows, short_cite

Remeasure = Callable[[str, Any], "dict[str, Any] | None"]


def arxiv_url(paper: Paper) -> str | None:
    if is_arxiv_id(paper.id):
        return f"https://arxiv.org/abs/{paper.id}"
    return paper.url


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _found_count(data: RunData) -> int:
    """Candidates the search saw: the plan's own count, or kept plus search failures where that is more."""
    kept = len(data.papers or [])
    search_failed = sum(1 for f in data.failures if f.stage == "search")
    return max(kept + search_failed, data.plan.candidates if data.plan else 0)


def _search_lines(plan: SearchPlan | None) -> tuple[list[str], list[QueryLine], list[str]]:
    """(sources, exact queries with what each returned, the rest of the search plan), as the report states them."""
    if plan is None:
        return ["The search plan was not recorded."], [], []
    if plan.source == "local":
        sources = [f"A local folder of PDFs, {plan.location} ({_plural(plan.candidates, 'PDF file')})."]
    else:
        sources = [f"arXiv, through its public API ({plan.location})."]
    if plan.summary:
        sources.append(plan.summary)
    queries = [
        QueryLine(query=q.query, note=f"{q.name}: {q.why}; {q.total_results} matches, {q.returned} read; pages {q.pages}")
        for q in plan.queries
    ]
    return sources, queries, _arxiv_lines(plan, plan.arxiv) if plan.arxiv else []


def _arxiv_lines(plan: SearchPlan, a: ArxivSearch) -> list[str]:
    """An arXiv search's filters, limits and request counts, under the names plan.json gives them."""
    values: list[tuple[str, object]] = [
        ("since", a.since),
        ("until", a.until),
        ("max_papers", a.max_papers),
        ("candidates_per_query", a.candidates_per_query),
        ("ranked_by", a.ranked_by),
        ("candidates", plan.candidates),
        ("filtered_out", a.filtered_out),
        ("kept", plan.kept),
        ("downloaded", a.downloaded),
        ("from_cache", a.from_cache),
        ("failed", a.failed),
        ("requests", a.requests),
        ("retries", a.retries),
        ("waited_s", a.waited_s),
        ("http_s", a.http_s),
        ("elapsed_s", a.elapsed_s),
        ("note", a.note),
    ]
    record = [f"{k} {v}" for k, v in values if v is not None and v != ""]
    lists = [("id_list", a.id_list), ("categories", a.categories), ("filter_clauses", a.filter_clauses)]
    return [f"Search record: {' · '.join(record)}."] + [f"{k}: {', '.join(v)}" for k, v in lists if v]


def _models(data: RunData) -> list[ModelUsed]:
    out: list[ModelUsed] = []
    for role, key in (data.manifest.get("models") or {}).items():
        name, _, rev = str(key).partition("@")
        # model_key() writes "@hub" for a hub name with no local copy: no pinned revision
        out.append(ModelUsed(role=f"{role} model", id=name, revision=None if rev in ("", "hub") else rev, recorded_in="manifest"))
    seen = {(m.id, m.revision) for m in out}
    for v in data.verdicts or []:
        if (v.model_id, v.model_revision) not in seen:
            seen.add((v.model_id, v.model_revision))
            out.append(
                ModelUsed(
                    role="NLI verifier (as recorded in the verdicts)",
                    id=v.model_id,
                    revision=v.model_revision,
                    recorded_in="verdicts",
                )
            )
    return out


def _limitations(data: RunData, rows: list[ClaimRow]) -> list[str]:
    out: list[str] = []
    for stage in data.missing():
        out.append(f"The {stage} stage has not run, so everything that depends on it is missing from this report.")
    by_stage: dict[str, list[Any]] = {}
    for f in data.failures:
        by_stage.setdefault(f.stage, []).append(f)
    words = {"search": "could not be fetched or read", "parse": "could not be parsed", "claims": "yielded no checkable claim"}
    for stage, fails in by_stage.items():
        what = words.get(stage, f"failed in the {stage} stage")
        named = "; ".join(f"{f.item} ({f.error}: {f.message})" for f in fails)
        out.append(f"{_plural(len(fails), 'item')} {what} and {'was' if len(fails) == 1 else 'were'} left out: {named}.")
    if data.claims is not None and data.docs is not None:
        with_claims = {s.paper_id for c in data.claims for s in c.sources}
        no_claims = [d.paper_id for d in data.docs if d.paper_id not in with_claims]
        reported = {f.item for f in data.failures if f.stage == "claims"}
        quiet = [p for p in no_claims if p not in reported]
        if quiet:
            out.append(
                f"{_plural(len(quiet), 'parsed paper')} contributed no claim to this "
                f"report (below the claim budget or relevance cut): {', '.join(quiet)}."
            )
    for d in data.docs or []:
        if d.pages_read < d.n_pages and not d.warnings:
            out.append(f"{d.paper_id}: only {d.pages_read} of {d.n_pages} pages were read.")
        for w in d.warnings:
            out.append(f"{d.paper_id}: {w}")
    if data.verdicts is not None:
        unverified = [r.id for r in rows if r.verdict is None]
        if unverified:
            out.append(
                f"{_plural(len(unverified), 'claim')} {'has' if len(unverified) == 1 else 'have'} "
                f"no verdict: {', '.join(unverified)}."
            )
        no_ev = [r.id for r in rows if r.verdict is not None and r.n_evidence == 0]
        if no_ev:
            out.append(
                f"{_plural(len(no_ev), 'claim')} found no passage in any other paper to be checked against "
                f"({', '.join(no_ev)}); {'its' if len(no_ev) == 1 else 'their'} verdict says only that evidence is missing."
            )
        low = [r.id for r in rows if r.confidence is not None and r.confidence < CONFIDENT]
        if low:
            out.append(
                f"{_plural(len(low), 'verdict')} {'has' if len(low) == 1 else 'have'} "
                f"a confidence below {CONFIDENT:g}: {', '.join(low)}. Where the confidence is calibrated, "
                "such a verdict is more likely wrong than right: read it as a lead to check, not as a finding."
            )
        uncal = [v for v in data.verdicts if v.calibration.lower().startswith("uncalibrated")]
        if uncal:
            verb = "carries" if len(uncal) == 1 else "carry"
            out.append(
                f"{_plural(len(uncal), 'verdict')} {verb} an uncalibrated confidence (the raw NLI score), "
                "which is not a probability of being right."
            )
        if data.verdicts:
            ids = sorted({v.model_id for v in data.verdicts})
            out.append(
                "Verdicts come from a sentence-level NLI cross-encoder "
                f"({', '.join(ids)}): it reads each claim against one short window "
                "of text at a time, cannot combine evidence spread across passages, "
                "tables or figures, and does not check numbers arithmetically."
            )
    if data.claims:
        extractors = sorted({c.extractor for c in data.claims})
        if "rules" in extractors:
            out.append(
                "Claims were extracted by sentence rules (not a language "
                "model): paraphrased or multi-sentence claims may be missed."
            )
        langs = sorted({c.language for c in data.claims if c.language != "en"})
        if langs:
            out.append(f"Some claims are not in English ({', '.join(langs)}); the verifier was trained on English.")
    if data.papers is not None and not data.papers:
        out.append("The search found no papers.")
    return out


def _abstract(data: RunData, papers: PaperCounts, claims: ClaimCounts, quality: Quality, outline: Outline) -> str:
    q = data.question.strip()
    parts = [f"Research question: {q}" + ("" if q.endswith(("?", ".", "!")) else ".")]
    if data.papers is not None:
        parts.append(
            f"The search found {papers.found} candidate papers and kept {papers.kept}"
            + (f", of which {papers.parsed} were parsed" if data.docs is not None else "")
            + (f"; {papers.failed} could not be used." if papers.failed else ".")
        )
    if data.claims is not None:
        if data.verdicts is not None:
            parts.append(
                f"From them synth extracted {_plural(claims.claims, 'checkable claim')} "
                "and checked each against passages from the other "
                f"papers with an NLI cross-encoder: {claims.supported} verified (supported), {claims.refuted} refuted and "
                f"{claims.unresolved} unresolved for lack of evidence"
                + (f", {claims.unverified} not yet verified." if claims.unverified else ".")
            )
        else:
            parts.append(f"From them synth extracted {_plural(claims.claims, 'checkable claim')}, not yet verified.")
    if quality.overall is not None:
        n = sum(1 for r in quality.reviews if r.score is not None)
        parts.append(
            f"The run's quality score is {quality.overall:.1f}/10, the weighted mean of {n} independent reviewers' scores "
            f"({outline.ref(Results, 'Quality score')})."
        )
    return " ".join(parts)


def _introduction(data: RunData, outline: Outline) -> list[str]:
    created = data.created
    ref = outline.ref
    return [
        f"This report answers the research question “{data.question}” from the literature, and says how far each "
        "answer can be trusted. It was generated by synth"
        + (f" {data.manifest['synth_version']}" if data.manifest.get("synth_version") else "")
        + f" from run {data.run_id}"
        + (f" on {created.date().isoformat()}" if created else "")
        + ": papers were searched and parsed, checkable claims were extracted from them, and every claim "
        + ("was" if data.verdicts is not None else "is to be (the verification stage has not run yet)")
        + " tested against passages retrieved from the other papers "
        "(a paper's own sentence shows only that the paper said it).",
        f"{ref(Methodology)} states what was searched and with which models; "
        f"{ref(Results)} gives the counts and the quality score with each "
        f"reviewer's share; {ref(Limitations)} lists what went wrong or stayed weak "
        f"in this run; {ref(Claims)} lists every claim with its verdict, "
        f"confidence, deciding evidence and source; {ref(Remeasured)} compares numeric "
        "claims with re-measured results where an experiment re-ran them.",
    ]


#: the report's sections in order; their numbers, and every "Section N" in the text, follow from it
OUTLINE: tuple[type[Section], ...] = (Abstract, Introduction, Methodology, Results, Limitations, Claims, Remeasured, References)


def build_report(data: RunData, remeasure: Remeasure | None | str = "auto", renderer_version: str = "") -> Report:
    """The whole report; ``remeasure="auto"`` uses the re-measurements stored in the verdicts."""
    outline = Outline(OUTLINE)
    number = outline.number
    rows = claim_rows(data) if data.claims is not None else []
    verdicts = data.verdicts or []
    labels = Counter(r.verdict for r in rows)
    papers = PaperCounts(
        found=_found_count(data) if data.papers is not None else 0,
        kept=len(data.papers or []),
        parsed=len(data.docs or []),
        failed=sum(1 for f in data.failures if f.stage in ("search", "parse")),
        pages_read=sum(d.pages_read for d in data.docs or []),
    )
    claims = ClaimCounts(
        claims=len(rows),
        supported=labels.get("supported", 0),
        refuted=labels.get("refuted", 0),
        unresolved=labels.get("not_enough_evidence", 0),
        unverified=labels.get(None, 0) if data.verdicts is not None else len(rows),
    )
    quality = assess(data).rounded()
    confs = [v.confidence for v in verdicts]
    sources, queries, search_settings = _search_lines(data.plan)
    by_kind = [
        KindTally(kind=k, verdicts=dict(Counter(r.verdict or "unverified" for r in rows if r.kind == k)))
        for k in sorted({r.kind for r in rows})
    ]
    if remeasure == "auto":
        remeasured, remeasure_note = _stored_remeasurements(data)
    elif callable(remeasure):
        remeasured, remeasure_note = _remeasure_all(data, remeasure)
    else:
        remeasured, remeasure_note = [], "no experiment linker was used"
    created = data.created
    built: list[AnySection] = [
        Abstract(number=number(Abstract), text=_abstract(data, papers, claims, quality, outline)),
        Introduction(number=number(Introduction), paragraphs=_introduction(data, outline), question=data.question),
        Methodology(
            number=number(Methodology),
            sources=sources,
            queries=queries,
            search_settings=search_settings,
            papers=papers,
            extractors=sorted({c.extractor for c in data.claims or []}),
            models=_models(data),
            rules=sorted({v.rule for v in verdicts}),
            calibrations=sorted({v.calibration for v in verdicts}),
            evidence_policy="Evidence is retrieved only from papers other "
            "than the claim's sources; the deciding window is shown first.",
        ),
        Results(
            number=number(Results),
            papers=papers,
            claims=claims,
            by_kind=by_kind,
            mean_confidence=round(sum(confs) / len(confs), 4) if confs else None,
            quality=quality,
        ),
        Limitations(number=number(Limitations), items=_limitations(data, rows)),
        Claims(number=number(Claims), rows=rows),
        Remeasured(number=number(Remeasured), rows=remeasured, note=remeasure_note),
        References(number=number(References), references=_references(data)),
    ]
    section_of: dict[type[Section], AnySection] = {type(section): section for section in built}
    return Report(
        renderer_version=renderer_version,
        title=data.question,
        subtitle="A synthesis of the literature with every claim checked against evidence from other papers",
        question=data.question,
        run=RunInfo(
            id=data.run_id,
            created=data.manifest.get("created"),
            date=created.date().isoformat() if created else None,
            synth_version=data.manifest.get("synth_version"),
            git_sha=data.manifest.get("git_sha"),
            missing_stages=data.missing(),
        ),
        sections=[section_of[kind] for kind in OUTLINE],
        failures=data.failures,
    )


def _stored_remeasurements(data: RunData) -> tuple[list[Remeasurement], str]:
    """What the verify stage recorded (so the report depends on the run's files only, not on the working directory)."""
    text = {c.id: c.text for c in data.claims or []}
    out = [
        Remeasurement(
            claim_id=v.claim_id, claim=text.get(v.claim_id, ""), summary=remeasure_summary(v.remeasured), result=v.remeasured
        )
        for v in data.verdicts or []
        if v.remeasured
    ]
    return out, f"{_plural(len(out), 'numeric claim')} matched a re-run experiment (recorded by the verify stage)"


def _remeasure_all(data: RunData, fn: Remeasure) -> tuple[list[Remeasurement], str]:
    """Ask the experiment linker about every claim carrying numbers; its errors never break the report."""
    out: list[Remeasurement] = []
    errors = 0
    for claim in data.claims or []:
        if not claim.numbers and claim.kind != "numeric":
            continue
        try:
            result = fn(claim.text, [n.model_dump(mode="json") for n in claim.numbers])
        except Exception:  # noqa: BLE001 - an optional, separately written module must not break the report
            errors += 1
            continue
        if not result:
            continue
        if not isinstance(result, dict):  # the linker broke its contract: count it with its failures
            errors += 1
            continue
        safe = _json_safe(result)
        out.append(Remeasurement(claim_id=claim.id, claim=claim.text, summary=remeasure_summary(safe), result=safe))
    note = f"{_plural(len(out), 'numeric claim')} matched a re-run experiment"
    if errors:
        note += f"; the linker failed on {_plural(errors, 'claim')}"
    return out, note


def _figure(x: Any, unit: str) -> str:
    if isinstance(x, dict) and "mean" in x:
        sd = f" ± {x['sd']:.2f}" if isinstance(x.get("sd"), int | float) else ""
        n = f" ({x['n']} seeds)" if x.get("n") else ""
        return f"{x['mean']:.2f}{sd}{unit}{n}"
    if isinstance(x, int | float):
        return f"{x:.2f}{unit}"
    return str(x)


def remeasure_summary(result: dict[str, Any]) -> str:
    """One line from the experiment linker's answer: what was re-measured, claimed vs measured, and the verdict."""
    if "claimed" not in result or "measured" not in result:
        return "; ".join(f"{k}: {v}" for k, v in result.items() if not isinstance(v, dict | list))
    what = " ".join(str(result[k]) for k in ("dataset", "metric") if result.get(k))
    versus = (
        f"{result.get('method')} vs {result.get('baseline')}" if result.get("kind") == "delta" else str(result.get("method", ""))
    )
    setting = f", {result['setting']}" if result.get("setting") else ""
    unit = " points" if result.get("unit") == "points" else ""
    text = (
        f"{what}, {versus}{setting}: claimed {_figure(result['claimed'], unit)}, re-measured {_figure(result['measured'], unit)}"
    )
    if result.get("verdict"):
        text += f" → {result['verdict']}"
    extras = [
        f"encoder {result['encoder']}" if result.get("encoder") else "",
        f"results {result['results_path']}" if result.get("results_path") else "",
    ]
    extras = [e for e in extras if e]
    return text + (f" ({'; '.join(extras)})" if extras else "")


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, str | int | float | bool) or obj is None:
        return obj
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return str(obj)


def _references(data: RunData) -> list[Reference]:
    papers = data.papers or []
    keys = cite_keys(papers)
    return [
        Reference(
            key=keys[p.id],
            id=p.id,
            cite=short_cite(p, p.id),
            title=p.title,
            authors=p.authors,
            year=p.year,
            venue=p.venue,
            doi=p.doi,
            url=arxiv_url(p),
            arxiv=p.id if is_arxiv_id(p.id) else None,
        )
        for p in papers
    ]
