"""Stage 4: embed every chunk and build the FAISS index (reusing the shared cache, see :mod:`synth.retrieval.build`)
and the BM25 index over the same chunks (:mod:`synth.retrieval.lexical`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.io import read_jsonl
from synth.core.records import Chunk
from synth.core.stage_ids import CHUNK, INDEX
from synth.pipeline.base import Stage, StageContext
from synth.retrieval.build import index_chunks
from synth.retrieval.index import PassageIndex
from synth.retrieval.lexical import LexicalIndex


class IndexStage(Stage):
    name = INDEX
    version = "3"
    upstream = (CHUNK,)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        return {"settings": ctx.settings.index, "embedding_model": ctx.embedding_key}

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        chunks = read_jsonl(ctx.store.output(CHUNK, "chunks.jsonl"), Chunk)
        index, meta, counts = index_chunks(
            chunks,
            ctx.embedding_key,
            ctx.settings.index.flat_max,
            ctx.cache,
            ctx.embedder,
            ctx.ui.meter,
            ivfpq_min=ctx.settings.index.ivfpq_min,
        )
        PassageIndex.save(out, index, chunks, meta)
        LexicalIndex.build([c.text for c in chunks]).save(out)  # BM25 over the same rows: milliseconds per 1,000 chunks
        return counts
