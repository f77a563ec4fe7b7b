"""Stage 4: embed every chunk (cached by model and text hash) and build the FAISS index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.modelinfo import model_key
from synth.models import Chunk
from synth.retrieval import PassageIndex, build_index
from synth.store import read_jsonl

if TYPE_CHECKING:
    from synth.pipeline import StageContext

NAME = "04_index"
VERSION = "1"
UPSTREAM = ("03_chunk",)


def inputs(ctx: StageContext) -> dict[str, Any]:
    return {"settings": ctx.settings.index, "embedding_model": model_key(ctx.settings.embedding_model)}


def run(ctx: StageContext, out: Path) -> dict[str, Any]:
    chunks_path = ctx.store.output("03_chunk", "chunks.jsonl")
    chunks = read_jsonl(chunks_path, Chunk)
    embedder = ctx.embedder()
    texts = [c.text for c in chunks]
    batches = [texts[i : i + 512] for i in range(0, len(texts), 512)]
    parts, computed = [], 0
    for batch in ctx.ui.track(batches, "embedding chunks"):
        vectors, n = ctx.cache.embed(embedder.key, batch, embedder.encode)
        parts.append(vectors)
        computed += n
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    index, kind = build_index(vectors, ctx.settings.index.flat_max)
    PassageIndex.save(out, index, chunks, {"model_key": embedder.key, "dim": embedder.dim, "kind": kind, "n": len(chunks)})
    return {"chunks": len(chunks), "embedded": computed, "from_cache": len(chunks) - computed, "index": kind}
