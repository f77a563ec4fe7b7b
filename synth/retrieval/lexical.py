"""Lexical retrieval (BM25, through the maintained ``bm25s`` library) over the same passages as the dense index.

Dense retrieval finds paraphrases but blurs names and numbers: "XLM-R reaches 79.2 on XNLI" is as close to any
sentence about cross-lingual accuracy as to the one that states 79.2. BM25 rewards the exact model, dataset and
metric names a claim shares with a passage, so the two are fused (:mod:`synth.retrieval.hybrid`). The index is
stored as bm25s's own numpy arrays and JSON vocabulary (never pickle), beside ``index.faiss``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

# word pieces that carry meaning in scientific text: words, numbers with their decimals, names like "XLM-R", "F1"
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*")
_STOP = frozenset(
    "a an and are as at be been but by can could did do does for from had has have in into is it its may might of on "
    "or our such than that the their them then there these they this those to was we were what when which while who "
    "will with would also not no".split()
)


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens without stop words (hyphenated names and decimals kept whole)."""
    return [t for t in (m.group(0).lower() for m in _TOKEN.finditer(text)) if t not in _STOP]


class LexicalIndex:
    """BM25 over a fixed, ordered list of passages (row i = passage i, as in the dense index)."""

    FOLDER = "bm25"

    def __init__(self, model: Any, n: int) -> None:
        self.model = model
        self.n = n

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        if not texts:  # nothing to index (a search that found no paper): an index that finds nothing
            return cls(None, 0)
        model = bm25s.BM25()
        # a passage with no token still gets a row (an empty token list), so rows stay aligned with the dense index
        model.index([tokens(t) or ["\x00"] for t in texts], show_progress=False)
        return cls(model, len(texts))

    def save(self, folder: Path) -> None:
        if self.model is not None:
            self.model.save(str(folder / self.FOLDER), show_progress=False)

    @classmethod
    def load(cls, folder: Path, n: int) -> LexicalIndex:
        import bm25s

        if n == 0:
            return cls(None, 0)
        return cls(bm25s.BM25.load(str(folder / cls.FOLDER), show_progress=False), n)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score) for ``query``; ``allowed`` is a 0/1 mask over rows (e.g. other papers' passages)."""
        q = tokens(query)
        if not q or self.model is None or k <= 0:
            return []
        k = min(k, self.n if allowed is None else int(allowed.sum()))
        if k <= 0:
            return []
        rows, scores = self.model.retrieve(
            [q], k=k, show_progress=False, weight_mask=None if allowed is None else allowed.astype(np.float32)
        )
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]
