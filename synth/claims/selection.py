"""Claims from every paper of a run: extracted per paper, ranked by relevance to the question, near-duplicates merged.

Extraction is per paper and delegated to the configured extractor (``rules`` offline by default, or ``llm``);
this module owns what is common to both:

- relevance: cosine similarity of the claim to the question (the run's embedding model) plus a weight on the
  extractor's cue, which encodes the claim's kind and how clearly it is a checkable claim;
- findings only: candidates an extractor labels ``background`` (someone else's result, the state of the field) are
  dropped, as are those whose opening pronoun or "this approach" could not be resolved;
- de-duplication: two claims are merged into the more relevant one, keeping every source (the same finding stated in
  the abstract and the conclusion, or by two papers), only when their embeddings are nearly identical (cosine ≥
  ``DUPLICATE_COSINE`` = 0.9) *and* they state the same numbers (one with 4% and one with 9% are two findings,
  however alike their words);
- relevance gate: a claim whose cosine similarity to the question is below ``claims.min_similarity`` (0.30 for
  all-MiniLM-L6-v2) is not kept, however few claims that leaves: the budgets below are ceilings, not quotas to fill.
  0.30 was read off the shared corpus: claims of papers about the question's subject score 0.35–0.75 against it,
  claims of papers from the same field on another subject (English sentence embeddings, for a question on
  cross-lingual transfer) 0.05–0.35. Another embedding model needs its own value;
- question gate: given ``answers`` (the claims stage binds :class:`synth.synthesis.facets.QuestionGate`), a candidate
  must be about what the question asks: it, its section or its paper's title and abstract name the question's focus,
  and its own sentence names a part of the question. Similarity alone lets through claims of the question's field
  that answer another question (a paper's findings on word analogies, asked about inference). Both gates are the
  relevance cut: with ``min_similarity`` ≤ 0 (the cut turned off) neither applies;
- budget: at most ``per_paper`` claims from one paper and ``max_claims`` in all;
- failures: a paper with no qualifying sentence is recorded as ``NoClaims`` (the report says so); a paper the
  extractor could not process (an LLM server error) is recorded with the error's message; when *every* paper
  fails that way extraction stops with that error instead of writing an empty claims file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from synth.claims.base import Candidate, Extractor
from synth.claims.decontext import PaperContext, captions_of
from synth.core.errors import SynthError
from synth.core.records import Claim, ClaimSource, Failure, Paper, ParsedDoc, Sentence

CUE_WEIGHT = 0.25  # relevance = cosine(question, claim) + CUE_WEIGHT * cue
DUPLICATE_COSINE = 0.9
MIN_SIMILARITY = 0.30  # a claim less similar than this to the question is not kept (see the module docstring)


@dataclass
class Extracted:
    """The self-contained candidates of all papers, and what was dropped or failed on the way."""

    candidates: list[Candidate] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)
    not_self_contained: int = 0
    contexts: dict[str, PaperContext] = field(default_factory=dict)  # by paper id, as each extractor read its paper


def front_lines(doc: ParsedDoc | None) -> list[str]:
    """The first lines of a paper's first page (its title, when the search record lacks one)."""
    if doc is None:
        return []
    # any role: a short second title line can be mistaken for a table cell or a heading by the parser
    return [b.text for b in doc.blocks[:4] if b.page == 1 and b.kind != "references"]


def captions_of_doc(doc: ParsedDoc | None) -> dict[str, str]:
    """A paper's table and figure captions by label (see :func:`synth.claims.decontext.captions_of`)."""
    return captions_of([b.text for b in doc.blocks if b.kind == "caption"]) if doc else {}


def extract_all(
    extractor: Extractor, papers: dict[str, Paper], docs: dict[str, ParsedDoc], sentences: dict[str, list[Sentence]]
) -> Extracted:
    """Run ``extractor`` over every paper; raises the extractor's error when every paper failed with one."""
    result = Extracted()
    errors: list[SynthError] = []
    for paper_id in sorted(docs.keys() | sentences.keys()):
        paper = papers.get(paper_id)
        if paper is None:
            continue
        try:
            doc = docs.get(paper_id)
            found = extractor.extract(paper, sentences.get(paper_id, []), front_lines(doc), captions_of_doc(doc))
        except SynthError as err:
            errors.append(err)
            result.failures.append(Failure(stage="claims", item=paper_id, error=type(err).__name__, message=str(err)))
            continue
        if found.context is not None:
            result.contexts[paper_id] = found.context
        for reason, n in found.reasons.items():
            result.rejected[reason] = result.rejected.get(reason, 0) + n
        # a claim that still leans on the sentence before it ("This approach works poorly …") is not reported: the
        # reader cannot tell what it is about
        findings = [c for c in found.candidates if c.kind != "background"]
        if len(findings) < len(found.candidates):
            result.rejected["background"] = result.rejected.get("background", 0) + len(found.candidates) - len(findings)
        kept = [c for c in findings if c.self_contained]
        result.not_self_contained += len(findings) - len(kept)
        if not kept:
            result.failures.append(
                Failure(
                    stage="claims",
                    item=paper_id,
                    error="NoClaims",
                    message=f"{paper_id}: no sentence qualifies as a checkable claim",
                )
            )
        result.candidates.extend(kept)
    if errors and len(errors) == len(result.failures) and not result.candidates:
        raise errors[0]  # nothing worked (e.g. the LLM server is down): say so instead of reporting zero claims
    return result


def rank(
    pool: list[Candidate],
    vectors: np.ndarray,
    question: np.ndarray,
    max_claims: int,
    per_paper: int,
    extractor: str,
    min_similarity: float = MIN_SIMILARITY,
    answers: Callable[[Candidate], bool] | None = None,
) -> tuple[list[Claim], int]:
    """Order candidates by relevance, drop those below ``min_similarity`` to the question or (given ``answers``)
    not about what it asks, merge near-duplicates (keeping every source), apply the budgets
    (ceilings: nothing below the threshold is taken to fill them)."""
    similarity = vectors @ question
    relevance = similarity + CUE_WEIGHT * np.array([c.cue for c in pool])
    order = sorted(
        (
            i
            for i in range(len(pool))
            if float(similarity[i]) >= min_similarity and (answers is None or min_similarity <= 0 or answers(pool[i]))
        ),
        key=lambda i: (-float(relevance[i]), pool[i].sentence.id),  # ties: stable, by sentence
    )
    per: dict[str, int] = {}
    kept: list[int] = []
    merged: dict[int, list[int]] = {}
    for i in order:
        cand = pool[i]
        dup = next((k for k in kept if is_duplicate(pool[k], cand, float(vectors[k] @ vectors[i]))), None)
        if dup is not None:
            merged.setdefault(dup, []).append(i)
            continue
        paper_id = cand.sentence.paper_id
        if per.get(paper_id, 0) >= per_paper or len(kept) >= max_claims:
            continue
        per[paper_id] = per.get(paper_id, 0) + 1
        kept.append(i)
    claims = []
    for n, i in enumerate(kept):
        cand = pool[i]
        sources = [source_of(pool[j].sentence) for j in [i, *merged.get(i, [])]]
        claims.append(
            Claim(
                id=f"C{n + 1:03d}",
                text=cand.text,
                kind=cand.kind,
                sources=sources,
                numbers=cand.numbers,
                relevance=round(float(relevance[i]), 4),
                language=cand.language,
                extractor=extractor,
                note=cand.note,
            )
        )
    return claims, sum(len(v) for v in merged.values())


_NUMERAL = re.compile(r"(?<![\w.])[-+−]?\d+(?:[.,]\d+)?")


def numerals(text: str) -> set[str]:
    """The numbers a sentence states, as written ("4", "9.5"), for telling apart findings that differ only in them."""
    return {m.group(0).lstrip("+").replace("−", "-") for m in _NUMERAL.finditer(text)}


def is_duplicate(a: Candidate, b: Candidate, cosine: float) -> bool:
    """The same finding: the same sentence, or embeddings at least ``DUPLICATE_COSINE`` alike *and* the same numbers."""
    if " ".join(a.sentence.text.split()) == " ".join(b.sentence.text.split()):
        return True
    return cosine >= DUPLICATE_COSINE and numerals(a.sentence.text) == numerals(b.sentence.text)


def source_of(s: Sentence) -> ClaimSource:
    return ClaimSource(
        paper_id=s.paper_id,
        sentence_id=s.id,
        page=s.page,
        section=s.section,
        char_start=s.char_start,
        char_end=s.char_end,
        original=s.text,
    )
