"""The run's quality score: independent reviewers, each scoring one stated aspect 0–10 from the run's records.

Every reviewer is a plain function of :class:`~synth.report.data.RunData` returning a :class:`Review` that
carries its score, the formula it applied and the numbers it applied it to, so a reader (or a test) can
recompute each score, and the overall score, from the run directory alone. A reviewer that has nothing to
judge (no claims, no dated papers) abstains with ``score=None`` and is left out of the overall mean.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

from synth.report.data import RunData
from synth.report.model import Quality, Review

DECIDED = ("supported", "refuted")
CONFIDENT = 0.5  # calibrated confidence from which a decided claim counts as verified
RECENT_YEARS, OLD_YEARS = 2.0, 20.0  # recency: full marks at or under RECENT_YEARS, zero at OLD_YEARS


def _clip(x: float) -> float:
    return max(0.0, min(10.0, x))


def _reviewer(name: str, aspect: str, formula: str) -> Callable[[float | None, str], Review]:
    """One reviewer's fixed name, aspect and formula; each verdict adds its score and the numbers behind it."""
    return lambda score, detail: Review(name=name, aspect=aspect, score=score, formula=formula, detail=detail)


def _foreign_evidence(data: RunData) -> dict[str, int]:
    """Per claim id: evidence windows from a paper other than the claim's own sources."""
    verdicts = data.verdict_map()
    out = {}
    for claim in data.claims or []:
        own = {s.paper_id for s in claim.sources}
        verdict = verdicts.get(claim.id)
        out[claim.id] = sum(1 for e in (verdict.evidence if verdict else []) if e.paper_id not in own)
    return out


def review_evidence_coverage(data: RunData) -> Review:
    """Share of claims with at least one evidence window from another paper."""
    review = _reviewer(
        "evidence coverage",
        "claims backed by passages from other papers",
        "10 × (claims with ≥ 1 evidence window from another paper) / claims",
    )
    counts = _foreign_evidence(data)
    if not counts:
        return review(None, "no claims")
    covered = sum(1 for n in counts.values() if n > 0)
    return review(_clip(10 * covered / len(counts)), f"{covered}/{len(counts)} claims")


def review_verification_rate(data: RunData) -> Review:
    """Share of claims decided (supported or refuted) with calibrated confidence ≥ 0.5."""
    review = _reviewer(
        "verification rate",
        "claims the verifier could decide",
        f"10 × (claims supported or refuted with confidence ≥ {CONFIDENT:g}) / claims",
    )
    claims = data.claims or []
    if not claims:
        return review(None, "no claims")
    verdicts = data.verdict_map()
    decided = sum(1 for c in claims if (v := verdicts.get(c.id)) is not None and v.label in DECIDED and v.confidence >= CONFIDENT)
    return review(_clip(10 * decided / len(claims)), f"{decided}/{len(claims)} claims")


def review_source_diversity(data: RunData) -> Review:
    """Distinct papers that contribute a claim or an evidence window, over the papers kept."""
    review = _reviewer(
        "source diversity",
        "how many of the kept papers the findings rest on",
        "10 × (distinct papers among claim sources and evidence) / papers kept",
    )
    papers = data.papers or []
    if not papers:
        return review(None, "no papers")
    used = {s.paper_id for c in data.claims or [] for s in c.sources}
    used |= {e.paper_id for v in data.verdicts or [] for e in v.evidence if e.paper_id}
    kept = {p.id for p in papers}
    n = len(used & kept)
    return review(_clip(10 * n / len(kept)), f"{n}/{len(kept)} papers")


def paper_age_years(data: RunData) -> list[float]:
    """Age of every dated paper at the time of the run, in years (publication date, else mid-year)."""
    created = data.created
    if created is None:
        return []
    ages = []
    for p in data.papers or []:
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
    """Median paper age at the date of the run: 10 at ≤ 2 years, falling linearly to 0 at 20 years."""
    review = _reviewer(
        "recency",
        "how current the evidence is",
        f"10 × (1 − (median age − {RECENT_YEARS:g}) / {OLD_YEARS - RECENT_YEARS:g}), clipped to 0–10",
    )
    ages = paper_age_years(data)
    if not ages:
        return review(None, "no dated papers")
    med = statistics.median(ages)
    score = _clip(10 * (1 - (med - RECENT_YEARS) / (OLD_YEARS - RECENT_YEARS)))
    return review(score, f"median age {med:.1f} years over {len(ages)} dated papers")


def review_calibration(data: RunData) -> Review:
    """Share of verdicts whose confidence comes from a fitted calibration rather than the raw score."""
    review = _reviewer(
        "calibration", "whether confidences are calibrated probabilities", "10 × (verdicts with a fitted calibration) / verdicts"
    )
    verdicts = data.verdicts or []
    if not verdicts:
        return review(None, "no verdicts")
    calibrated = sum(1 for v in verdicts if not v.calibration.lower().startswith("uncalibrated"))
    return review(_clip(10 * calibrated / len(verdicts)), f"{calibrated}/{len(verdicts)} verdicts")


REVIEWERS: list[Callable[[RunData], Review]] = [
    review_evidence_coverage,
    review_verification_rate,
    review_source_diversity,
    review_recency,
    review_calibration,
]
WEIGHTS: dict[str, float] = {
    "evidence coverage": 1.0,
    "verification rate": 1.0,
    "source diversity": 1.0,
    "recency": 1.0,
    "calibration": 1.0,
    "agreement": 1.0,
}


def review_agreement(reviews: list[Review]) -> Review:
    """How much the other reviewers agree: 10 × (1 − sd / 5), sd the population s.d. of their scores."""
    review = _reviewer(
        "agreement",
        "agreement between the reviewers",
        "10 × (1 − sd / 5), sd = population standard deviation of the other reviewers' scores (5 is the largest possible)",
    )
    scores = [r.score for r in reviews if r.score is not None]
    if len(scores) < 2:
        return review(None, "fewer than two scores")
    sd = statistics.pstdev(scores)
    return review(_clip(10 * (1 - sd / 5)), f"sd {sd:.2f} over {len(scores)} scores")


def assess(data: RunData) -> Quality:
    """Run every reviewer and combine: overall = Σ wᵢ·sᵢ / Σ wᵢ over the reviewers that scored."""
    reviews = [reviewer(data) for reviewer in REVIEWERS]
    reviews.append(review_agreement(reviews))
    scored = [(WEIGHTS[r.name], r.score) for r in reviews if r.score is not None]
    total = sum(w for w, _ in scored)
    overall = sum(w * s for w, s in scored) / total if total > 0 else None
    if overall is not None and math.isnan(overall):
        overall = None
    weights = ", ".join(f"{name} {w:g}" for name, w in WEIGHTS.items())
    formula = f"overall = Σ wᵢ·sᵢ / Σ wᵢ over the reviewers that scored (weights: {weights})"
    return Quality(reviews=reviews, overall=overall, formula=formula, weights=dict(WEIGHTS))
