"""The report's content as one JSON-safe dict: what report.json holds and every renderer draws from.

Everything is generated from the run's records: the abstract's numbers, the methodology's sources, queries and
models, the limitations (from what actually failed or stayed weak), the claims table and the references. The
date in the report is the run's creation date, so rendering the same run twice gives the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from synth.report.data import CLAIMS, PARSE, SEARCH, VERIFY, RunData
from synth.report.quality import CONFIDENT, assess
from synth.report.table import claim_rows, short_cite

Remeasure = Callable[[str, Any], "dict[str, Any] | None"]
ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
SCHEMA = "synth.report/1"


def arxiv_url(paper: Any) -> str | None:
    if ARXIV_ID.match(paper.id):
        return f"https://arxiv.org/abs/{paper.id}"
    return paper.url


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _found_count(data: RunData) -> int:
    """Candidates the search saw: the plan's own count when it states one, else kept plus search failures."""
    plan = data.plan or {}
    kept = len(data.papers or [])
    search_failed = sum(1 for f in data.failures if f.stage == "search")
    stated = [plan[k] for k in ("found", "candidates", "results", "files") if isinstance(plan.get(k), int)]
    return max([kept + search_failed, *stated])


_PLAN_SKIP = {"source", "folder", "files", "papers", "queries", "api", "summary", "ranking"}


def _source_lines(plan: dict[str, Any] | None) -> tuple[list[str], list[dict[str, str]], list[str]]:
    """(sources, exact queries with what each returned, the rest of the search record), from the search plan."""
    if not plan:
        return ["The search plan was not recorded."], [], []
    sources: list[str] = []
    source = str(plan.get("source", "unknown"))
    if source == "local":
        files = plan.get("files")
        sources.append(
            f"A local folder of PDFs, {plan.get('folder', '?')}"
            + (f" ({_plural(files, 'PDF file')})." if isinstance(files, int) else ".")
        )
    elif source == "arxiv":
        sources.append("arXiv, through its public API" + (f" ({plan['api']})." if plan.get("api") else "."))
    else:
        sources.append(f"{source}.")
    if isinstance(plan.get("summary"), str) and plan["summary"]:
        sources.append(plan["summary"])
    queries: list[dict[str, str]] = []
    for q in plan.get("queries") or []:
        if not isinstance(q, dict):
            queries.append({"query": str(q), "note": ""})
            continue
        text = str(q.get("query") or q.get("q") or q.get("text") or q)
        notes = [f"{q['name']}: {q['why']}" if q.get("name") and q.get("why") else str(q.get("name") or q.get("why") or "")]
        if "total_results" in q or "returned" in q:
            notes.append(f"{q.get('total_results', '?')} matches, {q.get('returned', '?')} read")
        notes += [f"{k} {v}" for k, v in q.items() if k not in ("query", "q", "text", "name", "why", "total_results", "returned")]
        queries.append({"query": text, "note": "; ".join(n for n in notes if n)})
    record = [f"{k} {v}" for k, v in plan.items() if k not in _PLAN_SKIP and isinstance(v, int | float | str) and v != ""]
    lists = [f"{k}: {', '.join(map(str, v))}" for k, v in plan.items() if k not in _PLAN_SKIP and isinstance(v, list) and v]
    other = (["Search record: " + " · ".join(record) + "."] if record else []) + lists
    return sources, queries, other


def _models(data: RunData) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for role, key in (data.manifest.get("models") or {}).items():
        name, _, rev = str(key).partition("@")
        # model_key() writes "@hub" for a hub name with no local copy: no pinned revision
        out.append({"role": f"{role} model", "id": name, "revision": None if rev in ("", "hub") else rev, "from": "manifest"})
    seen = {(m["id"], m["revision"]) for m in out}
    for v in data.verdicts or []:
        if (v.model_id, v.model_revision) not in seen:
            seen.add((v.model_id, v.model_revision))
            out.append(
                {
                    "role": "NLI verifier (as recorded in the verdicts)",
                    "id": v.model_id,
                    "revision": v.model_revision,
                    "from": "verdicts",
                }
            )
    return out


