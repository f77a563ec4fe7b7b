"""Sentence splitting tuned for scientific prose (abbreviations, citations, decimals, "et al.", "Fig. 2")."""

from __future__ import annotations

import re

_ABBREV = {
    "al", "fig", "figs", "eq", "eqs", "e.g", "i.e", "cf", "vs", "etc", "resp", "approx", "sec", "secs", "tab", "no",
    "dr", "prof", "mr", "mrs", "ms", "inc", "ltd", "vol", "pp", "ch", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "st", "mt", "dept", "univ", "ca", "viz", "incl", "max", "min",
}  # fmt: skip
# a boundary: sentence punctuation (optionally closing quotes/brackets), whitespace, then an upper-case start
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace-trimmed)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.start()
        before = text[start:end]
        word = re.search(r"(\S+)$", before)
        token = word.group(1).rstrip(".!?\"')]").lower() if word else ""
        if token in _ABBREV or re.fullmatch(r"[a-z]", token):
            continue  # "et al.", "Fig.", initials like "J."
        if re.search(r"\d\.$", before) and text[m.end() : m.end() + 1].isdigit():
            continue  # "3. 5" artefacts
        spans.append(_trim(text, start, m.start() + len(m.group(0).rstrip())))
        start = m.end()
    if start < len(text):
        spans.append(_trim(text, start, len(text)))
    return [s for s in spans if s[1] > s[0]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def approx_tokens(text: str) -> int:
    """Word-piece count estimate (~1.3 per word for BERT-style vocabularies on English science text)."""
    return int(len(text.split()) * 1.3) + 2
