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
from synth.core.records import AnswerSentence, ArxivSearch, Paper, SearchPlan, Verdict, VerifierFigures
from synth.core.stage_ids import CLAIMS
from synth.report.bibtex import cite_keys
from synth.report.data import RunData
from synth.report.model import (
    Abstract,
    Answer,
    AnswerLine,
    AnswerPart,
    AnySection,
    ClaimCounts,
    ClaimRow,
    Claims,
    CoverageRow,
    Introduction,
    KindTally,
    Limitations,
    Methodology,
    ModelUsed,
    Outline,
    PaperCounts,
    PaperScore,
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
from synth.report.quality import CONFIDENT, assess, verifier_figures
from synth.report.table import FIRST_PERSON, claim_rows, short_cite

Remeasure = Callable[[str, Any], "dict[str, Any] | None"]


def arxiv_url(paper: Paper) -> str | None:
    """Where a reader finds the paper: its arXiv page, else its DOI, else the URL the source recorded."""
    if is_arxiv_id(paper.id):
        return f"https://arxiv.org/abs/{paper.id}"
    if paper.doi:
        return f"https://doi.org/{paper.doi}"
    return paper.url


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _found_count(data: RunData) -> int:
    """Candidates the search saw: the plan's own count, or kept plus search failures where that is more."""
    kept = len(data.papers or [])
    search_failed = sum(1 for f in data.failures if f.stage == "search" and f.left_out)
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


def _synthesis_limitations(data: RunData, cite: dict[str, str]) -> list[str]:
    """What the synthesis left out: facets no paper addresses, papers and claims below the relevance cut."""
    syn = data.synthesis
    if syn is None:
        return []
    out: list[str] = []
    missing = [r.facet for r in syn.coverage if not r.addressed]
    if missing:
        out.append(
            f"No paper addresses {'this part' if len(missing) == 1 else 'these parts'} of the question: {'; '.join(missing)}."
        )
    below = [p for p in syn.papers if not p.relevant]
    if below:
        named = ", ".join(f"{cite.get(p.paper_id, p.paper_id)} ({p.score:.2f})" for p in below)
        out.append(
            f"{_plural(len(below), 'kept paper')} {'falls' if len(below) == 1 else 'fall'} below the relevance threshold "
            f"({syn.paper_threshold:g}) and {'contributes' if len(below) == 1 else 'contribute'} no finding: {named}."
        )
    cut = [c.claim_id for c in syn.claims if not c.finding]
    if cut:
        out.append(
            f"{_plural(len(cut), 'extracted claim')} {'is' if len(cut) == 1 else 'are'} not presented as findings (from a paper "
            f"that does not bear on the question, below the claim relevance threshold {syn.claim_threshold:g} without naming "
            f"a facet, or past the cap on findings): {', '.join(cut)}. They stay in claims.csv and report.json, marked "
            "finding = no."
        )
    if syn.writer == "llm" and syn.dropped_sentences:
        out.append(
            f"{_plural(syn.dropped_sentences, 'sentence')} the LLM wrote for the answer "
            f"{'was' if syn.dropped_sentences == 1 else 'were'} "
            "dropped: the verifier did not find them entailed by the passages they cite (or they cited no finding)."
        )
    return out


def _limitations(data: RunData, rows: list[ClaimRow], cite: dict[str, str]) -> list[str]:
    out: list[str] = _synthesis_limitations(data, cite)
    for stage in data.missing():
        out.append(f"The {stage} stage has not run, so everything that depends on it is missing from this report.")
    by_stage: dict[str, list[Any]] = {}
    for f in data.failures:
        if f.left_out:
            by_stage.setdefault(f.stage, []).append(f)
    gaps = [f for f in data.failures if not f.left_out]
    if gaps:
        out.append(
            f"{_plural(len(gaps), 'paper')} {'was' if len(gaps) == 1 else 'were'} kept with incomplete metadata (the "
            f"reference says 'Unknown' where nothing could be read): {'; '.join(f.message for f in gaps)}."
        )
    words = {
        "search": "could not be fetched or read",
        "parse": "could not be parsed",
        "claims": "yielded no checkable claim",
        "synthesis": "could not be written by the LLM (the extractive answer stands)",
    }
    for stage, fails in by_stage.items():
        what = words.get(stage, f"failed in the {stage} stage")
        # a paper by its citation, as the references list names it, not by its run id ("local:aeeae4612481")
        named = "; ".join(f"{cite.get(f.item, f.item)} ({f.error}: {f.message.removeprefix(f'{f.item}: ')})" for f in fails)
        out.append(f"{_plural(len(fails), 'item')} {what} and {'was' if len(fails) == 1 else 'were'} left out: {named}.")
    if data.claims is not None and data.docs is not None:
        with_claims = {s.paper_id for c in data.claims for s in c.sources}
        no_claims = [d.paper_id for d in data.docs if d.paper_id not in with_claims]
        reported = {f.item for f in data.failures if f.stage == "claims"}
        quiet = [p for p in no_claims if p not in reported]
        if quiet:
            out.append(
                f"{_plural(len(quiet), 'parsed paper')} contributed no claim to this "
                f"report (below the claim budget or relevance cut): {', '.join(cite.get(p, p) for p in quiet)}."
            )
    for d in data.docs or []:
        who = cite.get(d.paper_id, d.paper_id)
        if d.pages_read < d.n_pages and not d.warnings:
            out.append(f"{who}: only {d.pages_read} of {d.n_pages} pages were read.")
        for w in d.warnings:
            out.append(f"{who}: {w}")
    if data.verdicts is not None:
        unverified = [r.id for r in rows if r.verdict is None]
        if unverified:
            out.append(
                f"{_plural(len(unverified), 'claim')} {'has' if len(unverified) == 1 else 'have'} "
                f"no verdict: {', '.join(unverified)}."
            )
        no_ev = [r.id for r in rows if r.verdict is not None and r.n_evidence == 0 and not r.reason]
        if no_ev:
            out.append(
                f"{_plural(len(no_ev), 'claim')} found no passage in any other paper to be checked against "
                f"({', '.join(no_ev)}); {'its' if len(no_ev) == 1 else 'their'} verdict says only that evidence is missing."
            )
        unchecked: dict[str, list[str]] = {}
        for r in rows:
            if r.verdict is not None and r.n_evidence == 0 and r.reason:
                unchecked.setdefault(r.reason, []).append(r.id)
        for reason, ids in unchecked.items():
            out.append(f"{_plural(len(ids), 'claim')} could not be checked ({', '.join(ids)}): {reason}; not verified.")
        low = [
            r.id for r in rows if r.verdict in ("supported", "refuted") and r.confidence is not None and r.confidence < CONFIDENT
        ]
        if low:
            out.append(
                f"{_plural(len(low), 'verdict')} {'has' if len(low) == 1 else 'have'} "
                f"a confidence below {CONFIDENT:g}: {', '.join(low)}. Where the confidence is calibrated, "
                "such a verdict is more likely wrong than right: read it as a lead to check, not as a finding."
            )
        unsure = [r.id for r in rows if r.verdict == "not_enough_evidence"]
        if unsure:
            out.append(
                f"{_plural(len(unsure), 'claim')} {'is' if len(unsure) == 1 else 'are'} not verified ({', '.join(unsure)}): "
                "the verifier's probability for supported or refuted stayed below its operating point. Read such a claim "
                "as what its paper says, not as something another paper confirms; its leaning says only which way the "
                "closest evidence pointed."
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
    claim_counts = _stage_counts(data, CLAIMS)
    if claim_counts.get("off_question"):
        n = claim_counts["off_question"]
        rule = claim_counts.get("question_gate", "")
        out.append(
            f"{_plural(n, 'candidate claim')} {'was' if n == 1 else 'were'} left out as not about what the question asks"
            + (f": {rule}." if rule else ".")
            + " A finding worded differently from the question is missed this way."
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


def _claims_sentence(data: RunData, claims: ClaimCounts) -> str | None:
    """The abstract's sentence on claims: only verified ones are counted as verified; the rest by their leaning."""
    if data.claims is None:
        return None
    syn = data.synthesis
    extracted = f"From the papers synth extracted {_plural(claims.claims, 'checkable claim')}"
    if syn is not None and not syn.on_topic:
        return f"{extracted}; none is presented as a finding, since none comes from a paper that bears on the question."
    if syn is not None:
        extracted += f", {claims.findings} of which bear on the question and are presented as findings"
    if data.verdicts is None:
        return f"{extracted}, not yet verified."
    decided = claims.supported + claims.refuted
    neither = claims.unresolved - claims.leans_supported - claims.leans_refuted
    what = "findings" if syn is not None else "claims"
    text = (
        f"{extracted}. Checked against passages of other papers, {decided} of the {what} "
        f"{'is' if decided == 1 else 'are'} verified at the verifier's operating point ({claims.supported} supported, "
        f"{claims.refuted} refuted) and {claims.unresolved} {'is' if claims.unresolved == 1 else 'are'} not verified"
    )
    if claims.unresolved:
        text += (
            f" ({claims.leans_supported} leaning supported, {claims.leans_refuted} leaning refuted, "
            f"{neither} leaning neither way)"
        )
    return text + (f"; {claims.unverified} have no verdict yet." if claims.unverified else ".")


def _abstract(
    data: RunData, papers: PaperCounts, claims: ClaimCounts, quality: Quality, outline: Outline, cite: dict[str, str]
) -> Abstract:
    q = data.question.strip()
    syn = data.synthesis
    off_topic = syn is not None and not syn.on_topic
    parts: list[str] = []
    headline = None
    if off_topic and syn is not None:
        best = syn.papers[0] if syn.papers else None
        headline = (
            f"The {_plural(papers.kept, 'paper')} found {'does' if papers.kept == 1 else 'do'} not address the question “{q}”"
        )
        parts.append(
            f"{headline}: none reaches the relevance "
            f"threshold (cosine similarity of the question with a paper's title and abstract ≥ {syn.paper_threshold:g}"
            + (f"; the closest, {cite.get(best.paper_id, best.paper_id)}, scores {best.score:.2f}" if best else "")
            + "). No claim is presented as a finding and there is no answer."
        )
    else:
        parts.append(f"Research question: {q}" + ("" if q.endswith(("?", ".", "!")) else "."))
    if data.papers is not None:
        parts.append(
            f"The search found {papers.found} candidate papers and kept {papers.kept}"
            + (f", of which {papers.parsed} were parsed" if data.docs is not None else "")
            + (f"; {papers.failed} could not be used." if papers.failed else ".")
        )
    if syn is not None and not off_topic:
        relevant = sum(p.relevant for p in syn.papers)
        parts.append(
            f"{relevant} of the kept papers bear on the question (cosine similarity of the question with title and "
            f"abstract ≥ {syn.paper_threshold:g})."
        )
    if syn is not None and syn.coverage:
        missing = [r.facet for r in syn.coverage if not r.addressed]
        done = len(syn.coverage) - len(missing)
        text = f"Of the question's {_plural(len(syn.coverage), 'part')}, {done} {'is' if done == 1 else 'are'} addressed"
        if missing:
            text += f"; no paper addresses {'; '.join(missing)}"
        parts.append(text + f" ({outline.ref(Answer)}).")
    sentence = _claims_sentence(data, claims)
    if sentence:
        parts.append(sentence)
    if quality.overall is not None:
        n = sum(1 for r in quality.reviews if r.score is not None)
        cap = f", capped at {quality.cap:g} because {quality.cap_reason}" if quality.cap is not None else ""
        parts.append(
            f"The run's quality score is {quality.overall:.1f}/10, the weighted mean of {n} independent reviewers' scores{cap} "
            f"({outline.ref(Results, 'Quality score')})."
        )
    return Abstract(number=outline.number(Abstract), text=" ".join(parts), headline=headline)


def _answer(data: RunData, refnum: dict[str, int], cite: dict[str, str]) -> tuple[list[AnswerPart], list[CoverageRow]]:
    """report.json's ``answer`` and ``coverage``: the synthesis with papers as reference numbers."""
    from synth.synthesis.answer import deciding_paper

    syn = data.synthesis
    if syn is None:
        return [], []
    verdicts = data.verdict_map()
    claims = {c.id: c for c in data.claims or []}

    def line(s: AnswerSentence) -> AnswerLine:
        verdict: Verdict | None = verdicts.get(s.claims[0]) if len(s.claims) == 1 else None
        if verdict is not None and s.status in ("supported", "refuted", "not_verified"):
            # the verdict as verify wrote it (the synthesis copied it; the report never shows a stale one)
            status = "not_verified" if verdict.label == "not_enough_evidence" else verdict.label
            s = s.model_copy(update={"status": status, "leaning": verdict.leaning if status == "not_verified" else None})
        decider = deciding_paper(verdict) if s.status in ("supported", "refuted") else None
        claim = claims.get(s.claims[0]) if len(s.claims) == 1 else None
        quoted = (
            cite.get(claim.paper_id, claim.paper_id)
            if claim is not None and s.entailment is None and s.text == claim.text and FIRST_PERSON.search(s.text)
            else None
        )
        return AnswerLine(
            text=s.text,
            claims=s.claims,
            references=[refnum[p] for p in s.papers if p in refnum],
            papers=s.papers,
            status=s.status,
            leaning=s.leaning,
            decided_by=[refnum[decider]] if decider in refnum else [],
            confidence=round(verdict.confidence, 4) if verdict is not None else None,
            quoted_from=quoted,
            entailment=s.entailment,
        )

    parts = [AnswerPart(facet=p.facet, facet_id=p.facet_id, sentences=[line(s) for s in p.sentences]) for p in syn.answer]
    rows = [
        CoverageRow(
            facet=r.facet,
            facet_id=r.facet_id,
            addressed=r.addressed,
            papers=r.papers,
            references=[refnum[p] for p in r.papers if p in refnum],
            claims=r.claims,
        )
        for r in syn.coverage
    ]
    return parts, rows


ANSWER_KEY = (
    "Each sentence is a finding's own text as extracted from its paper (first-person sentences are quoted), followed by "
    "the reference it comes from and its claim id in the claims table. ✓ marks a finding verified against a passage of "
    "another paper (the reference after 'by'), × one that another paper's passage refutes, and ? one that is not "
    "verified (the way its evidence leaned is given): read those as what one paper reports."
)


def _answer_section(data: RunData, outline: Outline, papers: PaperCounts, cite: dict[str, str]) -> Answer:
    syn = data.synthesis
    number = outline.number(Answer)
    if syn is None:
        return Answer(
            number=number,
            lead="The synthesis stage has not run (`synth synthesize RUN`), so this report has no answer yet.",
            unaddressed=[],
            key="",
        )
    missing = [r.facet for r in syn.coverage if not r.addressed]
    if not syn.on_topic:
        lead = (
            f"The {_plural(papers.kept, 'paper')} found do not address the question, so there is no answer: none reaches "
            f"the relevance threshold ({syn.paper_threshold:g}; scores in {outline.ref(Methodology, 'Relevance and facets')})."
        )
        return Answer(number=number, lead=lead, unaddressed=missing, key="")
    relevant = sum(p.relevant for p in syn.papers)
    done = len(syn.coverage) - len(missing)
    lead = (
        f"{relevant} of the {_plural(len(syn.papers), 'kept paper')} bear on the question; together they address {done} of "
        f"its {_plural(len(syn.coverage), 'part')}."
    )
    if not syn.answer:
        lead += " None of the findings speaks to those parts, so there is no answer to give."
    if syn.writer == "llm":
        lead += (
            " The paragraphs were written by a language model from the findings; every sentence kept was checked by the "
            "verifier against the passages it cites."
        )
    cites_findings = any(s.claims for p in syn.answer for s in p.sentences)
    return Answer(number=number, lead=lead, unaddressed=missing, key=ANSWER_KEY if cites_findings else "")


def _stage_counts(data: RunData, stage: str) -> dict[str, Any]:
    """What a stage recorded about its work in the run's manifest (empty for a run that lacks it)."""
    counts = (data.manifest.get("stages") or {}).get(stage, {}).get("counts", {})
    return counts if isinstance(counts, dict) else {}


def _relevance_lines(data: RunData) -> list[str]:
    syn = data.synthesis
    gate = _stage_counts(data, CLAIMS).get("question_gate")
    claims = [f"Claims: {gate}." if gate else "Claims: no question gate was recorded for this run."]
    if syn is None:
        return [*claims, "The synthesis stage has not run: no relevance gate was applied and every claim is listed."]
    facets = "; ".join(f"{f.id} {f.text}" for f in syn.facets) or "none found"
    writer = (
        "extractive: each sentence is a finding's own text, verified findings first, at most a few per part"
        if syn.writer == "extractive"
        else f"an LLM rewrote the extractive paragraphs; {_plural(syn.dropped_sentences, 'sentence')} the verifier did not "
        "find entailed by the cited passages were dropped"
    )
    return [
        *claims,
        f"Relevance: {syn.measure}.",
        f"Parts of the question (facets): {facets}.",
        f"Coverage: {syn.facet_method}.",
        f"Answer: {writer}.",
    ]


def _operating_point(verdicts: list[Verdict]) -> float | None:
    points = Counter(v.operating_point for v in verdicts if v.operating_point is not None)
    return points.most_common(1)[0][0] if points else None


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _decision_lines(data: RunData, figures: VerifierFigures | None) -> list[str]:
    """How a verdict is decided, with the operating point and the verifier's own measured figures (or that there are none)."""
    verdicts = data.verdicts or []
    if not verdicts:
        return []
    op = _operating_point(verdicts)
    if op is None and figures is not None:
        op = figures.operating_point
    calibrated = not any(v.calibration.lower().startswith("uncalibrated") for v in verdicts)
    lines = [
        "A claim is reported supported or refuted only when the verifier's "
        + ("calibrated probability" if calibrated else "score (uncalibrated: the rule's raw score)")
        + " of that verdict reaches "
        f"the operating point{f' {op:g}' if op is not None else ''}; otherwise it is reported as not verified, with the way "
        "its evidence leaned (the more probable of supported and refuted). Confidence is the probability of the verdict "
        "shown or, for a claim not verified, of the way it leans."
    ]
    if figures is None:
        model = sorted({v.model_id for v in verdicts})
        lines.append(
            f"The verifier's measured figures are not available: {', '.join(model)} ships no aggregator.json, so its "
            "held-out accuracy, calibration error, and precision and coverage at the operating point are unknown."
        )
        return lines
    if figures.target_precision is not None:
        lines.append(
            f"The operating point was chosen on the verifier's fit data for a precision of supported of at least "
            f"{figures.target_precision:g}; there supported verdicts reach precision {_pct(figures.fit_precision_supported)} "
            f"and coverage {_pct(figures.fit_coverage_supported)} (the share of truly supported claims called supported)."
        )
    words = {"retrieval": "passages retrieved from the corpus", "oracle": "the cited abstracts"}
    for h in figures.held_out:
        lines.append(
            f"Measured on held-out claims ({figures.eval_data or 'held-out data'}"
            + (f", {h.n_claims} claims" if h.n_claims else "")
            + f", evidence: {words.get(h.setting, h.setting)}): accuracy {_pct(h.accuracy)}, macro-F1 {_pct(h.macro_f1)}, "
            f"expected calibration error {_pct(h.ece)}; at the operating point, precision of supported "
            f"{_pct(h.precision_supported)} "
            f"(coverage {_pct(h.coverage_supported)}), of refuted {_pct(h.precision_refuted)} "
            f"(coverage {_pct(h.coverage_refuted)})."
        )
    if not figures.held_out:
        lines.append("The verifier ships no held-out measurement.")
    lines.append(f"Figures from {figures.source}.")
    return lines


def _introduction(data: RunData, outline: Outline) -> list[str]:
    created = data.created
    ref = outline.ref
    return [
        f"This report weighs what the papers found say about the research question “{data.question}”, and how far "
        "each statement can be trusted. It was generated by synth"
        + (f" {data.manifest['synth_version']}" if data.manifest.get("synth_version") else "")
        + f" from run {data.run_id}"
        + (f" on {created.date().isoformat()}" if created else "")
        + ": papers were searched and parsed, checkable claims were extracted from them, and every claim "
        + ("was" if data.verdicts is not None else "is to be (the verification stage has not run yet)")
        + " tested against passages retrieved from the other papers "
        "(a paper's own sentence shows only that the paper said it).",
        f"{ref(Answer)} answers the question part by part from the findings; "
        f"{ref(Methodology)} states what was searched, how relevance was measured and with which models; "
        f"{ref(Results)} gives the counts and the quality score with each "
        f"reviewer's share; {ref(Limitations)} lists what went wrong or stayed weak "
        f"in this run; {ref(Claims)} lists every finding with its verdict, "
        f"confidence, evidence and source; {ref(Remeasured)} compares numeric "
        "claims with re-measured results where an experiment re-ran them.",
    ]


#: the report's sections in order; their numbers, and every "Section N" in the text, follow from it
OUTLINE: tuple[type[Section], ...] = (
    Abstract,
    Answer,
    Introduction,
    Methodology,
    Results,
    Limitations,
    Claims,
    Remeasured,
    References,
)


def _claim_counts(data: RunData, rows: list[ClaimRow], shown: list[ClaimRow]) -> ClaimCounts:
    labels = Counter(r.verdict for r in shown)
    leans = Counter(r.leaning for r in shown if r.verdict == "not_enough_evidence")
    return ClaimCounts(
        claims=len(rows),
        findings=len(shown) if data.synthesis is not None else None,
        supported=labels.get("supported", 0),
        refuted=labels.get("refuted", 0),
        unresolved=labels.get("not_enough_evidence", 0),
        leans_supported=leans.get("supported", 0),
        leans_refuted=leans.get("refuted", 0),
        unverified=labels.get(None, 0) if data.verdicts is not None else len(shown),
    )


def _claims_note(data: RunData, rows: list[ClaimRow], shown: list[ClaimRow]) -> str:
    if data.synthesis is None:
        return ""
    rest = len(rows) - len(shown)
    if not shown:
        return (
            f"No claim is presented as a finding: none of the {_plural(len(rows), 'extracted claim')} bears on the question. "
            "They are listed in claims.csv and report.json (finding = no)."
            if rows
            else ""
        )
    text = f"The {_plural(len(shown), 'finding')} that bear on the question, most relevant first"
    if rest:
        text += f"; the other {_plural(rest, 'extracted claim')} are in claims.csv and report.json (finding = no)"
    return text + "."


def build_report(data: RunData, remeasure: Remeasure | None | str = "auto", renderer_version: str = "") -> Report:
    """The whole report; ``remeasure="auto"`` uses the re-measurements stored in the verdicts."""
    outline = Outline(OUTLINE)
    number = outline.number
    rows = claim_rows(data) if data.claims is not None else []
    claims_section = Claims(number=number(Claims), rows=rows)
    shown = claims_section.shown()
    verdicts = data.verdicts or []
    papers = PaperCounts(
        found=_found_count(data) if data.papers is not None else 0,
        kept=len(data.papers or []),
        parsed=len(data.docs or []),
        failed=sum(1 for f in data.failures if f.stage in ("search", "parse") and f.left_out),
        pages_read=sum(d.pages_read for d in data.docs or []),
    )
    claims = _claim_counts(data, rows, shown)
    quality = assess(data).rounded()
    # of verified findings only: a claim not verified carries the probability of the way it leaned, often of "neither"
    # (0.95), and a mean over those read as high confidence in a run that verified nothing
    confs = [r.confidence for r in shown if r.verdict in ("supported", "refuted") and r.confidence is not None]
    sources, queries, search_settings = _search_lines(data.plan)
    by_kind = [
        KindTally(kind=k, verdicts=dict(Counter(r.verdict or "unverified" for r in shown if r.kind == k)))
        for k in sorted({r.kind for r in shown})
    ]
    if remeasure == "auto":
        remeasured, remeasure_note = _stored_remeasurements(data)
    elif callable(remeasure):
        remeasured, remeasure_note = _remeasure_all(data, remeasure)
    else:
        remeasured, remeasure_note = [], "no experiment linker was used"
    created = data.created
    references = _references(data)
    refnum = {r.id: i for i, r in enumerate(references, start=1)}
    cite = {r.id: r.cite for r in references}
    answer, coverage = _answer(data, refnum, cite)
    figures = verifier_figures(data) if verdicts else None
    syn = data.synthesis
    built: list[AnySection] = [
        _abstract(data, papers, claims, quality, outline, cite),
        _answer_section(data, outline, papers, cite),
        Introduction(number=number(Introduction), paragraphs=_introduction(data, outline), question=data.question),
        Methodology(
            number=number(Methodology),
            sources=sources,
            queries=queries,
            search_settings=search_settings,
            papers=papers,
            extractors=sorted({c.extractor for c in data.claims or []}),
            relevance=_relevance_lines(data),
            paper_scores=[
                PaperScore(
                    paper_id=p.paper_id,
                    reference=refnum.get(p.paper_id),
                    cite=cite.get(p.paper_id, p.paper_id),
                    score=p.score,
                    relevant=p.relevant,
                    facets=p.facets,
                )
                for p in (syn.papers if syn else [])
            ],
            models=_models(data),
            rules=sorted({v.rule for v in verdicts}),
            calibrations=sorted({v.calibration for v in verdicts}),
            evidence_policy="Evidence is retrieved only from papers other than the claim's sources; the passage that "
            "decided a verdict is shown first, and where passages point both ways the strongest supporting and the "
            "strongest contradicting one are shown.",
            decision=_decision_lines(data, figures),
            verifier=figures,
        ),
        Results(
            number=number(Results),
            papers=papers,
            claims=claims,
            by_kind=by_kind,
            mean_confidence=round(sum(confs) / len(confs), 4) if confs else None,
            quality=quality,
        ),
        Limitations(number=number(Limitations), items=_limitations(data, shown, cite)),
        claims_section.model_copy(update={"note": _claims_note(data, rows, shown)}),
        Remeasured(number=number(Remeasured), rows=remeasured, note=remeasure_note),
        References(number=number(References), references=references),
    ]
    section_of: dict[type[Section], AnySection] = {type(section): section for section in built}
    return Report(
        renderer_version=renderer_version,
        title=data.question,
        subtitle="What the literature says about the question, every claim checked against evidence from other papers",
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
        coverage=coverage,
        answer=answer,
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
