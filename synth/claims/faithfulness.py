"""A rewrite must say what its source sentence says: each rewritten claim is checked against the sentence it came from.

Decontextualisation replaces words ("we" → "Conneau et al. (2018)", "our approach" → "XLM-R") and drops a frame or a
pointer ("We show that", "(Table 2)"). Rules can get a referent wrong, and a wrong referent inverts a claim (earlier
work's "modest scale" attributed to the paper itself). So the verifier's NLI model reads the source sentence as the
premise and the rewrite as the hypothesis; a rewrite the source does not entail is replaced by the source sentence
itself, which is faithful by construction (if less readable on its own).

The NLI model is passed in as a callable, so this package never loads a model: the claims stage gives it the run's
verifier, tests give it a stub.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from synth.claims.base import Candidate
from synth.claims.decontext import clean_text

#: ``(premise, hypothesis) -> P(entailment)``, e.g. the verifier's entailment probability for one pair
EntailmentScorer = Callable[[str, str], float]
#: P(source entails rewrite) below which the rewrite is not trusted
REWRITE_ENTAILMENT = 0.5


@dataclass(frozen=True)
class RewriteCheck:
    """The outcome of checking one rewrite against its source sentence."""

    text: str  # the claim text to use: the rewrite, or the source sentence when the rewrite was refused
    entailment: float | None  # P(source entails rewrite); None when nothing was rewritten (no check needed)
    kept_rewrite: bool


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", " ", a).strip().lower() == re.sub(r"\W+", " ", b).strip().lower()


def _unchanged(original: str, rewrite: str, premise: str | None, context: str | None) -> bool:
    """Nothing to check: the rewrite is its own source, or differs from it only by "we" put in the authors' name."""
    return _same(original, rewrite) or (premise is not None and not context and _same(premise, rewrite))


def check_rewrite(
    source: str,
    rewrite: str,
    entails: EntailmentScorer,
    threshold: float = REWRITE_ENTAILMENT,
    context: str | None = None,
    premise: str | None = None,
) -> RewriteCheck:
    """Keep ``rewrite`` only if ``source`` entails it with P ≥ ``threshold``; else fall back to ``source`` (cleaned).

    An unchanged sentence is not scored (it is its own source). ``entails(premise, hypothesis)`` must return the
    probability of entailment in [0, 1]. ``context`` (the caption or heading a bracketed name was taken from) is read
    before the source: a name the rewrite adds must come from it. ``premise``, when given, is the source with only its
    first person put in the paper's name (:func:`synth.claims.decontext.attributed`); it is read instead of the source,
    and a rewrite that changed nothing else is kept unscored.
    """
    original = clean_text(source)
    if _unchanged(original, rewrite, premise, context):
        return RewriteCheck(text=rewrite, entailment=None, kept_rewrite=True)
    read = premise or original
    p = float(entails(f"{context} {read}" if context else read, rewrite))
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"entailment scorer returned {p!r}, not a probability")
    if p >= threshold:
        return RewriteCheck(text=rewrite, entailment=p, kept_rewrite=True)
    return RewriteCheck(text=original, entailment=p, kept_rewrite=False)


def premise_of(cand: Candidate) -> str:
    """What a rewrite is checked against: its source sentence (its first person in the paper's name, when the extractor
    gave that form), after the caption or heading a bracketed name came from."""
    original = cand.premise or clean_text(cand.sentence.text)
    return f"{cand.context} {original}" if cand.context else original


def rewrite_pairs(candidates: Sequence[Candidate]) -> list[tuple[str, str]]:
    """The (source, rewrite) pairs :func:`check_rewrites` scores, in order: one per candidate whose text was changed.

    A caller with a batched model scores them all at once and passes a scorer that looks them up.
    """
    pairs = []
    for cand in candidates:
        if not _unchanged(clean_text(cand.sentence.text), cand.text, cand.premise, cand.context):
            pairs.append((premise_of(cand), cand.text))
    return pairs


def check_rewrites(
    candidates: Sequence[Candidate], entails: EntailmentScorer, threshold: float = REWRITE_ENTAILMENT
) -> tuple[list[Candidate], int]:
    """Each candidate with a text its source sentence entails, and how many rewrites fell back to their source.

    A candidate whose rewrite is refused keeps its kind and numbers; its ``note`` says why its text is the sentence as
    written.
    """
    out: list[Candidate] = []
    fell_back = 0
    for cand in candidates:
        result = check_rewrite(cand.sentence.text, cand.text, entails, threshold, cand.context, cand.premise)
        if result.kept_rewrite:
            out.append(cand)
            continue
        fell_back += 1
        why = f"rewrite not entailed by its source (P={result.entailment:.2f}); the sentence is quoted as written"
        out.append(replace(cand, text=result.text, context=None, note=f"{cand.note}; {why}" if cand.note else why))
    return out, fell_back
