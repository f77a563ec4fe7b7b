"""The passage index: FAISS inner product over normalised embeddings, with its chunks beside it (JSONL, never pickle).

Used by verification (evidence per claim) and by `synth search-passages`. An index remembers the embedding
model that built it and refuses queries embedded by another model or of another dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synth.errors import IndexMismatchError
from synth.models import Chunk
from synth.store import read_json, read_jsonl, write_json

HNSW_M = 32


def build_index(vectors: np.ndarray, flat_max: int) -> tuple[Any, str]:
    """Exact flat search up to ``flat_max`` vectors, HNSW above (recall ≈ 0.95+ at a fraction of the cost)."""
    import faiss

    n, dim = vectors.shape if vectors.size else (0, 0)
    if n <= flat_max:
        index = faiss.IndexFlatIP(max(dim, 1))
        kind = "flat"
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
        kind = f"hnsw(M={HNSW_M},efSearch=128)"
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index, kind


@dataclass
class Hit:
    chunk: Chunk
    score: float


class PassageIndex:
    def __init__(self, index: Any, chunks: list[Chunk], meta: dict[str, Any]) -> None:
        self.index = index
        self.chunks = chunks
        self.meta = meta

    @property
    def model_key(self) -> str:
        return str(self.meta["model_key"])

    @classmethod
    def save(cls, folder: Path, index: Any, chunks: list[Chunk], meta: dict[str, Any]) -> None:
        import faiss

        faiss.write_index(index, str(folder / "index.faiss"))
        write_json(folder / "index.json", {**meta, "chunk_ids": [c.id for c in chunks]})

    @classmethod
    def load(cls, index_dir: Path, chunks_path: Path) -> PassageIndex:
        import faiss

        meta = read_json(index_dir / "index.json")
        by_id = {c.id: c for c in read_jsonl(chunks_path, Chunk)}
        chunks = [by_id[i] for i in meta.pop("chunk_ids")]
        return cls(faiss.read_index(str(index_dir / "index.faiss")), chunks, meta)

    def check(self, model_key: str, dim: int) -> None:
        if model_key != self.model_key or dim != int(self.meta["dim"]):
            raise IndexMismatchError(
                f"index was built with {self.model_key} (dim {self.meta['dim']}); query embedded with {model_key} (dim {dim})"
            )

    def search(self, query: np.ndarray, k: int, exclude_papers: set[str] | None = None) -> list[Hit]:
        """Top-k chunks for one normalised query vector, skipping chunks of ``exclude_papers``."""
        if not self.chunks:
            return []
        exclude = exclude_papers or set()
        fetch = min(len(self.chunks), max(k * 4, k + 20))
        while True:
            scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), fetch)
            hits = [Hit(self.chunks[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
            kept = [h for h in hits if h.chunk.paper_id not in exclude]
            if len(kept) >= k or fetch >= len(self.chunks):
                return kept[:k]
            fetch = min(len(self.chunks), fetch * 4)
