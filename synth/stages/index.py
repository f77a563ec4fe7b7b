"""Stage 4: embed every chunk (cached by model and text hash) and build the FAISS index (cached by chunk set).

Nothing is redone for chunks already seen: embeddings come from the shared SQLite cache, and an index over the
same chunk texts, in the same order, built by the same model and of the same kind, is loaded from the shared
cache instead of being rebuilt. When every vector is cached the embedding model is not even loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from synth.core.modelref import model_key
from synth.core.records import Chunk
from synth.retrieval.index import HNSW_EF_SEARCH, PassageIndex, build_index, deserialize_index, index_kind, serialize_index
from synth.core.io import fingerprint, read_jsonl, sha256_text
from synth.core.stage_ids import CHUNK, INDEX
from synth.pipeline.base import Stage, StageContext

BATCH = 512  # texts per cache lookup / progress step (the embedder batches within it)


def index_cache_key(model: str, kind: str, text_hashes: list[str]) -> str:
    """Key of a cached index: the model, the index kind and the *ordered* chunk-text hashes (row i is chunk i)."""
    return fingerprint({"model": model, "index": kind, "chunks": text_hashes})


class IndexStage(Stage):
    name = INDEX
    version = "2"
    upstream = (CHUNK,)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        return {"settings": ctx.settings.index, "embedding_model": model_key(ctx.settings.embedding_model)}

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        chunks = read_jsonl(ctx.store.output(CHUNK, "chunks.jsonl"), Chunk)
        key_of_model = model_key(ctx.settings.embedding_model)
        kind = index_kind(len(chunks), ctx.settings.index.flat_max)
        text_hashes = [sha256_text(c.text) for c in chunks]
        cache_key = index_cache_key(key_of_model, kind, text_hashes)
        cached = ctx.cache.get_index(cache_key)
        if cached is not None:
            data, meta = cached
            index = deserialize_index(data)
            if int(index.ntotal) == len(chunks) and meta.get("model_key") == key_of_model:
                PassageIndex.save(out, index, chunks, _meta(key_of_model, int(index.d), kind, len(chunks)))
                return {"chunks": len(chunks), "embedded": 0, "from_cache": len(chunks), "index": kind, "index_from_cache": True}

        texts = [c.text for c in chunks]
        vectors = ctx.cache.cached_vectors(key_of_model, texts)
        computed = 0
        if vectors is None:
            embedder = ctx.embedder()  # loaded only when some chunk has no cached vector
            key_of_model = embedder.key
            batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
            parts = []
            for batch in ctx.ui.track(batches, "embedding chunks"):
                part, n = ctx.cache.embed(key_of_model, batch, embedder.encode)
                parts.append(part)
                computed += n
            dim = int(embedder.dim)
            vectors = np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
            cache_key = index_cache_key(key_of_model, kind, text_hashes)
        dim = int(vectors.shape[1])
        index, kind = build_index(vectors, ctx.settings.index.flat_max, dim=dim)
        meta = _meta(key_of_model, dim, kind, len(chunks))
        PassageIndex.save(out, index, chunks, meta)
        ctx.cache.put_index(cache_key, serialize_index(index), meta)
        return {
            "chunks": len(chunks),
            "embedded": computed,
            "from_cache": len(chunks) - computed,
            "index": kind,
            "index_from_cache": False,
        }


def _meta(model: str, dim: int, kind: str, n: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"model_key": model, "dim": dim, "kind": kind, "n": n}
    if kind != "flat":
        meta["ef_search"] = HNSW_EF_SEARCH
    return meta
