"""Stage 5: extract claims from every paper, rank by relevance to the question, merge near-duplicates.

Extraction is per paper and delegated to the configured extractor (``rules`` offline by default, or ``llm``);
this stage owns what is common to both:

- relevance: cosine similarity of the claim to the question (the run's embedding model) plus a weight on the
  extractor's cue, which encodes the claim's kind and how clearly it is a checkable claim;
- self-containment: candidates whose opening pronoun or "this approach" could not be resolved are dropped;
- de-duplication: claims whose embeddings are nearly identical (cosine ≥ ``DUPLICATE_COSINE``) are merged into
  the most relevant one, keeping every source (the same finding stated in the abstract and the conclusion,
  or by two papers);
- budget: at most ``per_paper`` claims from one paper and ``max_claims`` in all;
- failures: a paper with no qualifying sentence is recorded as ``NoClaims`` (the report says so); a paper the
  extractor could not process (an LLM server error) is recorded with the error's message; when *every* paper
  fails that way the stage stops with that error instead of writing an empty claims file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.errors import SynthError
from synth.extract import get_extractor
from synth.extract.base import Candidate
from synth.modelinfo import model_key
from synth.models import Claim, ClaimSource, Failure, Paper, ParsedDoc, Sentence
from synth.store import read_jsonl, write_jsonl

if TYPE_CHECKING:
    from synth.pipeline import StageContext

NAME = "05_claims"
VERSION = "2"
UPSTREAM = ("01_search", "02_parse", "03_chunk")
CUE_WEIGHT = 0.25  # relevance = cosine(question, claim) + CUE_WEIGHT * cue
DUPLICATE_COSINE = 0.9


def inputs(ctx: StageContext) -> dict[str, Any]:
    settings = ctx.settings.claims
    extra: dict[str, Any] = {}
    if settings.extractor == "llm":
        from synth.prompts import load_prompt

        extra["prompt"] = load_prompt("extract_claims").digest  # an edited prompt re-runs the stage
    return {"question": ctx.question, "settings": settings, "embedding_model": model_key(ctx.settings.embedding_model), **extra}


def front_lines(doc: ParsedDoc | None) -> list[str]:
    """The first lines of a paper's first page (its title, when the search record lacks one)."""
    if doc is None:
        return []
    # any role: a short second title line can be mistaken for a table cell or a heading by the parser
    return [b.text for b in doc.blocks[:4] if b.page == 1 and b.kind != "references"]


def run(ctx: StageContext, out: Path) -> dict[str, Any]:
    papers = {p.id: p for p in read_jsonl(ctx.store.output("01_search", "papers.jsonl"), Paper)}
    docs = {d.paper_id: d for d in read_jsonl(ctx.store.output("02_parse", "docs.jsonl"), ParsedDoc)}
    by_paper: dict[str, list[Sentence]] = {}
    for s in read_jsonl(ctx.store.output("03_chunk", "sentences.jsonl"), Sentence):
        by_paper.setdefault(s.paper_id, []).append(s)
    settings = ctx.settings.claims
    extractor = get_extractor(settings)
    pool: list[Candidate] = []
    failures: list[Failure] = []
    errors: list[SynthError] = []
    rejected: dict[str, int] = {}
    dependent = 0
    for paper_id in sorted(docs.keys() | by_paper.keys()):
        paper = papers.get(paper_id)
        if paper is None:
            continue
        try:
            found = extractor.extract(paper, by_paper.get(paper_id, []), front_lines(docs.get(paper_id)))
        except SynthError as err:
            errors.append(err)
            failures.append(Failure(stage="claims", item=paper_id, error=type(err).__name__, message=str(err)))
            continue
        for reason, n in found.reasons.items():
            rejected[reason] = rejected.get(reason, 0) + n
        # a claim that still leans on the sentence before it ("This approach works poorly …") is not reported: the
        # reader cannot tell what it is about
        kept = [c for c in found.candidates if c.self_contained]
        dependent += len(found.candidates) - len(kept)
        if not kept:
            failures.append(
                Failure(
                    stage="claims",
                    item=paper_id,
                    error="NoClaims",
                    message=f"{paper_id}: no sentence qualifies as a checkable claim",
                )
            )
        pool.extend(kept)
    if errors and len(errors) == len(failures) and not pool:
        raise errors[0]  # nothing worked (e.g. the LLM server is down): say so instead of reporting zero claims
    ctx.store.set_failures("claims", failures)
    counts: dict[str, Any] = {
        "extractor": extractor.name,
        "candidates": len(pool),
        "not_self_contained": dependent,
        "rejected": rejected,
        "failed_papers": len(failures),
    }
    if not pool:
        write_jsonl(out / "claims.jsonl", [])
        return {**counts, "claims": 0, "merged_duplicates": 0}
    embedder = ctx.embedder()
    vectors, _ = ctx.cache.embed(embedder.key, [c.text for c in pool], embedder.encode)
    question = embedder.encode([ctx.question])[0]
    claims, merged = rank(pool, vectors, question, settings.max_claims, settings.per_paper, extractor.name)
    write_jsonl(out / "claims.jsonl", claims)
    return {**counts, "claims": len(claims), "merged_duplicates": merged}


def rank(
    pool: list[Candidate], vectors: np.ndarray, question: np.ndarray, max_claims: int, per_paper: int, extractor: str
) -> tuple[list[Claim], int]:
    """Order candidates by relevance, merge near-duplicates (keeping every source), apply the budgets."""
    relevance = vectors @ question + CUE_WEIGHT * np.array([c.cue for c in pool])
    order = sorted(range(len(pool)), key=lambda i: (-float(relevance[i]), pool[i].sentence.id))  # ties: stable, by sentence
    per: dict[str, int] = {}
    kept: list[int] = []
    merged: dict[int, list[int]] = {}
    for i in order:
        cand = pool[i]
        dup = next((k for k in kept if float(vectors[k] @ vectors[i]) >= DUPLICATE_COSINE), None)
        if dup is None and any(pool[k].sentence.text == cand.sentence.text for k in kept):
            dup = next(k for k in kept if pool[k].sentence.text == cand.sentence.text)
        if dup is not None:
            merged.setdefault(dup, []).append(i)
            continue
        paper_id = cand.sentence.paper_id
        if per.get(paper_id, 0) >= per_paper or len(kept) >= max_claims:
            continue
        per[paper_id] = per.get(paper_id, 0) + 1
        kept.append(i)
    claims = []
    for n, i in enumerate(kept):
        cand = pool[i]
        sources = [source_of(pool[j].sentence) for j in [i, *merged.get(i, [])]]
        claims.append(
            Claim(
                id=f"C{n + 1:03d}",
                text=cand.text,
                kind=cand.kind,
                sources=sources,
                numbers=cand.numbers,
                relevance=round(float(relevance[i]), 4),
                language=cand.language,
                extractor=extractor,
                note=cand.note,
            )
        )
    return claims, sum(len(v) for v in merged.values())


def source_of(s: Sentence) -> ClaimSource:
    return ClaimSource(
        paper_id=s.paper_id,
        sentence_id=s.id,
        page=s.page,
        section=s.section,
        char_start=s.char_start,
        char_end=s.char_end,
        original=s.text,
    )
