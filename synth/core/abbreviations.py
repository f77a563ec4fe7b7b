"""Abbreviations a paper defines ("tunnel junctions (TJs)", "iron deficiency anaemia (IDA)"), found with the algorithm
of Schwartz and Hearst (2003, "A simple algorithm for identifying abbreviation definitions in biomedical text"): the
short form in parentheses, its long form the shortest run of words before it whose letters hold the short form's in
order, the first at the start of a word.

A claim that says "the integration of TJ is very effective" is about tunnel junctions; without the paper's own
definition, matching it against a question that says "tunnel junction" fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FUNCTION = frozenset("a an and the of for in on to with by from at as or".split())
_DEFINITION = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{1,9}?)(s?)\s*[);,]")


def _long_form(short: str, before: str) -> str | None:
    """Schwartz & Hearst's best long form of ``short`` at the end of ``before``, or None."""
    s, i = len(short) - 1, len(before) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (before[i].lower() != c or (s == 0 and i > 0 and before[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = before.rfind(" ", 0, i + 2) + 1
    long = before[start:].strip(" ,;:-")
    if len(long) <= len(short) or not (" " in long or "-" in long):
        return None
    letters = set(short.lower())
    words = [w for w in re.split(r"[\s\-/]+", long) if w and w.lower() not in _FUNCTION]
    # the shortest match can stop inside the name: "proton pump inhibitor (PPI)" gives "pump inhibitor"; a word before
    # it that starts with the short form's first letter belongs to it while the words are fewer than the letters
    previous = before[:start].split()
    if previous and len(words) < len(short) and previous[-1][:1].lower() == short[0].lower():
        long = f"{previous[-1]} {long}"
        words = [previous[-1], *words]
    if not all(w[0].lower() in letters for w in words):
        return None  # "were confirmed on a held-out set (WMT)": the letters are there, the words are not the name's
    return long


def definitions(texts: Iterable[str]) -> dict[str, str]:
    """Short form → long form for every abbreviation ``texts`` define (the first definition of each wins)."""
    out: dict[str, str] = {}
    for text in texts:
        for m in _DEFINITION.finditer(text):
            short = m.group(1)
            if short in out or sum(ch.isupper() for ch in short) < 2 or short.isdigit():
                continue  # "(2015)", "(e.g", "(see": not a short form
            words = text[: m.start()].split()
            window = " ".join(words[-min(len(short) + 5, 2 * len(short)) :])
            long = _long_form(short, window)
            if long:
                if m.group(2) and long.endswith("s") and not long.endswith("ss"):
                    long = long[:-1]  # "tunnel junctions (TJs)": the short form "TJ" names one tunnel junction
                if text.lstrip().startswith(long):
                    long = long[:1].lower() + long[1:]  # capitalised only as a sentence's first word
                out[short] = long
    return out


def gloss(text: str, defined: dict[str, str]) -> str:
    """``text`` with the first use of each abbreviation its paper defines spelled out, as a careful reader would copy
    it ("the integration of TJ" → "the integration of tunnel junction (TJ)"); names of systems ("multilingual BERT
    (mBERT)") and abbreviations already spelled out in ``text`` are left alone."""
    for short, long in defined.items():
        words = long.split()
        if any(ch.isupper() for w in words[1:] for ch in w) or any(ch.isupper() for ch in words[0][1:]):
            continue  # a name ("Bi-Directional Attention Flow", "multilingual BERT"), not a term
        if long.lower() in text.lower():
            continue
        m = re.search(rf"(?<![\w\-(]){re.escape(short)}(s?)(?![\w\-])", text)
        if not m:
            continue
        spelled = long if m.start() else long[0].upper() + long[1:]
        if m.group(1):
            spelled += "s"
        text = f"{text[: m.start()]}{spelled} ({m.group(0)}){text[m.end() :]}"
    return text


def expand(text: str, defined: dict[str, str]) -> str:
    """``text`` followed by the long forms of the abbreviations it uses, for matching words against it."""
    used = [long for short, long in defined.items() if re.search(rf"(?<![\w-]){re.escape(short)}s?(?![\w-])", text)]
    return f"{text} {' '.join(used)}" if used else text
