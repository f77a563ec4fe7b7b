"""Which papers and findings address each facet of the question.

A passage (a chunk of a paper, or its title and abstract) *addresses* a facet when it names it, enough of the
facet's content words being in the passage (:func:`synth.synthesis.facets.mentions`: all of up to three, two thirds of
more, each side of a comparison on its own), and is about it: its cosine similarity with the facet reaches
``synthesis.facet_threshold``. Lexical presence alone counts a passing mention in related work; similarity alone
counts every passage of the same field. A paper addresses a facet when one of its passages does, and only papers
that bear on the question count. A finding addresses a facet when its text (or the sentence it was read from) names it,
or when it is close to it in meaning (cosine similarity at least ``synthesis.claim_facet_threshold``: a claim is one
sentence, so similarity alone is a sharper signal than for a 200-token passage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synth.core.records import Claim, Facet, FacetCoverage
from synth.synthesis.facets import mentions, word_set

METHOD = (
    "facets: a keyphrase split of the question at punctuation, conjunctions, question words, prepositions and generic "
    "words ('impact', 'improve', 'performance'), a parenthesis or a 'compared to'/'compare with' clause making a comparison "
    "facet; a passage addresses a facet when it contains its content words (all of up to three, two thirds of more; each "
    "side of a comparison) and its cosine similarity with the facet is at least {threshold:g}; a paper addresses a facet when "
    "one of its passages (chunks, or title and abstract) does; a finding does when its text names the facet or its "
    "cosine similarity with the facet is at least {claim_threshold:g}"
)


@dataclass(frozen=True)
class Passage:
    """A text of one paper the facets are looked for in."""

    paper_id: str
    text: str


def passage_hits(
    found: Sequence[Facet], facet_vecs: np.ndarray, passages: Sequence[Passage], passage_vecs: np.ndarray, threshold: float
) -> tuple[dict[str, dict[str, float]], dict[str, int], dict[str, float]]:
    """Per facet id: {paper id: best similarity of an addressing passage}, passages naming it, best naming similarity."""
    sims = np.asarray(passage_vecs) @ np.asarray(facet_vecs).T if len(passages) and len(found) else np.zeros((0, len(found)))
    words = [word_set(p.text) for p in passages]
    papers: dict[str, dict[str, float]] = {f.id: {} for f in found}
    named: dict[str, int] = {f.id: 0 for f in found}
    best: dict[str, float] = {f.id: 0.0 for f in found}
    for j, facet in enumerate(found):
        for i, passage in enumerate(passages):
            if not mentions(facet, words[i]):
                continue
            s = float(sims[i, j])
            named[facet.id] += 1
            best[facet.id] = max(best[facet.id], s)
            if s >= threshold:
                papers[facet.id][passage.paper_id] = max(papers[facet.id].get(passage.paper_id, -1.0), s)
    return papers, named, best


def claim_facets(found: Sequence[Facet], claims: Sequence[Claim], sims: np.ndarray, threshold: float) -> dict[str, list[str]]:
    """Per claim id, the ids of the facets it addresses, the one it is most about first: its text (or its source
    sentence) names the facet, or its cosine similarity with the facet (``sims[claim, facet]``) reaches ``threshold``.
    A facet the claim names comes before one it is only close to; among either, the more similar first."""
    out: dict[str, list[str]] = {}
    for i, claim in enumerate(claims):
        words = word_set(" ".join([claim.text, *(s.original for s in claim.sources[:1])]))
        strength = {}
        for j, f in enumerate(found):
            named = mentions(f, words)
            if named or float(sims[i, j]) >= threshold:
                strength[f.id] = (1.0 if named else 0.0) + float(sims[i, j])
        if strength:
            out[claim.id] = sorted(strength, key=lambda fid: (-strength[fid], fid))
    return out


def coverage(
    found: Sequence[Facet],
    papers: dict[str, dict[str, float]],
    named: dict[str, int],
    best: dict[str, float],
    finding_facets: dict[str, list[str]],
    finding_order: Sequence[str],
) -> list[FacetCoverage]:
    """One row per facet: the papers addressing it (strongest first) and the findings naming it (by rank)."""
    rows = []
    for facet in found:
        by_paper = papers.get(facet.id, {})
        rows.append(
            FacetCoverage(
                facet=facet.text,
                facet_id=facet.id,
                addressed=bool(by_paper),
                papers=sorted(by_paper, key=lambda p: (-by_paper[p], p)),
                claims=[c for c in finding_order if facet.id in finding_facets.get(c, [])],
                best_score=round(best.get(facet.id, 0.0), 4),
                mentions=named.get(facet.id, 0),
            )
        )
    return rows
