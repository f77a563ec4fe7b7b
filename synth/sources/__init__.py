"""Where papers come from. Each source turns a question into Paper records with a PDF on disk.

A new source (Semantic Scholar, OpenAlex) is one module with a class following ``Source``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from synth.core.cache import Cache
from synth.core.records import Failure, Paper, SearchPlan
from synth.core.settings import SearchSettings
from synth.core.ui import UI


@dataclass
class Found:
    papers: list[Paper]
    plan: SearchPlan
    failures: list[Failure] = field(default_factory=list)


class Source(Protocol):
    name: str

    def find(self, question: str, settings: SearchSettings, cache: Cache, ui: UI) -> Found: ...
