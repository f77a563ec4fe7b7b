"""Rule-generated hard negatives for the verifier: the failures measured on real runs, made into training pairs.

The shipped pilot verifier called "supported" whenever claim and evidence shared most of their words, so it
missed changed numbers, flipped directions ("increase" vs "decrease"), antonyms, negation and swapped names.
Each rule here takes an *entailment* pair (premise, hypothesis) and edits only the hypothesis:

- a number the premise also states is changed -> contradiction (same quantity, another value);
- a direction or polarity word is swapped for its opposite -> contradiction;
- a negation is added or removed -> contradiction;
- a name (model, dataset, metric: a capitalised or mixed-case token the premise mentions) is replaced by a name
  of another example that the premise never mentions -> neutral (the premise says nothing about it).

The original entailment pair stays in the mix, so the model sees the minimal contrast, as in VitaminC.
Generation is deterministic for a seed: ``random.Random(f"{seed}:{key}")`` per pair.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable

from synth.training.data import NLIPair

# Opposites that flip a claim's truth when swapped in place (both directions are added below).
_OPPOSITES: dict[str, str] = {
    "increase": "decrease",
    "increases": "decreases",
    "increased": "decreased",
    "increasing": "decreasing",
    "higher": "lower",
    "highest": "lowest",
    "more": "less",
    "better": "worse",
    "best": "worst",
    "improves": "degrades",
    "improved": "degraded",
    "improve": "degrade",
    "outperforms": "underperforms",
    "outperformed": "underperformed",
    "larger": "smaller",
    "largest": "smallest",
    "above": "below",
    "gain": "loss",
    "gains": "losses",
    "rise": "fall",
    "rises": "falls",
    "rose": "fell",
    "positive": "negative",
    "positively": "negatively",
    "reduces": "raises",
    "reduced": "raised",
    "success": "failure",
    "successful": "unsuccessful",
    "effective": "ineffective",
    "significant": "insignificant",
    "stronger": "weaker",
    "strong": "weak",
    "faster": "slower",
    "fast": "slow",
    "easier": "harder",
    "longer": "shorter",
    "older": "younger",
    "always": "never",
    "won": "lost",
    "win": "lose",
    "correct": "incorrect",
    "possible": "impossible",
    "likely": "unlikely",
    "accurate": "inaccurate",
    "consistent": "inconsistent",
    "male": "female",
    "north": "south",
    "east": "west",
    "maximum": "minimum",
    "earlier": "later",
    "alive": "dead",
    "agree": "disagree",
    "supports": "opposes",
    "enhances": "impairs",
    "promotes": "inhibits",
    "activates": "inhibits",
    "upregulates": "downregulates",
    "upregulated": "downregulated",
}
OPPOSITES: dict[str, str] = {**_OPPOSITES, **{v: k for k, v in _OPPOSITES.items() if v not in _OPPOSITES}}

_AUX = r"(is|are|was|were|can|could|will|would|should|has|have|had|does|do|did|may|might|must)"
_NEG_ADD = re.compile(rf"\b{_AUX}\b(?! not\b)(?!n't)", re.IGNORECASE)
_NEG_DROP = re.compile(rf"\b{_AUX}( not|n't)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]*\d)")
# a number after a bound ("more than 3,250") may be changed without changing the truth; a year shifts time
_BOUND = re.compile(
    r"(more|less|fewer|greater|higher|lower|larger|smaller|over|under|least|most|nearly|about|around|approximately"
    r"|almost|up to|roughly|than|after|before|since|until|by)\s*$",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b(?:[A-Z][a-z]*[A-Z0-9][\w-]*|[A-Z]{2,}[\w-]*|[A-Z][a-z]+(?:-[A-Z0-9][\w]*)+)\b")
_WORD = re.compile(r"\b[A-Za-z]+\b")
# Words that may start a sentence or name a month/person: never a "name" for swapping.
_NOT_NAMES = {"I", "A", "AN", "THE", "IT", "US", "UK", "OK"}


def _keep_case(original: str, replacement: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def flip_direction(text: str, rng: random.Random) -> str | None:
    """Swap one direction/polarity word for its opposite; None when the text has none."""
    # lower-case only (or the first word): a capitalised "Rose" or "Young" mid-sentence is a name
    hits = [m for m in _WORD.finditer(text) if m.group(0).lower() in OPPOSITES and (m.group(0).islower() or m.start() == 0)]
    if not hits:
        return None
    m = rng.choice(hits)
    new = _keep_case(m.group(0), OPPOSITES[m.group(0).lower()])
    return text[: m.start()] + new + text[m.end() :]


def toggle_negation(text: str, rng: random.Random) -> str | None:
    """Drop an existing negation, else negate one auxiliary verb; None when neither applies."""
    drops = list(_NEG_DROP.finditer(text))
    if drops:
        m = rng.choice(drops)
        return text[: m.start()] + m.group(1) + text[m.end() :]
    adds = list(_NEG_ADD.finditer(text))
    if not adds:
        return None
    m = rng.choice(adds)
    return text[: m.end()] + " not" + text[m.end() :]


def _other_value(value: str, rng: random.Random) -> str:
    """A clearly different value in the same format (decimals kept, thousands separators kept)."""
    plain = value.replace(",", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    x = float(plain)
    for _ in range(20):
        factor = rng.choice([0.5, 0.7, 0.8, 1.25, 1.5, 2.0, 3.0])
        delta = rng.choice([-3, -2, -1, 1, 2, 5, 10]) * (10**-decimals if decimals else 1)
        y = x * factor if rng.random() < 0.5 else x + delta
        if y < 0 or round(y, decimals) == round(x, decimals):
            continue
        out = f"{y:.{decimals}f}"
        if "," in value:
            out = f"{round(y):,}"
        return out
    return str(int(x) + 7)


def _is_year(value: str) -> bool:
    return value.isdigit() and 1000 <= int(value) <= 2100


def change_number(premise: str, text: str, rng: random.Random) -> str | None:
    """Change one number that the premise also states; None when the hypothesis repeats no number."""
    in_premise = {m.group(0) for m in _NUMBER.finditer(premise)}
    hits = [
        m
        for m in _NUMBER.finditer(text)
        if m.group(0) in in_premise and not _BOUND.search(text[: m.start()]) and not _is_year(m.group(0))
    ]
    if not hits:
        return None
    m = rng.choice(hits)
    return text[: m.start()] + _other_value(m.group(0), rng) + text[m.end() :]


def names_of(text: str) -> list[str]:
    """Model-, dataset- and metric-like names: mixed case, acronyms, hyphenated capitalised terms."""
    return [n for n in _NAME.findall(text) if n not in _NOT_NAMES and not n.isdigit()]


def swap_name(premise: str, text: str, pool: list[str], rng: random.Random) -> str | None:
    """Replace one name shared with the premise by a pool name the premise never mentions."""
    shared = [n for n in names_of(text) if n in premise]
    candidates = [n for n in pool if n not in premise and n not in text]
    if not shared or not candidates:
        return None
    old = rng.choice(shared)
    return re.sub(rf"\b{re.escape(old)}\b", rng.choice(candidates), text, count=1)


Edit = tuple[str, str, Callable[[], str | None]]


def _edits(p: NLIPair, pool: list[str], rng: random.Random, negation_share: float) -> list[Edit]:
    """The edits to try on ``p``, in order: the rarer, more informative ones shuffled first; negation applies almost
    everywhere, so it leads only for a ``negation_share`` of the pairs."""
    edits: list[Edit] = [
        ("number", "contradiction", lambda: change_number(p.premise, p.hypothesis, rng)),
        ("direction", "contradiction", lambda: flip_direction(p.hypothesis, rng)),
        ("name", "neutral", lambda: swap_name(p.premise, p.hypothesis, pool, rng)),
    ]
    rng.shuffle(edits)
    if rng.random() < negation_share:
        edits.insert(0, ("negation", "contradiction", lambda: toggle_negation(p.hypothesis, rng)))
    return edits


def hard_negatives(pairs: Iterable[NLIPair], seed: int = 0, per_pair: int = 1, negation_share: float = 0.25) -> list[NLIPair]:
    """Contradiction and neutral variants of the entailment pairs, at most ``per_pair`` each.

    Keys are ``<rule>:<original key>`` so the model card can say which rows produced which negatives.
    """
    entailed = [p for p in pairs if p.label == "entailment"]
    pools: dict[str, list[str]] = {}  # names are swapped within a source: a gene name never lands in a film plot
    for p in entailed:
        pools.setdefault(p.source, []).extend(names_of(p.hypothesis))
    pool_of = {source: sorted(set(names)) for source, names in pools.items()}
    out: list[NLIPair] = []
    for p in entailed:
        rng = random.Random(f"{seed}:{p.key}")
        edits = _edits(p, pool_of[p.source], rng, negation_share)
        made = 0
        for rule, label, edit in edits:
            if made >= per_pair:
                break
            new = edit()
            if new and new != p.hypothesis:
                out.append(NLIPair(p.premise, new, label, f"hard-{rule}", f"hard-{rule}:{p.key}"))  # type: ignore[arg-type]
                made += 1
    return out
