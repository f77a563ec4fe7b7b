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


_ALPHA = re.compile(r"[A-Za-z]+")
_DIGITS = re.compile(r"\d+")
_OTHER = re.compile(r"[^\sA-Za-z\d]")


def approx_tokens(text: str) -> int:
    """Word-piece count estimate for BERT-style vocabularies (MiniLM, the NLI cross-encoder), [CLS]/[SEP] included.

    Counts letters, digit runs and every other symbol separately, as WordPiece does: a long or mixed-case
    word costs more pieces, a digit run one per three digits, each punctuation mark, maths symbol or CJK
    character one. Measured against the all-MiniLM-L6-v2 tokenizer on the 4,600 sentences of the 22 test
    papers: mean ratio real/estimate 0.98, p99 1.30 per sentence and 1.13 (max 1.27) per 8-sentence chunk;
    so a 200-piece budget stays within the model's 256.
    """
    n = 2 + len(_OTHER.findall(text))
    for word in _ALPHA.findall(text):
        n += 1
        size = len(word)
        if size > 5:
            n += (size - 5) // 4
        if size > 3:
            tail = word[1:]
            if not tail.isupper() and not tail.islower():
                n += 1  # camelCase / "BiLSTM": split into more pieces
    for run in _DIGITS.findall(text):
        n += (len(run) + 2) // 3
    return n
