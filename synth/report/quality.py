"""The run's quality score: independent reviewers, each measuring one stated aspect 0–10 from the run's records.

Every reviewer measures something that can be low, and says what it measured, so a reader (or a test) can recompute
each score and the overall one from the run directory alone:

- relevance: the share of the kept papers that bear on the question (the synthesis stage's stated threshold);
- facet coverage: the share of the question's facets some relevant paper addresses;
- verification: the share of the findings (claims presented as bearing on the question) the verifier decided at its
  operating point, supported or refuted; a run with no finding scores 0;
- verifier accuracy and verifier calibration: the verifier's own accuracy and expected calibration error measured on
  held-out labelled claims (``aggregator.json``'s ``eval``, recorded by the synthesis stage), never "a calibration file
  exists"; a verifier without measured figures scores 0 on both;
- source diversity: how many of the relevant papers the findings and their evidence rest on;
- recency: the median age of the relevant papers.

Two caps keep the number honest: a run where no paper bears on the question scores at most 3/10, and a run where no
finding is verified at most 5/10. A reviewer with nothing to judge abstains (``None``) and is left out of the mean.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

from synth.core.records import Claim, HeldOutFigures, VerifierFigures
from synth.report.data import RunData
from synth.report.model import Quality, Review

DECIDED = ("supported", "refuted")
CONFIDENT = 0.5  # a calibrated confidence below this means the verdict is more likely wrong than right
RECENT_YEARS, OLD_YEARS = 2.0, 20.0  # recency: full marks at or under RECENT_YEARS, zero at OLD_YEARS
CHANCE = 1 / 3  # 3-way accuracy of guessing
ECE_ZERO = 0.25  # expected calibration error at which the calibration score reaches 0
OFF_TOPIC_CAP, UNVERIFIED_CAP = 3.0, 5.0


def _clip(x: float) -> float:
    return max(0.0, min(10.0, x))


def _reviewer(name: str, aspect: str, formula: str) -> Callable[[float | None, str], Review]:
    """One reviewer's fixed name, aspect and formula; each verdict adds its score and the numbers behind it."""
    return lambda score, detail: Review(name=name, aspect=aspect, score=score, formula=formula, detail=detail)


def relevant_papers(data: RunData) -> set[str] | None:
    """Ids of the papers that bear on the question; None when the synthesis stage has not run."""
    if data.synthesis is None:
        return None
    return {p.paper_id for p in data.synthesis.papers if p.relevant}


def presented_claims(data: RunData) -> list[Claim]:
    """The claims the report presents as findings (every claim when the synthesis stage has not run)."""
    claims = data.claims or []
    if data.synthesis is None:
        return list(claims)
    rank = {c.claim_id: c.rank for c in data.synthesis.claims if c.finding}
    return sorted((c for c in claims if c.id in rank), key=lambda c: rank[c.id] or 0)


def review_relevance(data: RunData) -> Review:
    review = _reviewer(
        "relevance", "kept papers that bear on the question", "10 × (papers at or above the relevance threshold) / papers kept"
    )
    relevant = relevant_papers(data)
    if relevant is None:
        return review(None, "the synthesis stage has not run")
    kept = len(data.synthesis.papers) if data.synthesis else 0
    if not kept:
        return review(0.0, "no papers")
    threshold = data.synthesis.paper_threshold if data.synthesis else 0.0
    return review(_clip(10 * len(relevant) / kept), f"{len(relevant)}/{kept} papers (similarity ≥ {threshold:g})")


def review_facets(data: RunData) -> Review:
    review = _reviewer(
        "facet coverage", "parts of the question the literature addresses", "10 × (facets addressed) / facets of the question"
    )
    if data.synthesis is None:
        return review(None, "the synthesis stage has not run")
    rows = data.synthesis.coverage
    if not rows:
        return review(None, "no facet found in the question")
    done = sum(r.addressed for r in rows)
    return review(_clip(10 * done / len(rows)), f"{done}/{len(rows)} facets")


def review_verification(data: RunData) -> Review:
    review = _reviewer(
        "verification",
        "findings the verifier decided at its operating point",
        "10 × (findings supported or refuted) / findings; 0 when nothing is presented as a finding",
    )
    claims = presented_claims(data)
    if data.claims is None or data.verdicts is None:
        return review(None, "the verify stage has not run")
    if not claims:
        return review(0.0, "no claim bears on the question")
    verdicts = data.verdict_map()
    decided = sum(1 for c in claims if (v := verdicts.get(c.id)) is not None and v.label in DECIDED)
    what = "findings" if data.synthesis is not None else "claims"
    return review(_clip(10 * decided / len(claims)), f"{decided}/{len(claims)} {what}")


def held_out(figures: VerifierFigures | None) -> HeldOutFigures | None:
    """The held-out measurement closest to a run: with retrieved passages, else with the cited abstracts."""
    if figures is None:
        return None
    return figures.setting("retrieval") or figures.setting("oracle")


def verifier_figures(data: RunData) -> VerifierFigures | None:
    """What the run recorded about its verifier (the synthesis stage copies ``aggregator.json``'s figures)."""
    if data.synthesis is not None:
        return data.synthesis.verifier
    from synth.synthesis.verifier import read_figures  # a run made before the synthesis stage: the model's own file

    nli = str((data.manifest.get("models") or {}).get("nli") or "")
    name, _, revision = nli.partition("@")
    return read_figures(name, revision or None) if name and revision not in ("", "hub") else None


