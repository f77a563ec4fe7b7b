"""The report as one typed object: what report.json holds and what every renderer walks.

The sections come as one ordered list. A section's number is its place among the numbered sections, given by
:class:`Outline` (the only code that counts sections) and checked by :class:`Report`, so a sentence that says
"Section 4" and the heading "4 Limitations" cannot disagree, and reordering the list renumbers both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Final, Literal, TypeVar

from pydantic import ConfigDict, Field, model_validator

from synth.core.records import ClaimKind, Failure, NLILabel, Number, Record, VerdictLabel

SCHEMA: Final = "synth.report/2"


# -- the quality score ---------------------------------------------------------------------------------------
class Review(Record):
    """One reviewer's verdict on one aspect of the run, with what a reader needs to recompute it."""

    name: str
    aspect: str
    score: float | None  # 0–10, None when the reviewer had nothing to judge
    formula: str
    detail: str  # the numbers the formula was applied to


class Quality(Record):
    """Every reviewer's score and their weighted mean."""

    reviews: list[Review]
    overall: float | None
    formula: str
    weights: dict[str, float]

    def rounded(self) -> Quality:
        """Scores to two decimals, as the report states them (the reader recomputes to that precision)."""
        return self.model_copy(
            update={
                "overall": _round(self.overall),
                "reviews": [r.model_copy(update={"score": _round(r.score)}) for r in self.reviews],
            }
        )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


# -- the claims table ----------------------------------------------------------------------------------------
class SourceRef(Record):
    """Where the claim was read: its primary source, and the other papers that state it."""

    paper_id: str
    cite: str
    title: str | None  # None when the paper is not among the kept ones
    page: int
    section: str
    also: list[str]


class EvidenceRef(Record):
    """The passage from another paper that decided the verdict (or, when none did, the closest one); where it came
    from is None only for evidence a user gave to ``synth check``."""

    paper_id: str | None
    cite: str
    page: int | None
    section: str | None
    text: str
    quote: str  # the text as tables show it, cut with "[…]" when long
    deciding: bool
    probs: dict[NLILabel, float]
    retrieval_score: float


class ClaimRow(Record):
    """One claim with its verdict, as every table of claims shows it; verdict fields are None before verify."""

    n: int  # 1-based rank in the stored (relevance) order
    id: str
    claim: str
    kind: ClaimKind
    relevance: float
    verdict: VerdictLabel | None
    symbol: str
    verdict_text: str
    confidence: float | None
    raw_score: float | None
    n_evidence: int
    stated_by: int
    source: SourceRef
    evidence: EvidenceRef | None
    numbers: list[Number]


# -- the parts of sections -----------------------------------------------------------------------------------
class QueryLine(Record):
    query: str  # exactly as sent
    note: str  # why it was planned and what it returned; "" when nothing is known


class ModelUsed(Record):
    role: str
    id: str
    revision: str | None  # None: a hub name with no pinned revision
    recorded_in: Literal["manifest", "verdicts"]


class PaperCounts(Record):
    found: int
    kept: int
    parsed: int
    failed: int
    pages_read: int


class ClaimCounts(Record):
    claims: int
    supported: int
    refuted: int
    unresolved: int
    unverified: int


class KindTally(Record):
    """The verdicts of one kind of claim ("unverified" counts claims without a verdict)."""

    kind: ClaimKind
    verdicts: dict[str, int]


class Remeasurement(Record):
    """A numeric claim next to what a re-run experiment measured."""

    claim_id: str
    claim: str
    summary: str
    result: dict[str, Any]  # the experiment linker's answer as it gave it


class Reference(Record):
    key: str  # the BibTeX key
    id: str
    cite: str
    title: str
    authors: list[str]
    year: int | None
    venue: str | None
    doi: str | None
    url: str | None
    arxiv: str | None  # the arXiv id, when the paper is on arXiv


# -- sections ------------------------------------------------------------------------------------------------
class Section(Record):
    """A part of the report; ``number`` is None for the unnumbered ones (Abstract, References)."""

    title: ClassVar[str]
    numbered: ClassVar[bool] = True
    subsections: ClassVar[tuple[str, ...]] = ()

    kind: str  # which section this is (each subclass fixes it): report.json's readers dispatch on it
    number: int | None

    @property
    def heading(self) -> str:
        return _label(self.number, self.title)

    def subheading(self, sub: str) -> str:
        """``3.2 Quality score`` for ``sub="Quality score"``."""
        return _label(_sub_number(self.number, type(self), sub), sub)

    def ref(self, sub: str | None = None) -> str:
        """``Section 3`` or, with ``sub``, ``Section 3.2``."""
        return _ref(self.number, type(self), sub)