def _limitations(data: RunData, rows: list[dict[str, Any]]) -> list[str]:
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
        unverified = [r["id"] for r in rows if r["verdict"] is None]
        if unverified:
            out.append(
                f"{_plural(len(unverified), 'claim')} {'has' if len(unverified) == 1 else 'have'} "
                f"no verdict: {', '.join(unverified)}."
            )
        no_ev = [r["id"] for r in rows if r["verdict"] is not None and r["n_evidence"] == 0]
        if no_ev:
            out.append(
                f"{_plural(len(no_ev), 'claim')} found no passage in any other paper to be checked against "
                f"({', '.join(no_ev)}); {'its' if len(no_ev) == 1 else 'their'} verdict says only that evidence is missing."
            )
        low = [r["id"] for r in rows if r["confidence"] is not None and r["confidence"] < CONFIDENT]
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


def _abstract(data: RunData, counts: dict[str, int], quality: dict[str, Any]) -> str:
    q = data.question.strip()
    parts = [f"Research question: {q}" + ("" if q.endswith(("?", ".", "!")) else ".")]
    if data.papers is not None:
        failed = counts["papers_failed"]
        parts.append(
            f"The search found {counts['papers_found']} candidate papers and kept {counts['papers_kept']}"
            + (f", of which {counts['papers_parsed']} were parsed" if data.docs is not None else "")
            + (f"; {failed} could not be used." if failed else ".")
        )
    if data.claims is not None:
        if data.verdicts is not None:
            parts.append(
                f"From them synth extracted {_plural(counts['claims'], 'checkable claim')} "
                "and checked each against passages from the other "
                f"papers with an NLI cross-encoder: {counts['supported']} verified (supported), {counts['refuted']} refuted and "
                f"{counts['unresolved']} unresolved for lack of evidence"
                + (f", {counts['unverified']} not yet verified." if counts["unverified"] else ".")
            )
        else:
            parts.append(f"From them synth extracted {_plural(counts['claims'], 'checkable claim')}, not yet verified.")
    overall = quality["overall"]
    if overall is not None:
        n = sum(1 for r in quality["reviews"] if r["score"] is not None)
        parts.append(
            f"The run's quality score is {overall:.1f}/10, the weighted mean of {n} independent reviewers' scores (Section 3.2)."
        )
    return " ".join(parts)


def build_report(data: RunData, remeasure: Remeasure | None | str = "auto", renderer_version: str = "") -> dict[str, Any]:
    """The whole report as a dict (report.json); ``remeasure="auto"`` uses the re-measurements stored in the verdicts."""
    rows = claim_rows(data) if data.claims is not None else []
    verdicts = data.verdicts or []
    labels = Counter(r["verdict"] for r in rows)
    counts = {
        "papers_found": _found_count(data) if data.papers is not None else 0,
        "papers_kept": len(data.papers or []),
        "papers_parsed": len(data.docs or []),
        "papers_failed": sum(1 for f in data.failures if f.stage in ("search", "parse")),
        "pages_read": sum(d.pages_read for d in data.docs or []),
        "claims": len(rows),
        "supported": labels.get("supported", 0),
        "refuted": labels.get("refuted", 0),
        "unresolved": labels.get("not_enough_evidence", 0),
        "unverified": labels.get(None, 0) if data.verdicts is not None else len(rows),
    }
    quality = assess(data).as_dict()
    confs = [v.confidence for v in verdicts]
    sources, queries, search_other = _source_lines(data.plan)
    by_kind = Counter(r["kind"] for r in rows)
    kind_verdicts = {k: dict(Counter(r["verdict"] or "unverified" for r in rows if r["kind"] == k)) for k in sorted(by_kind)}
    created = data.created
    if remeasure == "auto":
        remeasured, remeasure_note = _stored_remeasurements(data)
    elif callable(remeasure):
        remeasured, remeasure_note = _remeasure_all(data, remeasure)
    else:
        remeasured, remeasure_note = [], "no experiment linker was used"
    references = _references(data)
    return {
        "schema": SCHEMA,
        "renderer_version": renderer_version,
        "title": data.question,
        "subtitle": "A synthesis of the literature with every claim checked against evidence from other papers",
        "question": data.question,
        "run": {
            "id": data.run_id,
            "created": data.manifest.get("created"),
            "date": created.date().isoformat() if created else None,
            "synth_version": data.manifest.get("synth_version"),
            "git_sha": data.manifest.get("git_sha"),
            "missing_stages": data.missing(),
        },
        "abstract": _abstract(data, counts, quality),
        "introduction": [
            f"This report answers the research question “{data.question}” from the literature, and says how far each "
            "answer can be trusted. It was generated by synth"
            + (f" {data.manifest['synth_version']}" if data.manifest.get("synth_version") else "")
            + f" from run {data.run_id}"
            + (f" on {created.date().isoformat()}" if created else "")
            + ": papers were searched and parsed, checkable claims were extracted from them, and every claim "
            + ("was" if data.verdicts is not None else "is to be (the verification stage has not run yet)")
            + " tested against passages retrieved from the other papers "
            "(a paper's own sentence shows only that the paper said it).",
            "Section 2 states what was searched and with which models; "
            "Section 3 gives the counts and the quality score with each "
            "reviewer's share; Section 4 lists what went wrong or stayed weak "
            "in this run; Section 5 lists every claim with its verdict, "
            "confidence, deciding evidence and source; Section 6 compares numeric "
            "claims with re-measured results where an experiment re-ran them.",
        ],
        "methodology": {
            "sources": sources,
            "queries": queries,
            "search_settings": search_other,
            "papers": {k: counts[k] for k in ("papers_found", "papers_kept", "papers_parsed", "papers_failed", "pages_read")},
            "extractors": sorted({c.extractor for c in data.claims or []}),
            "models": _models(data),
            "rules": sorted({v.rule for v in verdicts}),
            "calibrations": sorted({v.calibration for v in verdicts}),
            "evidence_policy": "Evidence is retrieved only from papers other "
            "than the claim's sources; the deciding window is shown first.",
        },
        "results": {
            "counts": counts,
            "by_kind": kind_verdicts,
            "mean_confidence": round(sum(confs) / len(confs), 4) if confs else None,
            "quality": quality,
        },
        "limitations": _limitations(data, rows),
        "claims": rows,
        "remeasured": remeasured,
        "remeasure_note": remeasure_note,
        "references": references,
        "failures": [f.model_dump(mode="json") for f in data.failures],
    }


