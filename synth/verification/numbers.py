"""Numbers checked as numbers: a numeric claim against the quantities an evidence passage states.

An NLI model reads "XLM-R reaches 79.2 on XNLI" and "XLM-R reaches 75.0 on XNLI" as near-paraphrases. Here the
quantities are compared: the same quantity — same metric, same dataset, same thing measured (a model or method
name the claim gives), same kind of number (a level or a change) in compatible units — with the same value
*agrees*; with another value it *conflicts*; anything else is *unrelated* and the check abstains. A claim whose
number says neither what it measures nor on what is never compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from synth.claims.numbers import clause_of, extract_numbers
from synth.core.records import Number

NumericVerdict = Literal["agrees", "conflicts", "unrelated"]

_NAME = re.compile(r"\b(?:[A-Z][a-z]*[A-Z0-9][\w-]*|[A-Z]{2,}[\w-]*|[A-Z][a-z]+(?:-[A-Z0-9][\w]*)+)\b")
_PERCENTISH = {"%", "percent", "points", None}  # a score "on a 0-100 scale": 79.2, 79.2%, 79.2 points of accuracy


@dataclass(frozen=True)
class NumberCheck:
    """The outcome for one claim and one passage, with the two quantities compared when there were any."""

    verdict: NumericVerdict
    claimed: Number | None = None
    stated: Number | None = None

    def describe(self) -> str:
        if self.claimed is None or self.stated is None:
            return "no quantity in the passage measures what the claim's number measures"
        what = f"{self.claimed.metric} on {self.claimed.dataset}"
        return f"{what}: the claim says {self.claimed.text!r}, the passage {self.stated.text!r} ({self.verdict})"


def _norm(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


def _subjects(text: str, exclude: set[str]) -> set[str]:
    """Model-, method- or system-like names in ``text`` (what a number is *of*), minus dataset and metric names."""
    return {_norm(n) for n in _NAME.findall(text)} - exclude - {""}


def _comparable_units(a: Number, b: Number) -> bool:
    unit_a, unit_b = (a.unit or None), (b.unit or None)
    if unit_a == unit_b:
        return True
    return unit_a in _PERCENTISH and unit_b in _PERCENTISH and (a.direction == "level") == (b.direction == "level")


def _same_value(a: float, b: float) -> bool:
    """Equal up to the rounding a paper applies when it restates a figure (79.24 vs 79.2)."""
    return abs(a - b) <= 0.05 + 0.005 * max(abs(a), abs(b))


def _clause(passage: str, number: Number) -> str:
    """The clause of ``passage`` that states ``number`` (the whole passage when it cannot be located)."""
    at = passage.find(number.text)
    if at < 0:
        return passage
    start, end = clause_of(passage, at, at + len(number.text))
    return passage[start:end]


def _checkable(n: Number) -> bool:
    return bool(n.metric and n.dataset)


def check_numbers(claim_text: str, claim_numbers: list[Number], passage: str) -> NumberCheck:
    """Compare the claim's checkable numbers with those the passage states (see the module docstring)."""
    checkable = [n for n in claim_numbers if _checkable(n)]
    if not checkable:
        return NumberCheck("unrelated")
    stated = [n for n in extract_numbers(passage) if _checkable(n)]
    found: NumberCheck | None = None
    for claimed in checkable:
        names = {_norm(claimed.metric), _norm(claimed.dataset)}
        subjects = _subjects(claim_text, names)
        if not subjects:
            continue  # the claim does not say whose number it is: nothing to compare it with
        for number in stated:
            if _norm(number.metric) != _norm(claimed.metric) or _norm(number.dataset) != _norm(claimed.dataset):
                continue
            if (number.direction == "level") != (claimed.direction == "level") or not _comparable_units(claimed, number):
                continue
            if not subjects & _subjects(_clause(passage, number), names):
                continue  # the passage's number is someone else's (another model, another system)
            if _same_value(claimed.value, number.value):
                return NumberCheck("agrees", claimed, number)
            found = found or NumberCheck("conflicts", claimed, number)
    return found or NumberCheck("unrelated")
