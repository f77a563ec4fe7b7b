"""RS-DA perturbation: the authors' perturb.py semantics, made deterministic."""

from __future__ import annotations

import numpy as np

from synth.experiments.robust_xlt.data import Pair
from synth.experiments.robust_xlt.perturb import load_neighbours, perturb_pairs, perturb_sentence

NB = {"movie": ["film", "cinema"], "good": ["fine"], "empty": []}


def test_copies_and_kept_words():
    copies, ok = perturb_sentence("a good movie here", NB, 5, np.random.default_rng(0))
    assert ok and len(copies) == 5
    for c in copies:
        words = c.split(" ")
        assert len(words) == 4
        assert words[0] == "a" and words[3] == "here"  # no neighbours: kept
        assert words[1] in ("good", "fine") and words[2] in ("movie", "film", "cinema")


def test_empty_neighbour_list_and_unknown_words_untouched():
    copies, ok = perturb_sentence("empty words  only", NB, 3, np.random.default_rng(0))
    assert not ok and copies == ["empty words  only"] * 3  # double space survives split(" ")


def test_lowercase_lookup_and_exact_mode():
    rng = np.random.default_rng(1)
    copies, ok = perturb_sentence("Movie", NB, 20, rng)
    assert ok and set(copies) <= {"Movie", "film", "cinema"} and len(set(copies)) > 1
    copies, ok = perturb_sentence("Movie", NB, 5, np.random.default_rng(1), lowercase=False)
    assert not ok and copies == ["Movie"] * 5  # the authors' exact lookup misses capitalised words


def test_uniform_choice_includes_original():
    copies, _ = perturb_sentence("movie", NB, 3000, np.random.default_rng(2))
    counts = {w: copies.count(w) for w in ("movie", "film", "cinema")}
    assert all(900 < c < 1100 for c in counts.values()), counts


def test_deterministic_by_seed_and_labels_kept():
    pairs = [Pair("a good movie", "the movie was good", 1, 0), Pair("nothing here", "at all", 0, 1)]
    a, share_a = perturb_pairs(pairs, NB, 4, seed=7)
    b, _ = perturb_pairs(pairs, NB, 4, seed=7)
    c, _ = perturb_pairs(pairs, NB, 4, seed=8)
    assert a == b and a != c
    assert share_a == 0.5
    assert all(len(copies) == 4 for copies in a)
    assert {p.label for p in a[0]} == {1} and {p.row for p in a[1]} == {1}


def test_shipped_table():
    nb = load_neighbours()
    assert len(nb) == 49975 and "film" in nb["movie"]
    assert all(k == k.lower() for k in list(nb)[:2000])
