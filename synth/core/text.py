"""Text as synth handles it: made safe to show (no control characters or terminal escapes), split into sentences
tuned for scientific prose (abbreviations, citations, decimals, "et al.", "Fig. 2"), and cut to token budgets."""

from __future__ import annotations

import re
from collections.abc import Callable

# ----------------------------------------------------------------------------------------------- safe to show
# Terminal escape sequences (ECMA-48): CSI "ESC [ … final", OSC "ESC ] … BEL|ESC \\", DCS/SOS/PM/APC strings, and
# two-character escapes; the 8-bit forms start with the C1 controls U+009B (CSI) and U+009D (OSC). Once the introducer
# is gone, whatever followed it is plain text to a terminal, so an unterminated string is cut after 512 characters.
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves, screen clears
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)?"  # OSC (titles, links), DCS
    r"|\x1b[ -/]*[0-~]?"  # any other escape, or a lone ESC
)
# C0 and C1 controls and DEL (tab and newline are layout), and the bidirectional overrides and isolates that make
# text display in another order than it is stored ("Trojan source")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without terminal escape sequences and control characters, safe for a report, a terminal or BibTeX.

    Escape sequences are removed whole (``"\\x1b[31mred"`` → ``"red"``); other controls become a space, carriage
    returns and form feeds included, so words they separated stay apart. Tabs and newlines are kept unless
    ``keep_newlines`` is false, when every run of whitespace becomes one space (titles, names, one-line output).
    """
    text = _CONTROL.sub(" ", _ESCAPE.sub("", text))
    return text if keep_newlines else " ".join(text.split())


def sanitize_in_place(text: str) -> str:
    """``text`` with every escape-sequence and control character replaced by a space: the same length, so character
    offsets into it (a parsed document's blocks, sentences and chunks) stay exact."""
    if not (_ESCAPE.search(text) or _CONTROL.search(text)):
        return text
    text = _ESCAPE.sub(lambda m: " " * len(m.group(0)), text)
    return _CONTROL.sub(" ", text)


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
        core = word.group(1).rstrip(".!?\"')]").lower() if word else ""
        token = core.lstrip("\"'([")
        if token in _ABBREV or (token == core and re.fullmatch(r"[A-Za-z]\.", word.group(1) if word else "")):
            continue  # "et al.", "Fig.", "(Fig. 3)", "(e.g. BERT)", initials like "J." (not "(F)." nor "(Figure 2c, d).")
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


# ----------------------------------------------------------------------------------------------- fitting a budget
_CLAUSE_BREAK = re.compile(r"(?<=[;:,])\s+|\s+(?=(?:—|–|-{2}|\())")
_WORD = re.compile(r"\S+")


def _pack(text: str, units: list[tuple[int, int]], max_tokens: int, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """Greedily join consecutive ``units`` (spans of ``text``) into spans within ``max_tokens``."""
    spans: list[tuple[int, int]] = []
    for s, e in units:
        if spans and count(text[spans[-1][0] : e]) <= max_tokens:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def fit_spans(
    text: str, max_tokens: int, count: Callable[[str], int], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``max_tokens`` (as ``count`` measures them), in order.

    Clause boundaries are tried first, then words, then (for a single word longer than the budget) characters;
    every non-space character of the input lies in exactly one span, so nothing is dropped or truncated. The one
    splitter for every budget in synth: chunk sentences (approximate word pieces) and NLI premises (the model's
    tokenizer).
    """
    end = len(text) if end is None else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return []
    if count(text[start:end]) <= max_tokens:
        return [(start, end)]
    clauses: list[tuple[int, int]] = []
    s = start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        clauses.append((s, m.start()))
        s = m.end()
    clauses.append((s, end))
    units: list[tuple[int, int]] = []
    for cs, ce in clauses:
        if cs >= ce:
            continue
        if count(text[cs:ce]) <= max_tokens:
            units.append((cs, ce))
            continue
        for w in _WORD.finditer(text, cs, ce):
            ws, we = w.span()
            if count(text[ws:we]) <= max_tokens:
                units.append((ws, we))
                continue
            piece = ws
            for i in range(ws + 1, we + 1):
                if i == we or count(text[piece : i + 1]) > max_tokens:
                    units.append((piece, i))
                    piece = i
    return _pack(text, units, max_tokens, count)


def split_top_level(text: str, separator: str = ";") -> list[str]:
    """``text`` split at ``separator`` where it is outside parentheses and brackets, parts stripped."""
    depth, parts, start = 0, [], 0
    for i, ch in enumerate(text):
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts
