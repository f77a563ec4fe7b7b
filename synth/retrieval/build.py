"""Embedding every chunk and building the FAISS index, reusing what the shared cache already holds.

Nothing is redone for chunks already seen: embeddings come from the cache by (model, text hash), and an index over
the same chunk texts, in the same order, built by the same model and of the same kind, is loaded instead of being
rebuilt. When every vector is cached the embedding model is not even loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from synth.core.cache import Cache
from synth.core.io import fingerprint, sha256_text
from synth.core.records import Chunk
from synth.retrieval.embedding import Embedder
from synth.retrieval.index import HNSW_EF_SEARCH, build_index, deserialize_index, index_kind, serialize_index

BATCH = 512  # texts per cache lookup / progress step (the embedder batches within it)

Track = Callable[[Iterable[Any], str], Iterator[Any]]


def index_cache_key(model: str, kind: str, text_hashes: list[str]) -> str:
    """Key of a cached index: the model, the index kind and the *ordered* chunk-text hashes (row i is chunk i)."""
    return fingerprint({"model": model, "index": kind, "chunks": text_hashes})


def index_chunks(
    chunks: list[Chunk], model_key: str, flat_max: int, cache: Cache, get_embedder: Callable[[], Embedder], track: Track
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(the FAISS index with row i = chunk i, its metadata, counts of what was embedded or reused)."""
    kind = index_kind(len(chunks), flat_max)
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
        parts = []
        for batch in track([texts[i : i + BATCH] for i in range(0, len(texts), BATCH)], "embedding chunks"):
            part, n = cache.embed(model_key, batch, embedder.encode)
            parts.append(part)
            computed += n
        vectors = np.concatenate(parts) if parts else np.zeros((0, int(embedder.dim)), dtype=np.float32)
    dim = int(vectors.shape[1])
    index, kind = build_index(vectors, flat_max, dim=dim)
    meta = _meta(model_key, dim, kind, len(chunks))
    cache.put_index(index_cache_key(model_key, kind, text_hashes), serialize_index(index), meta)
    counts = {"chunks": len(chunks), "embedded": computed, "from_cache": len(chunks) - computed, "index": kind,
              "index_from_cache": False}  # fmt: skip
    return index, meta, counts


def _meta(model: str, dim: int, kind: str, n: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"model_key": model, "dim": dim, "kind": kind, "n": n}
    if kind != "flat":
        meta["ef_search"] = HNSW_EF_SEARCH
    return meta
