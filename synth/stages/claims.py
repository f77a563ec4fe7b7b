"""Stage 5: extract claims from every paper, rank by relevance to the question, merge near-duplicates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.extract.rules import Candidate, candidates
from synth.modelinfo import model_key
from synth.models import Claim, ClaimSource, Failure, Paper, ParsedDoc, Sentence
from synth.store import read_jsonl, write_jsonl

if TYPE_CHECKING:
    from synth.pipeline import StageContext

NAME = "05_claims"
VERSION = "1"
UPSTREAM = ("01_search", "02_parse", "03_chunk")
KIND_BONUS = {"numeric": 0.06, "comparative": 0.05, "finding": 0.03, "limitation": 0.02, "background": 0.0}
DUPLICATE_COSINE = 0.9


def inputs(ctx: StageContext) -> dict[str, Any]:
    return {"question": ctx.question, "settings": ctx.settings.claims, "embedding_model": model_key(ctx.settings.embedding_model)}


def run(ctx: StageContext, out: Path) -> dict[str, Any]:
    papers = {p.id: p for p in read_jsonl(ctx.store.output("01_search", "papers.jsonl"), Paper)}
    docs = {d.paper_id: d for d in read_jsonl(ctx.store.output("02_parse", "docs.jsonl"), ParsedDoc)}
    by_paper: dict[str, list[Sentence]] = {}
    for s in read_jsonl(ctx.store.output("03_chunk", "sentences.jsonl"), Sentence):
        by_paper.setdefault(s.paper_id, []).append(s)
    settings = ctx.settings.claims
    pool: list[Candidate] = []
    failures: list[Failure] = []
    for paper_id, sents in by_paper.items():
        found = candidates(sents, papers[paper_id])
        if not found:
            failures.append(Failure(stage="claims", item=paper_id, error="NoClaims", message=f"{paper_id}: no checkable claims found"))
        pool.extend(found)
    ctx.store.set_failures("claims", failures)
    if not pool:
        write_jsonl(out / "claims.jsonl", [])
        return {"candidates": 0, "claims": 0}
    embedder = ctx.embedder()
    vectors, _ = ctx.cache.embed(embedder.key, [c.text for c in pool], embedder.encode)
    question = embedder.encode([ctx.question])[0]
    relevance = vectors @ question + np.array([KIND_BONUS[c.kind] for c in pool])
    order = np.argsort(-relevance)
    per_paper: dict[str, int] = {}
    kept: list[int] = []
    merged: dict[int, list[int]] = {}
    for i in order:
        cand = pool[i]
        dup = next((k for k in kept if float(vectors[k] @ vectors[i]) >= DUPLICATE_COSINE), None)
        if dup is not None:
            merged.setdefault(dup, []).append(int(i))
            continue
        if per_paper.get(cand.sentence.paper_id, 0) >= settings.per_paper or len(kept) >= settings.max_claims:
            continue
        per_paper[cand.sentence.paper_id] = per_paper.get(cand.sentence.paper_id, 0) + 1
        kept.append(int(i))
    claims = []
    for rank, i in enumerate(kept):
        cand = pool[i]
        sources = [_source(pool[j].sentence) for j in [i, *merged.get(i, [])]]
        claims.append(
            Claim(
                id=f"C{rank + 1:03d}",
                text=cand.text,
                kind=cand.kind,
                sources=sources,
                numbers=cand.numbers,
                relevance=round(float(relevance[i]), 4),
                language=docs[cand.sentence.paper_id].language if cand.sentence.paper_id in docs else "en",
                extractor="rules",
            )
        )
    write_jsonl(out / "claims.jsonl", claims)
    return {"candidates": len(pool), "claims": len(claims), "merged_duplicates": sum(len(v) for v in merged.values())}


def _source(s: Sentence) -> ClaimSource:
    return ClaimSource(
        paper_id=s.paper_id, sentence_id=s.id, page=s.page, section=s.section, char_start=s.char_start, char_end=s.char_end, original=s.text
    )
