"""Evidence windows: the premises a claim is tested against, cut to fit the NLI model's window.

A chunk is cut into its sentences and each pair of neighbouring sentences; a sentence too long for the window is
split at clause, then word boundaries, so no premise is ever silently truncated by the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CLAUSE_BREAK = re.compile(r"(?<=[;:,])\s+|\s+(?=(?:—|–|-{2}|\())")


def _split_words(text: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Greedy word packing; a single word longer than the window is cut into character chunks."""
    pieces: list[str] = []
    current: list[str] = []
    for word in text.split():
        if count_tokens(word) > max_tokens:
            if current:
                pieces.append(" ".join(current))
                current = []
            chunk = ""
            for ch in word:
                if chunk and count_tokens(chunk + ch) > max_tokens:
                    pieces.append(chunk)
                    chunk = ""
                chunk += ch
            if chunk:
                pieces.append(chunk)
            continue
        candidate = " ".join([*current, word])
        if current and count_tokens(candidate) > max_tokens:
            pieces.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces


def split_long_sentence(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Cut a sentence that does not fit into pieces that do: at clause boundaries first, then at words.

    Every word of the sentence ends up in exactly one piece, in order (nothing is dropped).
    """
    sentence = sentence.strip()
    if not sentence:
        return []
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    clauses = [c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]
    pieces: list[str] = []
    current = ""
    for clause in clauses:
        clause = clause.strip()
        if count_tokens(clause) > max_tokens:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_split_words(clause, max_tokens, count_tokens))
            continue
        candidate = f"{current} {clause}".strip()
        if current and count_tokens(candidate) > max_tokens:
            pieces.append(current)
            current = clause
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def premise_windows(sentences: list[str], max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Premises to test a claim against: each sentence, and each pair of consecutive sentences that fits.

    Args:
        sentences: the evidence text in reading order (one abstract or chunk; do not mix documents).
        max_tokens: tokens available to the premise, i.e. the model window minus the claim and special tokens.
        count_tokens: tokenizer length function (``NLIModel.count_tokens``).

    Returns:
        Windows in document order: sentence i, then sentences i and i+1 joined when the pair fits. A sentence
        longer than ``max_tokens`` is first split at clause/word boundaries (:func:`split_long_sentence`), so no
        window is ever truncated by the model.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be positive, got {max_tokens}")
    pieces = [p for s in sentences for p in split_long_sentence(s, max_tokens, count_tokens)]
    windows: list[str] = []
    for i, piece in enumerate(pieces):
        windows.append(piece)
        if i + 1 < len(pieces):
            pair = f"{piece} {pieces[i + 1]}"
            if count_tokens(pair) <= max_tokens:
                windows.append(pair)
    return windows
