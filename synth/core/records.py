"""Typed records passed between stages, one JSON Lines row each.

Every record is frozen and forbids unknown fields, so a file written by one version of a stage either reads
back exactly or fails loudly; nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NLILabel = Literal["entailment", "neutral", "contradiction"]
VerdictLabel = Literal["supported", "refuted", "not_enough_evidence"]
#: column order of every NLI probability array in synth (model outputs are permuted into it by id2label)
NLI_LABELS: tuple[NLILabel, NLILabel, NLILabel] = ("entailment", "neutral", "contradiction")
VERDICT_LABELS: tuple[VerdictLabel, VerdictLabel, VerdictLabel] = ("supported", "refuted", "not_enough_evidence")
ClaimKind = Literal["numeric", "comparative", "finding", "background", "limitation"]
BlockKind = Literal["prose", "heading", "caption", "table", "figure", "equation", "footnote", "references"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paper(Record):
    """One source document. ``id`` is the arXiv id with its version, or ``local:<sha256[:12]>``."""

    id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    published: str | None = None  # ISO date
    abstract: str = ""
    url: str | None = None
    pdf_url: str | None = None
    pdf_path: str | None = None
    sha256: str | None = None
    source: str
    categories: list[str] = Field(default_factory=list)
    doi: str | None = None
    venue: str | None = None
    similarity: float | None = None  # to the question, when ranked


class Block(Record):
    """A run of text on one page with one role; ``char_start`` is its offset in the paper's full text."""

    page: int  # 1-based
    section: str
    kind: BlockKind
    text: str
    char_start: int


class ParsedDoc(Record):
    paper_id: str
    sha256: str
    n_pages: int
    pages_read: int
    blocks: list[Block]
    references: list[str] = Field(default_factory=list)
    language: str = "en"
    warnings: list[str] = Field(default_factory=list)


class Sentence(Record):
    id: str  # "<paper_id>#s<n>"
    paper_id: str
    page: int
    section: str
    char_start: int
    char_end: int
    text: str


class Chunk(Record):
    id: str  # "<paper_id>#c<n>"
    paper_id: str
    page_start: int
    page_end: int
    section: str
    char_start: int
    char_end: int
    sentence_ids: list[str]
    text: str


class Number(Record):
    value: float
    unit: str | None = None  # "%", "points", "x", …
    metric: str | None = None  # "accuracy", "F1", "BLEU", …
    dataset: str | None = None
    direction: Literal["increase", "decrease", "level"] | None = None
    text: str  # the span it was read from


class ClaimSource(Record):
    paper_id: str
    sentence_id: str
    page: int
    section: str
    char_start: int
    char_end: int
    original: str  # the sentence as the paper wrote it


class Claim(Record):
    id: str
    text: str  # decontextualised, complete sentence
    kind: ClaimKind
    sources: list[ClaimSource]  # first is the primary source; more when near-duplicates were merged
    numbers: list[Number] = Field(default_factory=list)
    relevance: float
    language: str = "en"
    extractor: str
    note: str | None = None  # e.g. how an over-long sentence was split

    @property
    def paper_id(self) -> str:
        return self.sources[0].paper_id


EvidenceRole = Literal["deciding", "supporting", "contradicting", "closest"]


class Evidence(Record):
    """A window the NLI model read; where it came from is None for evidence a user gave (``synth check``)."""

    chunk_id: str | None
    paper_id: str | None
    page: int | None
    section: str | None
    text: str  # the window the NLI model read
    retrieval_score: float  # the re-rank score of the window for this claim
    probs: dict[NLILabel, float]
    # deciding: the window the verdict rests on; supporting / contradicting: the strongest window each way
    role: EvidenceRole = "closest"


