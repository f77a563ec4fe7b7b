"""BM25 over the passages (bm25s) and its fusion with the dense index."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from synth.core.records import Chunk
from synth.retrieval.hybrid import HybridIndex
from synth.retrieval.index import PassageIndex, build_index
from synth.retrieval.lexical import LexicalIndex, tokens

TEXTS = ["XLM-R reaches 79.2 accuracy on XNLI.", "mBERT transfers zero-shot across languages.", "The cat sat.", ""]


def test_tokens_keep_names_and_decimals_whole() -> None:
    assert tokens("XLM-R gets 79.2% on XNLI (Conneau et al.)") == ["xlm-r", "gets", "79.2", "xnli", "conneau", "et", "al"]


def test_exact_names_and_numbers_rank_first_and_masked_rows_never_return(tmp_path: Path) -> None:
    index = LexicalIndex.build(TEXTS)
    assert index.search("XNLI 79.2 XLM-R", 2)[0][0] == 0
    assert index.search("XNLI 79.2 XLM-R", 2, allowed=np.array([0, 1, 1, 1], dtype=np.float32)) == []
    index.save(tmp_path)
    assert LexicalIndex.load(tmp_path, len(TEXTS)).search("zero-shot mBERT", 1)[0][0] == 1


def test_fusion_finds_what_either_retriever_finds() -> None:
    chunks = [
        Chunk(id=f"p{i}#c0", paper_id=f"p{i}", page_start=1, page_end=1, section="s", char_start=0, char_end=len(t),
              sentence_ids=[], text=t)
        for i, t in enumerate(TEXTS)
    ]  # fmt: skip
    vectors = np.eye(4, dtype=np.float32)  # the dense index finds only what points the query's way
    dense, _ = build_index(vectors, flat_max=10)
    hybrid = HybridIndex(PassageIndex(dense, chunks, {"model_key": "m", "dim": 4}), LexicalIndex.build(TEXTS))
    hits = hybrid.search("mBERT zero-shot", vectors[2], k=2)
    assert {h.chunk.paper_id for h in hits} == {"p1", "p2"}  # lexical finds p1, dense finds p2
    assert all(h.chunk.paper_id != "p1" for h in hybrid.search("mBERT zero-shot", vectors[2], k=2, exclude_papers={"p1"}))
