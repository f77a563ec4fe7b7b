"""Which papers and claims bear on the question: a stated measure, a stated threshold, every score kept.

Papers: the cosine similarity of the question with the paper's title and abstract (its title and first two chunks
when no abstract was recorded), in the run's embedding space. A paper *bears on the question* when that similarity
reaches ``synthesis.paper_threshold``. The default, 0.40, was read off all-MiniLM-L6-v2 on the shared corpus: a
question from another field (intermittent fasting, over NLP papers) scores every paper below 0.05, papers from the
question's field score 0.25–0.45 and the papers that study it 0.45–0.66. Another embedding model needs its own
threshold.

Claims: a claim is presented as a *finding* when its paper bears on the question and the claim itself does, by its
cosine similarity to the question (``synthesis.claim_threshold``) or by naming one of the question's facets. Findings
are ranked by that similarity and cut at ``synthesis.max_findings``; the rest stay in ``claims.jsonl``, flagged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synth.core.records import Chunk, Claim, ClaimRelevance, Paper, PaperRelevance

PROFILE_CHUNKS = 2  # chunks that stand in for a missing abstract

MEASURE = (
    "cosine similarity, in the run's embedding space ({model}), of the question with each paper's title and abstract "
    "(its title and first {chunks} chunks when no abstract was recorded) and with each claim's text; a paper bears on "
    "the question from {paper:g}; a claim of such a paper is a finding from {claim:g}, or when it names a facet of the "
    "question; findings are ranked by their similarity and at most {cap} are presented"
)


def profiles(papers: Sequence[Paper], chunks: Sequence[Chunk]) -> list[tuple[str, str]]:
    """Per paper, the text the question is compared with and what it is (``PaperRelevance.profile``)."""
    first: dict[str, list[str]] = {}
    for chunk in chunks:
        taken = first.setdefault(chunk.paper_id, [])
        if len(taken) < PROFILE_CHUNKS:
            taken.append(chunk.text)
    out = []
    for p in papers:
        if p.abstract.strip():
            out.append((f"{p.title}. {p.abstract}", "title+abstract"))
        elif first.get(p.id):
            out.append((" ".join([p.title, *first[p.id]]), "title+first chunks"))
        else:
            out.append((p.title, "title"))
    return out


def paper_relevance(papers: Sequence[Paper], kinds: Sequence[str], scores: np.ndarray, threshold: float) -> list[PaperRelevance]:
    """Every paper's score against the threshold, most relevant first (ties: by id)."""
    rows = [
        PaperRelevance(paper_id=p.id, score=round(float(s), 4), profile=kind, relevant=bool(s >= threshold))  # type: ignore[arg-type]
        for p, kind, s in zip(papers, kinds, scores, strict=True)
    ]
    return sorted(rows, key=lambda r: (-r.score, r.paper_id))


def findings(
    claims: Sequence[Claim],
    scores: np.ndarray,
    claim_facets: dict[str, list[str]],
    relevant_papers: set[str],
    threshold: float,
    cap: int,
) -> list[ClaimRelevance]:
    """Every claim's relevance, in claims.jsonl order; the findings are ranked 1… by similarity and cut at ``cap``."""
    eligible = [
        i for i, c in enumerate(claims) if c.paper_id in relevant_papers and (scores[i] >= threshold or claim_facets.get(c.id))
    ]
    ranked = sorted(eligible, key=lambda i: (-float(scores[i]), claims[i].id))[:cap]
    rank = {i: n for n, i in enumerate(ranked, start=1)}
    return [
        ClaimRelevance(
            claim_id=c.id,
            score=round(float(scores[i]), 4),
            facets=claim_facets.get(c.id, []),
            finding=i in rank,
            rank=rank.get(i),
        )
        for i, c in enumerate(claims)
    ]
