"""One run's synthesis: relevance of papers and claims, the question's facets and their coverage, and the answer.

Pure functions of the run's records and an ``embed`` function (texts → unit vectors, the run's embedding model); the
synthesis stage supplies them, tests supply a fake. Nothing here loads a model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from synth.core.records import Chunk, Claim, Paper, Synthesis, Verdict, VerifierFigures
from synth.core.settings import SynthesisSettings
from synth.synthesis.answer import extractive_answer
from synth.synthesis.coverage import METHOD, Passage, claim_facets, coverage, passage_hits
from synth.synthesis.facets import facets
from synth.synthesis.relevance import MEASURE, findings, paper_relevance, profiles

Embed = Callable[[list[str]], np.ndarray]


@dataclass
class RunRecords:
    """What the synthesis reads from a run."""

    question: str
    papers: Sequence[Paper]
    chunks: Sequence[Chunk]
    claims: Sequence[Claim]
    verdicts: dict[str, Verdict]


def _embed(embed: Embed, texts: list[str], dim_hint: int = 1) -> np.ndarray:
    return np.asarray(embed(texts), dtype=np.float32) if texts else np.zeros((0, dim_hint), dtype=np.float32)


def synthesize(
    run: RunRecords,
    settings: SynthesisSettings,
    embed: Embed,
    embedding_model: str,
    verifier: VerifierFigures | None = None,
) -> Synthesis:
    """The extractive synthesis of ``run`` (the LLM writer, when configured, rewrites its answer afterwards)."""
    q = _embed(embed, [run.question])[0]
    found = facets(run.question)
    facet_vecs = _embed(embed, [f.text for f in found], len(q))
    texts, kinds = zip(*profiles(run.papers, run.chunks), strict=True) if run.papers else ((), ())
    profile_vecs = _embed(embed, list(texts), len(q))
    papers = paper_relevance(run.papers, kinds, profile_vecs @ q if len(profile_vecs) else np.zeros(0), settings.paper_threshold)
    relevant = {p.paper_id for p in papers if p.relevant}

    # passages of the papers that bear on the question: their chunks, and their title and abstract
    passages = [Passage(c.paper_id, c.text) for c in run.chunks if c.paper_id in relevant]
    chunk_vecs = _embed(embed, [c.text for c in run.chunks], len(q))
    vecs = [chunk_vecs[i] for i, c in enumerate(run.chunks) if c.paper_id in relevant]
    for paper, text, vec in zip(run.papers, texts, profile_vecs, strict=True):
        if paper.id in relevant:
            passages.append(Passage(paper.id, text))
            vecs.append(vec)
    by_facet, named, best = passage_hits(
        found, facet_vecs, passages, np.array(vecs) if vecs else np.zeros((0, len(q))), settings.facet_threshold
    )

    claim_vecs = _embed(embed, [c.text for c in run.claims], len(q))
    named_by_claim = claim_facets(
        found,
        run.claims,
        claim_vecs @ facet_vecs.T if len(claim_vecs) and len(found) else np.zeros((len(run.claims), len(found))),
        settings.claim_facet_threshold,
    )
    claim_rows = findings(
        run.claims,
        claim_vecs @ q if len(claim_vecs) else np.zeros(0),
        named_by_claim,
        relevant,
        settings.claim_threshold,
        settings.max_findings,
    )
    finding_order = [r.claim_id for r in sorted((r for r in claim_rows if r.finding), key=lambda r: r.rank or 0)]
    claims_by_id = {c.id: c for c in run.claims}
    # a finding that names a facet makes its paper one that addresses it, whatever the passage similarity
    for cid in finding_order:
        for fid in named_by_claim.get(cid, []):
            by_facet[fid].setdefault(claims_by_id[cid].paper_id, best.get(fid, 0.0))
    rows = coverage(found, by_facet, named, best, named_by_claim, finding_order)
    addressed_by: dict[str, list[str]] = {}
    for row in rows:
        for pid in row.papers:
            addressed_by.setdefault(pid, []).append(row.facet_id)
    papers = [p.model_copy(update={"facets": addressed_by.get(p.paper_id, [])}) for p in papers]
    answer = extractive_answer(found, rows, claim_rows, claims_by_id, run.verdicts, settings.sentences_per_facet)
    return Synthesis(
        question=run.question,
        embedding_model=embedding_model,
        measure=MEASURE.format(
            model=embedding_model.split("@")[0],
            chunks=2,
            paper=settings.paper_threshold,
            claim=settings.claim_threshold,
            cap=settings.max_findings,
        ),
        facet_method=METHOD.format(threshold=settings.facet_threshold, claim_threshold=settings.claim_facet_threshold),
        paper_threshold=settings.paper_threshold,
        claim_threshold=settings.claim_threshold,
        facet_threshold=settings.facet_threshold,
        claim_facet_threshold=settings.claim_facet_threshold,
        papers=papers,
        claims=claim_rows,
        facets=found,
        coverage=rows,
        answer=answer,
        writer="extractive",
        verifier=verifier,
    )