class Verdict(Record):
    """A claim's verdict. ``label`` is supported or refuted only at or above the operating point; otherwise it is
    not_enough_evidence ("not verified") and ``leaning`` says which way the evidence went."""

    claim_id: str
    label: VerdictLabel
    raw_score: float  # the aggregated score that decided the label, before calibration
    confidence: float  # calibrated P(label is right); for a claim not verified, P(the way it leans)
    calibration: str  # method and fit data, or "uncalibrated"
    rule: str
    evidence: list[Evidence]  # deciding window first
    leaning: Literal["supported", "refuted"] | None = None
    probs: dict[VerdictLabel, float] = Field(default_factory=dict)  # claim-level P(verdict), when calibrated
    operating_point: float | None = None  # the min_confidence a verdict had to reach
    reason: str | None = None  # why a claim is not verified, when there is more to say than "the evidence is weak"
    numeric: str | None = None  # the number check against the evidence, described
    stated_by: int  # papers whose own text states the claim (its sources), not counted as evidence
    model_id: str
    model_revision: str | None = None
    # for numeric claims an experiment re-ran: task, protocol, claimed vs measured, agreement, results file
    remeasured: dict[str, Any] | None = None


class Failure(Record):
    """Something a run could not do with one item, recorded in failures.jsonl and stated in the report's limitations."""

    stage: str
    item: str  # paper id, file path, claim id
    error: str
    message: str

    @property
    def left_out(self) -> bool:
        """Whether the item was dropped (most failures) or kept with a gap the report must state (its metadata)."""
        return self.error != MISSING_METADATA


MISSING_METADATA = "MissingMetadata"  # a paper kept although its title, authors or year could not be read


class PlannedQuery(Record):
    """One query exactly as the source was sent it, why the planner chose it, and what came back."""

    name: str  # the planner's name for it: phrases, terms, title, core
    why: str
    query: str  # the search_query string, byte for byte
    total_results: int  # matches the source reported
    returned: int  # entries read
    pages: int  # requests the paging took


class RankedCandidate(Record):
    """A candidate that passed the filters: the ranker's score and the queries that found it."""

    id: str
    title: str
    similarity: float
    queries: list[str]  # planned query names; "id_list" for a seed paper
    seed: bool


class ArxivSearch(Record):
    """What only an arXiv search has: its filters and limits, the ranking, the downloads and the requests made."""

    id_list: list[str]  # seed papers asked for by id
    since: dt.date | None
    until: dt.date | None
    categories: list[str]
    filter_clauses: list[str]  # ANDed to every query
    max_papers: int
    candidates_per_query: int
    ranked_by: str
    filtered_out: int
    downloaded: int
    from_cache: int
    failed: int
    requests: int
    retries: int
    waited_s: float
    http_s: float
    elapsed_s: float
    ranking: list[RankedCandidate]  # best first
    note: str | None = None  # why nothing was found, when nothing was


class SearchPlan(Record):
    """What the search looked at, asked and kept: ``plan.json``, stated in the report's methodology."""

    source: Literal["arxiv", "local"]
    location: str  # the arXiv API URL, or the folder of PDFs
    candidates: int  # distinct items seen: arXiv entries after merging the queries, or PDF files in the folder
    kept: int  # papers kept (for arXiv, before their PDFs were downloaded)
    queries: list[PlannedQuery] = Field(default_factory=list)
    summary: str = ""  # one paragraph for a reader
    arxiv: ArxivSearch | None = None


# -- synthesis: what the papers say about the question ---------------------------------------------------------
class PaperRelevance(Record):
    """How far one kept paper bears on the question: the measure's score, and whether it reached the threshold."""

    paper_id: str
    score: float  # cosine similarity of the question with the paper's profile text (see Synthesis.measure)
    profile: Literal["title+abstract", "title+first chunks", "title"]  # what the question was compared with
    relevant: bool  # score >= Synthesis.paper_threshold
    facets: list[str] = Field(default_factory=list)  # ids of the facets the paper addresses


class ClaimRelevance(Record):
    """A claim's similarity to the question and its facets; ``finding`` when the report presents it as one."""

    claim_id: str
    score: float  # cosine similarity of the question with the claim's text
    facets: list[str] = Field(default_factory=list)  # ids of the facets the claim addresses
    finding: bool  # from a relevant paper and relevant itself (score or a facet); presented in the report
    rank: int | None = None  # 1-based among the findings, most relevant first; None for a claim not presented


