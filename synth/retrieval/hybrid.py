"""Hybrid retrieval: dense (FAISS) and lexical (BM25) results fused by reciprocal rank.

Reciprocal rank fusion (Cormack et al., SIGIR 2009: score = sum over the two lists of 1 / (60 + rank)) needs no
score calibration between two very different scorers and is robust to either list being empty; 60 is their
constant. A passage only one retriever finds can still enter the top k, which is the point: names and numbers
(lexical) and paraphrases (dense).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from synth.retrieval.index import Hit, PassageIndex
from synth.retrieval.lexical import LexicalIndex

RRF_K = 60


class HybridIndex:
    """A dense index and, when the run has one, the lexical index over the same rows."""

    def __init__(self, dense: PassageIndex, lexical: LexicalIndex | None) -> None:
        if lexical is not None and lexical.n != len(dense.chunks):
            raise ValueError(f"lexical index has {lexical.n} rows, dense index {len(dense.chunks)}")
        self.dense = dense
        self.lexical = lexical
        self._row = {c.id: i for i, c in enumerate(dense.chunks)}

    @classmethod
    def load(cls, index_dir: Path, chunks_path: Path) -> HybridIndex:
        dense = PassageIndex.load(index_dir, chunks_path)
        folder = index_dir / LexicalIndex.FOLDER
        lexical = LexicalIndex.load(index_dir, len(dense.chunks)) if folder.is_dir() or not dense.chunks else None
        return cls(dense, lexical)

    @property
    def kind(self) -> str:
        return "hybrid (dense + BM25, reciprocal rank fusion)" if self.lexical else "dense"

    def search(self, text: str, vector: np.ndarray, k: int, exclude_papers: set[str] | None = None) -> list[Hit]:
        """Top-k chunks for a query, fused from ``2k`` dense and ``2k`` lexical candidates; ``Hit.score`` is the RRF score."""
        exclude = exclude_papers or set()
        dense = self.dense.search(vector, 2 * k, exclude_papers=exclude)
        ranked: dict[int, float] = {}
        for rank, hit in enumerate(dense):
            row = self._row[hit.chunk.id]
            ranked[row] = ranked.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        if self.lexical is not None:
            allowed = np.array([c.paper_id not in exclude for c in self.dense.chunks], dtype=np.float32)
            for rank, (row, _) in enumerate(self.lexical.search(text, 2 * k, allowed)):
                ranked[row] = ranked.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(ranked.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [Hit(self.dense.chunks[row], score) for row, score in best]
