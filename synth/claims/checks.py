"""Checks on a claim against its source sentence, shared by the extractor's tests and its benchmark."""

from __future__ import annotations

import re

from synth.claims.decontext import clean_text, strip_cross_refs


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def missing_tail(text: str, original: str) -> list[str]:
    """Last three content words of the source sentence absent from the claim, ignoring the first-person words
    and the two words after "our" that decontextualisation legitimately rewrites ("our approach." → "X."), and the
    pointers into the paper it drops ("(Table 2)")."""
    kept = re.sub(
        r"\b(?:[Oo]ur(?:\s+\S+){0,2}|[Ww]e|us|ours|(?:[Tt]his|[Tt]he present) (?:paper|work|study|article))\b",
        " ",
        clean_text(strip_cross_refs(original)),
    )
    tail = [w for w in _words(kept) if len(w) > 2][-3:]
    claim = set(_words(text))
    return [w for w in tail if w not in claim]
