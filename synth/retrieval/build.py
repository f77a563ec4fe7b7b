"""Embedding every chunk and building the FAISS index, reusing what the shared cache already holds.

Nothing is redone for chunks already seen: embeddings come from the cache by (model, text hash), and an index over
the same chunk texts, in the same order, built by the same model and of the same kind, is loaded instead of being
rebuilt. When every vector is cached the embedding model is not even loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

from synth.core.cache import Cache
from synth.core.io import fingerprint, sha256_text
from synth.core.records import Chunk
from synth.retrieval.embedding import Embedder
from synth.retrieval.index import (
    IVFPQ_MIN,
    build_index,
    deserialize_index,
    index_kind,
    search_params,
    serialize_index,
)

GROUP = 4096  # texts embedded between two writes to the cache (a killed run keeps what it embedded)

Meter = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


def index_cache_key(model: str, kind: str, text_hashes: list[str]) -> str:
    """Key of a cached index: the model, the index kind and the *ordered* chunk-text hashes (row i is chunk i)."""
    return fingerprint({"model": model, "index": kind, "chunks": text_hashes})


def index_chunks(
    chunks: list[Chunk],
    model_key: str,
    flat_max: int,
    cache: Cache,
    get_embedder: Callable[[], Embedder],
    meter: Meter | None = None,
    ivfpq_min: int = IVFPQ_MIN,
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(the FAISS index with row i = chunk i, its metadata, counts of what was embedded or reused).

    ``meter(description, total)`` shows progress over the chunks that are not cached yet, advanced per batch.
    """
    kind = index_kind(len(chunks), flat_max, ivfpq_min)
    text_hashes = [sha256_text(c.text) for c in chunks]
    cached = cache.get_index(index_cache_key(model_key, kind, text_hashes))
    if cached is not None:
        data, meta = cached
        index = deserialize_index(data)
        if int(index.ntotal) == len(chunks) and meta.get("model_key") == model_key:
            counts = {"chunks": len(chunks), "embedded": 0, "from_cache": len(chunks), "index": kind, "index_from_cache": True}
            return index, _meta(model_key, int(index.d), kind, len(chunks)), counts

    texts = [c.text for c in chunks]
    vectors = cache.cached_vectors(model_key, texts)
    computed = 0
    if vectors is None:
        embedder = get_embedder()  # loaded only when some chunk has no cached vector
        model_key = embedder.key
        missing = cache.missing(model_key, texts)
        parts = []
        progress = meter("embedding chunks", missing) if meter is not None else nullcontext(lambda n: None)
        with progress as advance:
            for start in range(0, len(texts), GROUP):
                part, n = cache.embed(model_key, texts[start : start + GROUP], lambda batch: _encode(embedder, batch, advance))
                parts.append(part)
                computed += n
        vectors = np.concatenate(parts) if parts else np.zeros((0, int(embedder.dim)), dtype=np.float32)
    dim = int(vectors.shape[1])
    index, kind = build_index(vectors, flat_max, dim=dim, ivfpq_min=ivfpq_min)
    meta = _meta(model_key, dim, kind, len(chunks))
    cache.put_index(index_cache_key(model_key, kind, text_hashes), serialize_index(index), meta)
    counts = {"chunks": len(chunks), "embedded": computed, "from_cache": len(chunks) - computed, "index": kind,
              "index_from_cache": False}  # fmt: skip
    return index, meta, counts


def _encode(embedder: Embedder, texts: list[str], advance: Callable[[int], None]) -> np.ndarray:
    """``embedder.encode(texts)``, advancing the stage's meter per batch."""
    if isinstance(embedder, Embedder):
        return embedder.encode(texts, advance=advance)
    vectors = embedder.encode(texts)  # a stand-in model (tests): one step
    advance(len(texts))
    return vectors


def _meta(model: str, dim: int, kind: str, n: int) -> dict[str, Any]:
    return {"model_key": model, "dim": dim, "kind": kind, "n": n, **search_params(kind)}
