"""The evidence windows a claim is tested against: retrieved, cut to the model's window, de-duplicated, re-ranked.

Candidates come from hybrid retrieval over passages of *other* papers (a paper's own sentence proves only that it
said it). Each chunk is cut into sentence windows (:func:`~synth.verification.windows.premise_windows`); the same
window reached through two overlapping chunks is kept once. Windows are then re-ranked for the claim:

    score = 2 · cos(claim, window) − hub(window) + OVERLAP_WEIGHT · overlap(claim, window)

where ``hub(window)`` is the window's mean similarity to its nearest claims of the run (the CSLS correction of
Conneau et al., 2018): a generic sentence ("In this paper, we focus on cross-lingual models …") that is close to
every claim is pushed down, a passage close to one claim only is not. With a single claim the correction cancels
(hub = cos). ``overlap`` is the share of the claim's content words (names, numbers) the window contains. Only the
best ``windows_per_claim`` windows go to the cross-encoder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from synth.core.records import Chunk, Sentence
from synth.retrieval.hybrid import HybridIndex
from synth.retrieval.lexical import tokens
from synth.verification.windows import premise_windows

OVERLAP_WEIGHT = 0.3
HUB_NEIGHBOURS = 10

Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised vectors (cached by the caller)


@dataclass(frozen=True)
class Window:
    """One premise for the NLI model, where it came from and how it ranked for its claim."""

    text: str
    chunk: Chunk | None  # None for evidence the user gave (synth check) or oracle abstracts
    similarity: float  # cosine of the bi-encoder embeddings of claim and window
    overlap: float  # share of the claim's content tokens found in the window
    score: float  # the re-rank score above


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def overlap(claim: str, window: str) -> float:
    """Share of the claim's content tokens (stop words removed) that occur in the window."""
    wanted = set(tokens(claim))
    return len(wanted & set(tokens(window))) / len(wanted) if wanted else 0.0


def retrieved_candidates(
    texts: Sequence[str],
    vectors: np.ndarray,
    own_papers: Sequence[set[str]],
    index: HybridIndex,
    sentences: dict[str, Sentence],
    top_k: int,
    budget: Callable[[str], int],
    count_tokens: Callable[[str], int],
) -> list[list[tuple[str, Chunk | None]]]:
    """Per claim, the windows of its top-k chunks from other papers (hybrid retrieval), each window once."""
    out: list[list[tuple[str, Chunk | None]]] = []
    for text, vector, own in zip(texts, vectors, own_papers, strict=True):
        seen: set[str] = set()
        windows: list[tuple[str, Chunk | None]] = []
        for hit in index.search(text, vector, top_k, exclude_papers=own):
            members = [sentences[i] for i in hit.chunk.sentence_ids if i in sentences]
            parts = [m.text for m in members] or [hit.chunk.text]
            for w in premise_windows(parts, budget(text), count_tokens):
                if _key(w) not in seen:
                    seen.add(_key(w))
                    windows.append((w, _narrowed(hit.chunk, members, w)))
        out.append(windows)
    return out


def _narrowed(chunk: Chunk, members: list[Sentence], window: str) -> Chunk:
    """The chunk as the window's source: its pages narrowed to those of the sentences the window holds, so the page a
    passage is cited with is the page it is printed on (a chunk can run over a page break)."""
    inside = [m for m in members if m.text[:40] in window]
    if not inside:
        return chunk
    return chunk.model_copy(update={"page_start": inside[0].page, "page_end": inside[-1].page})


def document_candidates(
    texts: Sequence[str],
    documents: Sequence[Sequence[Sequence[str]]],
    budget: Callable[[str], int],
    count_tokens: Callable[[str], int],
) -> list[list[tuple[str, Chunk | None]]]:
    """Per claim, the windows of given documents (each a list of sentences; windows never cross documents)."""
    out: list[list[tuple[str, Chunk | None]]] = []
    for text, docs in zip(texts, documents, strict=True):
        seen: set[str] = set()
        windows: list[tuple[str, Chunk | None]] = []
        for sentences in docs:
            for w in premise_windows(list(sentences), budget(text), count_tokens):
                if _key(w) not in seen:
                    seen.add(_key(w))
                    windows.append((w, None))
        out.append(windows)
    return out


def rank_windows(
    texts: Sequence[str],
    vectors: np.ndarray,
    candidates: Sequence[Sequence[tuple[str, Chunk | None]]],
    embed: Embed,
    keep: int,
) -> list[list[Window]]:
    """Re-rank each claim's candidate windows (see the module docstring) and keep the best ``keep``."""
    unique = sorted({w for windows in candidates for w, _ in windows})
    if not unique:
        return [[] for _ in texts]
    row = {w: i for i, w in enumerate(unique)}
    window_vectors = embed(unique)
    sims = window_vectors @ np.asarray(vectors, dtype=np.float32).T  # windows x claims
    k = min(HUB_NEIGHBOURS, sims.shape[1])
    hub = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
    ranked: list[list[Window]] = []
    for j, (text, windows) in enumerate(zip(texts, candidates, strict=True)):
        scored = []
        for w, chunk in windows:
            cos = float(sims[row[w], j])
            ov = overlap(text, w)
            scored.append(Window(w, chunk, cos, ov, 2 * cos - float(hub[row[w]]) + OVERLAP_WEIGHT * ov))
        scored.sort(key=lambda x: (-x.score, x.text))
        ranked.append(scored[:keep])
    return ranked