def _stored_remeasurements(data: RunData) -> tuple[list[dict[str, Any]], str]:
    """What the verify stage recorded (so the report depends on the run's files only, not on the working directory)."""
    text = {c.id: c.text for c in data.claims or []}
    out = [
        {
            "claim_id": v.claim_id,
            "claim": text.get(v.claim_id, ""),
            "summary": remeasure_summary(v.remeasured),
            "result": v.remeasured,
        }
        for v in data.verdicts or []
        if v.remeasured
    ]
    return out, f"{_plural(len(out), 'numeric claim')} matched a re-run experiment (recorded by the verify stage)"


def _remeasure_all(data: RunData, fn: Remeasure) -> tuple[list[dict[str, Any]], str]:
    """Ask the experiment linker about every claim carrying numbers; its errors never break the report."""
    out: list[dict[str, Any]] = []
    errors = 0
    for claim in data.claims or []:
        if not claim.numbers and claim.kind != "numeric":
            continue
        try:
            result = fn(claim.text, [n.model_dump(mode="json") for n in claim.numbers])
        except Exception:  # noqa: BLE001 - an optional, separately written module must not break the report
            errors += 1
            continue
        if result:
            safe = _json_safe(result)
            out.append({"claim_id": claim.id, "claim": claim.text, "summary": remeasure_summary(safe), "result": safe})
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


def remeasure_summary(result: Any) -> str:
    """One line from the experiment linker's answer: what was re-measured, claimed vs measured, and the verdict."""
    if not isinstance(result, dict):
        return str(result)
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


def _references(data: RunData) -> list[dict[str, Any]]:
    from synth.report.bibtex import cite_keys

    papers = data.papers or []
    keys = cite_keys(papers)
    return [
        {
            "key": keys[p.id],
            "id": p.id,
            "cite": short_cite(p, p.id),
            "title": p.title,
            "authors": list(p.authors),
            "year": p.year,
            "venue": p.venue,
            "doi": p.doi,
            "url": arxiv_url(p),
            "arxiv": p.id if ARXIV_ID.match(p.id) else None,
        }
        for p in papers
    ]


__all__ = ["build_report", "SEARCH", "PARSE", "CLAIMS", "VERIFY"]
