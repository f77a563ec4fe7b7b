"""The answer: per facet the literature addresses, a short paragraph built from the findings that name it.

Offline the answer is extractive: each sentence is one finding's text as the claims stage wrote it (decontextualised,
checked against its source sentence), never reworded, with the claim id, the paper it comes from and, for a verified
claim, the paper whose passage decided the verdict. Verified claims come first; a claim that is not verified is marked
so, with the way its evidence leaned. Where papers disagree it says so: a finding refuted by another paper's passage,
or two findings of different papers that move the same metric on the same dataset in opposite directions.

With an LLM writer (:mod:`synth.synthesis.writer`) the paragraph may be rewritten, but each of its sentences must cite
findings of that paragraph and be entailed, by the verifier, by the passages those findings were read from; a sentence
that is not is dropped and counted, and a facet left with no sentence keeps its extractive paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence

from synth.core.records import AnswerParagraph, AnswerSentence, Claim, ClaimRelevance, Facet, FacetCoverage, Verdict

_STATUS_ORDER = {"supported": 0, "refuted": 1, "not_verified": 2}
_LEAN_ORDER = {"supported": 0, None: 1, "refuted": 2}


def _status(verdict: Verdict | None) -> str:
    if verdict is None or verdict.label == "not_enough_evidence":
        return "not_verified"
    return verdict.label


def deciding_paper(verdict: Verdict | None) -> str | None:
    """The paper whose passage decided a supported / refuted verdict (runs without roles: the first passage)."""
    if verdict is None or verdict.label == "not_enough_evidence" or not verdict.evidence:
        return None
    deciding = next((e for e in verdict.evidence if e.role == "deciding"), None)
    if deciding is None and "role" not in verdict.evidence[0].model_fields_set:
        deciding = verdict.evidence[0]
    return deciding.paper_id if deciding else None


def claim_sentence(claim: Claim, verdict: Verdict | None) -> AnswerSentence:
    """One finding as an answer sentence: its text verbatim, its sources and, when decided, the deciding paper."""
    papers = list(dict.fromkeys(s.paper_id for s in claim.sources))
    decider = deciding_paper(verdict)
    if decider and decider not in papers:
        papers.append(decider)
    status = _status(verdict)
    return AnswerSentence(
        text=claim.text,
        claims=[claim.id],
        papers=papers,
        status=status,  # type: ignore[arg-type]
        leaning=verdict.leaning if verdict is not None and status == "not_verified" else None,
    )


def _opposed(a: Claim, b: Claim) -> str | None:
    """ "accuracy on XNLI" when two claims of different papers move that metric on that dataset in opposite directions."""
    if a.paper_id == b.paper_id:
        return None
    for x in a.numbers:
        for y in b.numbers:
            if (
                x.metric
                and x.dataset
                and (x.metric.lower(), x.dataset.lower()) == ((y.metric or "").lower(), (y.dataset or "").lower())
                and {x.direction, y.direction} == {"increase", "decrease"}
            ):
                return f"{x.metric} on {x.dataset}"
    return None


def disagreements(chosen: Sequence[Claim]) -> list[AnswerSentence]:
    """A sentence for each pair of chosen findings that report opposite changes of the same metric on the same data."""
    out = []
    for i, a in enumerate(chosen):
        for b in chosen[i + 1 :]:
            what = _opposed(a, b)
            if what:
                up, down = (a, b) if any(n.direction == "increase" for n in a.numbers) else (b, a)
                out.append(
                    AnswerSentence(
                        text=f"The papers disagree on {what}: {up.id} reports an increase, {down.id} a decrease.",
                        claims=[up.id, down.id],
                        papers=list(dict.fromkeys([up.paper_id, down.paper_id])),
                        status="disagreement",
                    )
                )
    return out


def extractive_answer(
    found: Sequence[Facet],
    rows: Sequence[FacetCoverage],
    relevance: Sequence[ClaimRelevance],
    claims: dict[str, Claim],
    verdicts: dict[str, Verdict],
    per_facet: int,
) -> list[AnswerParagraph]:
    """One paragraph per addressed facet, from the findings most about it (verified first, then by relevance); the
    findings past ``per_facet`` are listed by id, and findings told under another facet are pointed to."""
    score = {r.claim_id: r.score for r in relevance}
    primary = {r.claim_id: r.facets[0] for r in relevance if r.finding and r.facets}
    by_id = {f.id: f for f in found}

    def order(cid: str) -> tuple[int, int, float, str]:
        v = verdicts.get(cid)
        return (_STATUS_ORDER[_status(v)], _LEAN_ORDER[v.leaning if v else None], -score.get(cid, 0.0), cid)

    out: list[AnswerParagraph] = []
    for row in rows:
        if not row.addressed:
            continue
        own = sorted((c for c in row.claims if primary.get(c) == row.facet_id and c in claims), key=order)
        elsewhere = [c for c in row.claims if primary.get(c) != row.facet_id and c in claims]
        chosen, rest = own[:per_facet], own[per_facet:]
        sentences = [claim_sentence(claims[c], verdicts.get(c)) for c in chosen]
        sentences += disagreements([claims[c] for c in chosen])
        if rest:
            unverified = all(_status(verdicts.get(c)) == "not_verified" for c in rest)
            sentences.append(
                AnswerSentence(
                    text=f"{len(rest)} more {'finding addresses' if len(rest) == 1 else 'findings address'} this part"
                    + (", none of them verified" if unverified else "")
                    + f": {', '.join(sorted(rest))}",
                    claims=sorted(rest),
                    papers=list(dict.fromkeys(claims[c].paper_id for c in rest)),
                    status="more",
                )
            )
        if elsewhere:
            sentences.append(
                AnswerSentence(
                    text=f"{'A finding' if len(elsewhere) == 1 else 'Findings'} given under another part of the question "
                    f"{'bears' if len(elsewhere) == 1 else 'bear'} on this one too: {', '.join(elsewhere)}",
                    claims=elsewhere,
                    papers=list(dict.fromkeys(claims[c].paper_id for c in elsewhere)),
                    status="more",
                )
            )
        if not sentences:
            sentences = [
                AnswerSentence(
                    text=f"No finding about “{by_id[row.facet_id].text}” was extracted, although these papers discuss it",
                    claims=[],
                    papers=row.papers[:3],
                    status="mentioned",
                )
            ]
        out.append(AnswerParagraph(facet=row.facet, facet_id=row.facet_id, sentences=sentences))
    return out