def review_verifier_accuracy(data: RunData) -> Review:
    review = _reviewer(
        "verifier accuracy",
        "the verifier's 3-way accuracy on held-out labelled claims",
        "10 × (accuracy − 1/3) / (2/3), chance = 0; 0 when the verifier has no measured figures",
    )
    if not data.verdicts:
        return review(None, "no verdicts")
    figures = verifier_figures(data)
    held = held_out(figures)
    if held is None or held.accuracy is None:
        return review(0.0, "not measured: the verifier ships no held-out figures")
    where = f"{held.setting} evidence, {held.n_claims} claims" if held.n_claims else f"{held.setting} evidence"
    return review(_clip(10 * (held.accuracy - CHANCE) / (1 - CHANCE)), f"accuracy {held.accuracy:.3f} ({where})")


def review_verifier_calibration(data: RunData) -> Review:
    review = _reviewer(
        "verifier calibration",
        "how well the verifier's confidences match its held-out accuracy",
        f"10 × (1 − ECE / {ECE_ZERO:g}), clipped to 0–10; 0 when the verifier has no measured figures",
    )
    if not data.verdicts:
        return review(None, "no verdicts")
    held = held_out(verifier_figures(data))
    if held is None or held.ece is None:
        return review(0.0, "not measured: the verifier ships no held-out figures")
    return review(_clip(10 * (1 - held.ece / ECE_ZERO)), f"ECE {held.ece:.3f} ({held.setting} evidence, 15 bins)")


def review_source_diversity(data: RunData) -> Review:
    review = _reviewer(
        "source diversity",
        "how many of the relevant papers the findings rest on",
        "10 × (distinct relevant papers among the findings' sources and evidence) / relevant papers",
    )
    relevant = relevant_papers(data)
    pool = relevant if relevant is not None else {p.id for p in data.papers or []}
    if not pool:
        return review(0.0 if data.papers else None, "no paper bears on the question" if data.papers else "no papers")
    claims = presented_claims(data)
    verdicts = data.verdict_map()
    used = {s.paper_id for c in claims for s in c.sources}
    used |= {e.paper_id for c in claims if (v := verdicts.get(c.id)) for e in v.evidence if e.paper_id}
    n = len(used & pool)
    return review(_clip(10 * n / len(pool)), f"{n}/{len(pool)} papers")


def paper_age_years(data: RunData, only: set[str] | None = None) -> list[float]:
    """Age of every dated paper (of ``only``, when given) at the time of the run, in years."""
    created = data.created
    if created is None:
        return []
    ages = []
    for p in data.papers or []:
        if only is not None and p.id not in only:
            continue
        when: float | None = None
        if p.published:
            try:
                y, m, d = (int(x) for x in p.published[:10].split("-"))
                when = y + (m - 1) / 12 + (d - 1) / 365.25
            except ValueError:
                when = None
        if when is None and p.year is not None:
            when = p.year + 0.5
        if when is not None:
            now = created.year + (created.timetuple().tm_yday - 1) / 365.25
            ages.append(max(0.0, now - when))
    return ages


def review_recency(data: RunData) -> Review:
    review = _reviewer(
        "recency",
        "how current the relevant papers are",
        f"10 × (1 − (median age − {RECENT_YEARS:g}) / {OLD_YEARS - RECENT_YEARS:g}), clipped to 0–10",
    )
    ages = paper_age_years(data, relevant_papers(data))
    if not ages:
        return review(None, "no dated relevant papers")
    med = statistics.median(ages)
    score = _clip(10 * (1 - (med - RECENT_YEARS) / (OLD_YEARS - RECENT_YEARS)))
    return review(score, f"median age {med:.1f} years over {len(ages)} dated papers")


REVIEWERS: list[Callable[[RunData], Review]] = [
    review_relevance,
    review_facets,
    review_verification,
    review_verifier_accuracy,
    review_verifier_calibration,
    review_source_diversity,
    review_recency,
]
WEIGHTS: dict[str, float] = {
    "relevance": 2.0,
    "facet coverage": 2.0,
    "verification": 2.0,
    "verifier accuracy": 1.0,
    "verifier calibration": 1.0,
    "source diversity": 1.0,
    "recency": 1.0,
}


def cap_for(data: RunData) -> tuple[float | None, str | None]:
    """The most this run may score, and why: no relevant paper → 3; no verified finding → 5."""
    relevant = relevant_papers(data)
    if relevant is not None and not relevant:
        return OFF_TOPIC_CAP, "no paper bears on the question"
    claims = presented_claims(data)
    verdicts = data.verdict_map()
    if not any((v := verdicts.get(c.id)) is not None and v.label in DECIDED for c in claims):
        what = "finding" if data.synthesis is not None else "claim"
        return UNVERIFIED_CAP, f"no {what} was verified at the operating point"
    return None, None


def assess(data: RunData) -> Quality:
    """Run every reviewer and combine: Σ wᵢ·sᵢ / Σ wᵢ over the reviewers that scored, then the cap."""
    reviews = [reviewer(data) for reviewer in REVIEWERS]
    scored = [(WEIGHTS[r.name], r.score) for r in reviews if r.score is not None]
    total = sum(w for w, _ in scored)
    mean = sum(w * s for w, s in scored) / total if total > 0 else None
    if mean is not None and math.isnan(mean):
        mean = None
    cap, why = cap_for(data)
    overall = min(mean, cap) if mean is not None and cap is not None else mean
    weights = ", ".join(f"{name} {w:g}" for name, w in WEIGHTS.items())
    formula = (
        f"overall = Σ wᵢ·sᵢ / Σ wᵢ over the reviewers that scored (weights: {weights}), at most {OFF_TOPIC_CAP:g} when "
        f"no paper bears on the question and at most {UNVERIFIED_CAP:g} when no finding is verified"
    )
    return Quality(
        reviews=reviews,
        overall=overall,
        formula=formula,
        weights=dict(WEIGHTS),
        uncapped=mean,
        cap=cap,
        cap_reason=why,
    )
