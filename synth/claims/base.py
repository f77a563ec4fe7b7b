"""The extractor interface: every extractor turns one paper's sentences into claim candidates.

Extractors are interchangeable behind :class:`Extractor` (a runtime-checkable Protocol, checked by a
conformance test like paper-qa's ``PDFParserFn``): the claims stage ranks, de-duplicates and budgets whatever
candidates they return, so an extractor only decides *which sentences are claims, of what kind, and how they
read on their own*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from synth.claims.decontext import PaperContext
from synth.core.records import ClaimKind, Number, Paper, Sentence


@dataclass
class Candidate:
    """One claim before ranking: the decontextualised text and the sentence it comes from."""

    sentence: Sentence
    text: str
    kind: ClaimKind
    numbers: list[Number]
    cue: float  # strength of the assertion, 0–1 (how clearly it is a checkable claim)
    language: str = "en"
    note: str | None = None
    self_contained: bool = True  # False when an opening "It"/"This approach" could not be resolved
    # the caption or heading a bracketed name was taken from ("[on BUCC]"): the faithfulness check reads it with the sentence
    context: str | None = None
    # the source sentence with only its first person put in the paper's name ("we" → "Joulin et al. (2016)"): what the
    # rewrite is checked against; None: the sentence as written
    premise: str | None = None


@dataclass
class Extraction:
    """What an extractor found in one paper, and what it threw away."""

    candidates: list[Candidate] = field(default_factory=list)
    rejected: int = 0  # outputs refused by validation (LLM junk, unmapped sentences)
    reasons: dict[str, int] = field(default_factory=dict)
    # the paper's name, reference and abbreviations as the extractor read them: the question gate reads the same
    context: PaperContext | None = None

    def reject(self, reason: str) -> None:
        self.rejected += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


@runtime_checkable
class Extractor(Protocol):
    """Extract claim candidates from one paper; raises ``SynthError`` (naming the paper) on failure."""

    name: str

    def extract(
        self, paper: Paper, sentences: list[Sentence], front: list[str] | None = None, captions: dict[str, str] | None = None
    ) -> Extraction:
        """Claims of ``paper`` from its prose ``sentences`` (``front``: its first-page lines, for its title; ``captions``:
        its table and figure captions by label, see :func:`synth.claims.decontext.captions_of`)."""
        ...
