"""Rule-made hard negatives: each edit changes what the hypothesis says, and only in the way its label claims."""

from __future__ import annotations

import random

from synth.training.data import NLIPair
from synth.training.hard_negatives import change_number, flip_direction, hard_negatives, swap_name, toggle_negation


def rng() -> random.Random:
    return random.Random(0)


def test_a_number_the_premise_states_is_changed() -> None:
    premise = "The model reaches 84.3 accuracy on XNLI with 15 languages."
    new = change_number(premise, "It reaches 84.3 accuracy on XNLI.", rng())
    assert new is not None and "84.3" not in new and new.startswith("It reaches ")
    assert change_number(premise, "It is accurate on XNLI.", rng()) is None  # no number to change


def test_bounds_and_years_are_left_alone() -> None:
    # "more than 20" stays true for many other values; a changed year shifts time rather than contradicting
    assert change_number("There were 25 cases.", "There were more than 20 cases.", rng()) is None
    assert change_number("Released in 1999.", "It was released in 1999.", rng()) is None


def test_direction_words_flip_but_capitalised_names_do_not() -> None:
    assert flip_direction("Accuracy increased by two points.", rng()) == "Accuracy decreased by two points."
    assert flip_direction("Danielle Rose Russell plays Hope.", rng()) is None


def test_negation_is_added_or_removed() -> None:
    assert toggle_negation("The method is effective.", rng()) == "The method is not effective."
    assert toggle_negation("The method is not effective.", rng()) == "The method is effective."
    assert toggle_negation("Cats sleep.", rng()) is None


def test_a_shared_name_is_swapped_for_one_the_premise_never_mentions() -> None:
    new = swap_name("BERT beats ELMo on SQuAD.", "BERT beats ELMo.", ["XLNet"], rng())
    assert new is not None and "XLNet" in new and ("BERT" not in new or "ELMo" not in new)
    assert swap_name("BERT beats ELMo.", "BERT beats ELMo.", ["ELMo"], rng()) is None  # nothing new to swap in


def test_negatives_are_labelled_keyed_and_reproducible() -> None:
    pairs = [
        NLIPair("Accuracy rose to 81.2 on XNLI.", "Accuracy rose to 81.2.", "entailment", "x", "x:1"),
        NLIPair("mBERT transfers well to German.", "mBERT transfers well.", "entailment", "x", "x:2"),
        NLIPair("It rained.", "It did not rain.", "contradiction", "x", "x:3"),  # not an entailment: no edit
    ]
    out = hard_negatives(pairs, seed=1)
    assert out == hard_negatives(pairs, seed=1)
    assert {p.key.split(":", 1)[1] for p in out} <= {"x:1", "x:2"}
    for p in out:
        rule = p.source.removeprefix("hard-")
        assert p.label == ("neutral" if rule == "name" else "contradiction")
        original = next(q for q in pairs if q.key == p.key.split(":", 1)[1])
        assert p.premise == original.premise and p.hypothesis != original.hypothesis
