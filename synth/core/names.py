"""Personal names as a citation shows them: the family name keeps its particles ("De Marchis", "van der Maaten"),
so "Cristiano De Marchis" is cited as "De Marchis et al.", never "Marchis et al."."""

from __future__ import annotations

PARTICLES = frozenset("de da del della der den van von di du la le dos das bin al el ten ter zu y".split())


def surname(name: str) -> str:
    """The family name of ``name`` written given names first: its last word with the particles before it."""
    words = name.split()
    if not words:
        return ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1  # "Luca Di Gaspero" → "Di Gaspero"; the first word is always a given name
    return " ".join(words[start:])
