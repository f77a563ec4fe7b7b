"""The report as one typed object: what report.json holds and what every renderer walks.

The sections come as one ordered list. A section's number is its place among the numbered sections, given by
:class:`Outline` (the only code that counts sections) and checked by :class:`Report`, so a sentence that says
"Section 4" and the heading "4 Limitations" cannot disagree, and reordering the list renumbers both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Final, Literal, TypeVar

from pydantic import ConfigDict, Field, model_validator

from synth.core.records import (
    ClaimKind,
    EvidenceRole,
    Failure,
    NLILabel,
    Number,
    Record,
    VerdictLabel,
    VerifierFigures,
)

SCHEMA: Final = "synth.report/3"


# -- the quality score ---------------------------------------------------------------------------------------
class Review(Record):
    """One reviewer's verdict on one aspect of the run, with what a reader needs to recompute it."""

    name: str
    aspect: str
    score: float | None  # 0–10, None when the reviewer had nothing to judge
    formula: str
    detail: str  # the numbers the formula was applied to


class Quality(Record):
    """Every reviewer's score, their weighted mean, and the cap a run that answers nothing (or verifies nothing) gets."""

    reviews: list[Review]
    overall: float | None  # the weighted mean, capped
    formula: str
    weights: dict[str, float]
    uncapped: float | None = None  # the weighted mean before the cap
    cap: float | None = None  # the most this run may score, when a cap applies
    cap_reason: str | None = None

    def rounded(self) -> Quality:
        """Scores to two decimals, as the report states them (the reader recomputes to that precision)."""
        return self.model_copy(
            update={
                "overall": _round(self.overall),
                "uncapped": _round(self.uncapped),
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
    also: list[str]  # the other papers' ids
    also_cited: list[str] = []  # the same, as a reader finds them in the references: "Huang et al. 2010, p. 6"


class EvidenceRef(Record):
    """A passage from another paper the verifier read: the one that decided the verdict (or, when none did, the
    closest one), or the strongest supporting / contradicting one; where it came from is None only for evidence a user
    gave to ``synth check``."""

    paper_id: str | None
    cite: str
    page: int | None
    section: str | None
    text: str
    quote: str  # the text as tables show it, cut with "[…]" when long
    deciding: bool
    probs: dict[NLILabel, float]
    retrieval_score: float
    role: EvidenceRole = "closest"


class ClaimRow(Record):
    """One claim with its verdict, as every table of claims shows it; verdict fields are None before verify."""

    n: int  # 1-based rank in the stored (relevance) order
    id: str
    claim: str
    kind: ClaimKind
    relevance: float
    verdict: VerdictLabel | None
    symbol: str
    verdict_text: str  # "supported", "refuted", "not verified (leans supported)", "no verdict yet"
    confidence: float | None  # P(the verdict shown), or for a claim not verified P(the way it leans)
    raw_score: float | None
    n_evidence: int
    stated_by: int
    source: SourceRef
    evidence: EvidenceRef | None  # the deciding passage, else the closest
    numbers: list[Number]
    leaning: Literal["supported", "refuted"] | None = None
    reason: str | None = None  # why it is not verified, when the verifier said more than "the evidence is weak"
    probs: dict[VerdictLabel, float] = Field(default_factory=dict)  # claim-level P(verdict)
    supporting: EvidenceRef | None = None  # the strongest supporting passage, shown when a contradicting one exists too
    contradicting: EvidenceRef | None = None
    finding: bool | None = None  # presented as a finding (it bears on the question); None before the synthesis stage
    question_similarity: float | None = None  # the claim's cosine similarity to the question (synthesis stage)
    finding_rank: int | None = None  # 1-based among the findings
    quoted: bool = False  # the claim is its paper's own first-person sentence, shown in quotation marks

    @property
    def shown(self) -> str:
        """The claim as tables print it: a first-person sentence ("We find …") quoted, so it reads as the paper's
        words, not the report's."""
        return f"“{self.claim}”" if self.quoted else self.claim


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
    """Verdicts of the claims presented as findings (of every claim, for a run without a synthesis stage)."""

    claims: int  # extracted
    findings: int | None  # presented as findings; None before the synthesis stage
    supported: int  # verified at the operating point
    refuted: int
    unresolved: int  # not verified
    leans_supported: int = 0  # not verified, leaning supported
    leans_refuted: int = 0
    unverified: int  # no verdict yet


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


class AnswerLine(Record):
    """One sentence of the answer, as report.json gives it: its text, the claims it rests on, the references it cites."""

    text: str
    claims: list[str]
    references: list[int]  # numbers in the reference list: the claims' sources, then the papers that decided a verdict
    papers: list[str]  # the same papers, by id
    status: Literal["supported", "refuted", "not_verified", "disagreement", "mentioned", "more"]
    leaning: Literal["supported", "refuted"] | None = None
    decided_by: list[int] = Field(default_factory=list)  # references whose passage decided a supported/refuted verdict
    confidence: float | None = None  # of the claim's verdict (one claim), as the claims table shows it
    quoted_from: str | None = None  # "Conneau et al. 2018": the text is that paper's own first-person sentence, quoted
    entailment: float | None = None  # abstractive sentences: P(its passages entail it)


class AnswerPart(Record):
    facet: str
    facet_id: str
    sentences: list[AnswerLine]


class CoverageRow(Record):
    """One facet of the question and what addresses it."""

    facet: str
    facet_id: str
    addressed: bool
    papers: list[str]  # paper ids, strongest first
    references: list[int]  # the same papers as reference numbers
    claims: list[str]  # findings that address it


class PaperScore(Record):
    """A kept paper's relevance to the question, as the methodology lists it."""

    paper_id: str
    reference: int | None
    cite: str
    score: float
    relevant: bool
    facets: list[str]  # facet ids


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
    headline: str | None = None  # when no paper bears on the question, the sentence that says so (the report opens with it)


class Answer(Section):
    """What the papers say about each facet of the question (the paragraphs are ``Report.answer``)."""

    title: ClassVar[str] = "Answer"
    kind: Literal["answer"] = "answer"
    lead: str  # what the answer rests on, or why there is none
    unaddressed: list[str]  # facets no paper addresses
    key: str  # how to read the sentences' marks


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
        "Relevance and facets",
        "Models",
        "Verification rule and calibration",
    )
    kind: Literal["methodology"] = "methodology"
    sources: list[str]
    queries: list[QueryLine]
    search_settings: list[str]  # the rest of the search plan, one line each
    papers: PaperCounts
    extractors: list[str]
    relevance: list[str]  # the relevance measure, its thresholds and the facet method, one statement each
    paper_scores: list[PaperScore]  # every kept paper, most relevant first (empty before the synthesis stage)
    models: list[ModelUsed]
    rules: list[str]
    calibrations: list[str]
    evidence_policy: str
    decision: list[str]  # how verdicts are decided: the operating point, its precision and coverage
    verifier: VerifierFigures | None  # the verifier's own measured figures; None when not available


class Results(Section):
    title: ClassVar[str] = "Results"
    subsections: ClassVar[tuple[str, ...]] = ("Counts", "Quality score")
    kind: Literal["results"] = "results"
    papers: PaperCounts
    claims: ClaimCounts
    by_kind: list[KindTally]
    mean_confidence: float | None  # of the findings verified at the operating point; None when none is
    quality: Quality


class Limitations(Section):
    title: ClassVar[str] = "Limitations"
    kind: Literal["limitations"] = "limitations"
    items: list[str]


class Claims(Section):
    title: ClassVar[str] = "Extracted Claims"
    kind: Literal["claims"] = "claims"
    rows: list[ClaimRow]  # every claim; the tables show the findings (all claims before the synthesis stage)
    note: str = ""  # what the tables leave out and why

    def shown(self) -> list[ClaimRow]:
        """The rows the report's tables show: the findings by rank, or every claim when no synthesis ran."""
        if any(r.finding is not None for r in self.rows):
            return sorted((r for r in self.rows if r.finding), key=lambda r: r.finding_rank or 0)
        return list(self.rows)


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
    Abstract | Answer | Introduction | Methodology | Results | Limitations | Claims | Remeasured | References,
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

    report_schema: Literal["synth.report/3"] = Field(default=SCHEMA, alias="schema")
    renderer_version: str
    title: str
    subtitle: str
    question: str
    run: RunInfo
    sections: list[AnySection]
    failures: list[Failure]
    coverage: list[CoverageRow] = Field(default_factory=list)  # the question's facets and what addresses them
    answer: list[AnswerPart] = Field(default_factory=list)  # per addressed facet, its sentences

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