class Facet(Record):
    """One part of the question ("zero-shot cross-lingual transfer"), found by :mod:`synth.synthesis.facets`."""

    id: str  # "F1", "F2", … in question order
    text: str  # as the question words it
    terms: list[str]  # the content words a passage must contain to mention it (lower case, stemmed lightly)
    kind: Literal["topic", "comparison"] = "topic"
    sides: list[list[str]] = Field(default_factory=list)  # a comparison's two sides, each its terms


class FacetCoverage(Record):
    """Which relevant papers and findings address one facet, and by which measure."""

    facet: str  # the facet's text
    facet_id: str
    addressed: bool  # at least one relevant paper addresses it
    papers: list[str]  # paper ids, strongest first
    claims: list[str]  # claim ids of findings that address it, most relevant first
    best_score: float  # the highest facet–passage cosine over the passages that mention its terms (0 when none)
    mentions: int  # passages of relevant papers that mention all its terms


class AnswerSentence(Record):
    """One sentence of the answer: what it says, the findings it rests on and the papers it cites."""

    text: str  # the sentence as shown, without its citation marks (renderers add them)
    claims: list[str]  # claim ids it is built from (extractive: exactly one)
    papers: list[str]  # paper ids it cites: the claims' sources, then the papers whose passages decided a verdict
    status: Literal[
        "supported", "refuted", "not_verified", "disagreement", "mentioned", "more"
    ]  # mentioned: no finding, papers only
    leaning: Literal["supported", "refuted"] | None = None  # for a claim not verified, the way the evidence leaned
    entailment: float | None = None  # abstractive only: P(its cited passages entail it), as the verifier measured


class AnswerParagraph(Record):
    facet: str  # the facet's text
    facet_id: str
    sentences: list[AnswerSentence]


class HeldOutFigures(Record):
    """The verifier measured on held-out labelled claims in one setting."""

    setting: str  # "oracle" (the cited abstracts as evidence) or "retrieval" (passages retrieved from the corpus)
    n_claims: int | None
    accuracy: float | None  # 3-way accuracy of the most probable verdict
    macro_f1: float | None
    ece: float | None  # expected calibration error (15 bins)
    precision_supported: float | None  # at the operating point
    coverage_supported: float | None
    precision_refuted: float | None
    coverage_refuted: float | None


class VerifierFigures(Record):
    """The verifier's own measured figures (``aggregator.json`` beside the model), as the report states them."""

    model: str  # the NLI model as configured
    source: str  # the file the figures were read from
    operating_point: float | None  # min_confidence a supported / refuted verdict must reach
    target_precision: float | None
    fit_precision_supported: float | None  # on the fit claims' cross-validated predictions, at the operating point
    fit_coverage_supported: float | None
    eval_data: str | None  # the held-out data, e.g. "SciFact claims_train.jsonl, eval part"
    held_out: list[HeldOutFigures] = Field(default_factory=list)

    def setting(self, name: str) -> HeldOutFigures | None:
        return next((h for h in self.held_out if h.setting == name), None)


class Synthesis(Record):
    """``07_synthesis/synthesis.json``: relevance of every paper and claim, the question's facets, their coverage and
    the answer. Every score the gates used is kept, with the thresholds and the measures, so a reader can re-draw the
    lines."""

    question: str
    embedding_model: str  # model key of the embeddings the similarities come from
    measure: str  # how paper and claim relevance are measured, in words
    facet_method: str  # how the facets were found and matched, in words
    paper_threshold: float
    claim_threshold: float
    facet_threshold: float  # facet–passage cosine from which a passage that mentions a facet addresses it
    claim_facet_threshold: float  # facet–claim cosine from which a claim addresses a facet it does not name
    papers: list[PaperRelevance]  # every kept paper, most relevant first
    claims: list[ClaimRelevance]  # every claim, in claims.jsonl order
    facets: list[Facet]
    coverage: list[FacetCoverage]  # one per facet, in facet order
    answer: list[AnswerParagraph]  # one per addressed facet with at least one finding
    writer: Literal["extractive", "llm"]
    dropped_sentences: int = 0  # abstractive sentences the verifier did not find entailed by their passages
    verifier: VerifierFigures | None = None  # None when the verifier ships no measured figures

    @property
    def on_topic(self) -> bool:
        return any(p.relevant for p in self.papers)
