"""Evidence windows: the premises a claim is tested against, cut to fit the NLI model's window.

A chunk is cut into its sentences and each pair of neighbouring sentences; a sentence too long for the window is
split at clause, then word boundaries, so no premise is ever silently truncated by the model.
"""

from __future__ import annotations

from collections.abc import Callable

from synth.core.text import fit_spans


def split_long_sentence(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """A sentence cut into pieces that fit the premise budget (see :func:`synth.core.text.fit_spans`)."""
    return [sentence[s:e] for s, e in fit_spans(sentence, max_tokens, count_tokens)]


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


MIN_PREMISE_TOKENS = 32


def premise_budget(claim_tokens: int, model_tokens: int, cap: int | None = None) -> int:
    """Tokens left for the premise in ``[CLS] premise [SEP] claim [SEP]``: the model window less the claim and three
    special tokens, at most ``cap``; a claim so long that it leaves fewer than 32 is not verified (see verify)."""
    left = model_tokens - claim_tokens - 3
    return max(min(left, cap) if cap is not None else left, MIN_PREMISE_TOKENS)