def _label(number: int | str | None, title: str) -> str:
    return title if number is None else f"{number} {title}"


def _sub_number(number: int | None, kind: type[Section], sub: str) -> str:
    if number is None:
        raise ValueError(f"the {kind.title} section is not numbered, so it has no subsection {sub!r}")
    return f"{number}.{kind.subsections.index(sub) + 1}"


def _ref(number: int | None, kind: type[Section], sub: str | None) -> str:
    if number is None:
        raise ValueError(f"the {kind.title} section is not numbered: nothing can refer to it by number")
    return f"Section {number if sub is None else _sub_number(number, kind, sub)}"


class Abstract(Section):
    title: ClassVar[str] = "Abstract"
    numbered: ClassVar[bool] = False
    kind: Literal["abstract"] = "abstract"
    text: str


class Introduction(Section):
    title: ClassVar[str] = "Introduction"
    kind: Literal["introduction"] = "introduction"
    paragraphs: list[str]
    question: str


class Methodology(Section):
    title: ClassVar[str] = "Methodology"
    subsections: ClassVar[tuple[str, ...]] = (
        "Sources and queries",
        "Claim extraction",
        "Models",
        "Verification rule and calibration",
    )
    kind: Literal["methodology"] = "methodology"
    sources: list[str]
    queries: list[QueryLine]
    search_settings: list[str]  # the rest of the search plan, one line each
    papers: PaperCounts
    extractors: list[str]
    models: list[ModelUsed]
    rules: list[str]
    calibrations: list[str]
    evidence_policy: str


class Results(Section):
    title: ClassVar[str] = "Results"
    subsections: ClassVar[tuple[str, ...]] = ("Counts", "Quality score")
    kind: Literal["results"] = "results"
    papers: PaperCounts
    claims: ClaimCounts
    by_kind: list[KindTally]
    mean_confidence: float | None
    quality: Quality


class Limitations(Section):
    title: ClassVar[str] = "Limitations"
    kind: Literal["limitations"] = "limitations"
    items: list[str]


class Claims(Section):
    title: ClassVar[str] = "Extracted Claims"
    kind: Literal["claims"] = "claims"
    rows: list[ClaimRow]


class Remeasured(Section):
    title: ClassVar[str] = "Re-measured numbers"
    kind: Literal["remeasured"] = "remeasured"
    rows: list[Remeasurement]
    note: str  # how the re-measurements were found, and how many


class References(Section):
    title: ClassVar[str] = "References"
    numbered: ClassVar[bool] = False
    kind: Literal["references"] = "references"
    references: list[Reference]


AnySection = Annotated[
    Abstract | Introduction | Methodology | Results | Limitations | Claims | Remeasured | References,
    Field(discriminator="kind"),
]
S = TypeVar("S", bound=Section)


class Outline:
    """Section numbers from the order of the sections: the one place they are counted."""

    def __init__(self, kinds: Sequence[type[Section]]) -> None:
        self.numbers: dict[type[Section], int | None] = {}
        n = 0
        for kind in kinds:
            if kind in self.numbers:
                raise ValueError(f"the {kind.title} section appears twice")
            n += kind.numbered
            self.numbers[kind] = n if kind.numbered else None

    def number(self, kind: type[Section]) -> int | None:
        return self.numbers[kind]

    def ref(self, kind: type[Section], sub: str | None = None) -> str:
        """``Section 3`` or ``Section 3.2``, before the section itself exists (for sentences that point at it)."""
        return _ref(self.numbers[kind], kind, sub)


# -- the report ----------------------------------------------------------------------------------------------
class RunInfo(Record):
    id: str
    created: str | None  # ISO timestamp from the manifest
    date: str | None  # its date: the report's date, so rendering a run twice gives the same bytes
    synth_version: str | None
    git_sha: str | None
    missing_stages: list[str]


class Report(Record):
    """The whole report (report.json); renderers draw everything from it and add only fixed wording."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    report_schema: Literal["synth.report/2"] = Field(default=SCHEMA, alias="schema")
    renderer_version: str
    title: str
    subtitle: str
    question: str
    run: RunInfo
    sections: list[AnySection]
    failures: list[Failure]

    @model_validator(mode="after")
    def _numbered_by_order(self) -> Report:
        outline = Outline([type(s) for s in self.sections])
        for s in self.sections:
            if s.number != outline.number(type(s)):
                raise ValueError(
                    f"the {s.title} section is numbered {s.number}, its place in the list makes it {outline.number(type(s))}"
                )
        return self

    def section(self, kind: type[S]) -> S:
        for s in self.sections:
            if isinstance(s, kind):
                return s
        raise KeyError(f"this report has no {kind.title} section")
