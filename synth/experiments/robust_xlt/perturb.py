"""RS-DA: randomized smoothing by data augmentation, as the authors' ``perturb.py`` does it.

For each of ``n`` copies, every whitespace token (``sentence.split(' ')``, so runs of spaces survive) that has a
non-empty neighbour list is replaced by a uniform random choice from ``[word] + neighbours[word]``; all other
tokens are kept. The labels are unchanged; only the training set is perturbed.

One deliberate reading: the authors look the token up exactly as written, and the table's keys are all
lowercase, so in their code a capitalised word ("The") is never replaced. The issue asks for lowercase lookups,
so ``lowercase=True`` (the default) looks up ``word.lower()``; ``lowercase=False`` is the authors' exact
behaviour. Both are deterministic given the seed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from synth.experiments.robust_xlt.data import Pair

NEIGHBOURS_FILE = Path(__file__).with_name("counterfitted_neighbors.json")


@lru_cache(maxsize=2)
def load_neighbours(path: str | None = None) -> dict[str, list[str]]:
    """The counter-fitted synonym table shipped with synth (Apache-2.0, see NOTICE.md), or one at ``path``."""
    with open(path or NEIGHBOURS_FILE, encoding="utf-8") as f:
        return json.load(f)


def perturb_sentence(
    sentence: str, neighbours: dict[str, list[str]], n: int, rng: np.random.Generator, *, lowercase: bool = True
) -> tuple[list[str], bool]:
    """``n`` perturbed copies of ``sentence`` and whether any token had neighbours (the authors' ``success``)."""
    words = sentence.split(" ")
    success = False
    copies = []
    for _ in range(n):
        out = []
        for word in words:
            options = neighbours.get(word.lower() if lowercase else word)
            if not options:
                out.append(word)
                continue
            success = True
            choices = [word, *options]
            out.append(choices[int(rng.integers(0, len(choices)))])
        copies.append(" ".join(out))
    return copies, success


def perturb_pairs(
    pairs: list[Pair], neighbours: dict[str, list[str]], n: int, seed: int, *, lowercase: bool = True
) -> tuple[list[list[Pair]], float]:
    """For each pair, its ``n`` perturbed copies (both sentences perturbed); and the share of pairs changed."""
    rng = np.random.default_rng(seed)
    out: list[list[Pair]] = []
    changed = 0
    for p in pairs:
        c1, ok1 = perturb_sentence(p.s1, neighbours, n, rng, lowercase=lowercase)
        c2, ok2 = perturb_sentence(p.s2, neighbours, n, rng, lowercase=lowercase)
        changed += ok1 or ok2
        out.append([Pair(a, b, p.label, p.row) for a, b in zip(c1, c2, strict=True)])
    return out, changed / max(len(pairs), 1)
