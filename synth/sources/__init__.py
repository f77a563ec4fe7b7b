"""Where papers come from. Each source turns a question into Paper records with a PDF on disk.

A new source (Semantic Scholar, OpenAlex) is one module with a class following ``Source``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from synth.core.cache import Cache
from synth.core.records import Failure, Paper, SearchPlan
from synth.core.settings import SearchSettings
from synth.core.text import sanitize
from synth.core.ui import UI


@dataclass
class Found:
    """What a source found: papers with their PDFs, how it searched, what failed, and the sha256 of each input file
    it read (relative path → digest; empty for arXiv, whose PDFs are cached by their digest)."""

    papers: list[Paper]
    plan: SearchPlan
    failures: list[Failure] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)


class Source(Protocol):
    name: str

    def find(self, question: str, settings: SearchSettings, cache: Cache, ui: UI) -> Found: ...


def clean_paper(paper: Paper) -> Paper:
    """``paper`` with every text field on one line and free of control characters and terminal escapes.

    Titles, authors and venues come from PDFs, sidecar files and feeds that anyone can write; what reaches a
    report, a terminal or references.bib is what this returns. Applied to every paper a source finds.
    """

    def line(text: str | None) -> str | None:
        return None if text is None else sanitize(text, keep_newlines=False)

    return paper.model_copy(
        update={
            "title": line(paper.title) or "Untitled",
            "authors": [a for a in (line(x) for x in paper.authors) if a],
            "abstract": line(paper.abstract) or "",
            "published": line(paper.published) or None,
            "url": line(paper.url) or None,
            "categories": [c for c in (line(x) for x in paper.categories) if c],
            "doi": line(paper.doi) or None,
            "venue": line(paper.venue) or None,
        }
    )
