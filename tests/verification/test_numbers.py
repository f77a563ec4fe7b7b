"""Numbers compared as numbers: the same quantity agrees or conflicts; anything else abstains."""

from __future__ import annotations

from synth.claims.numbers import extract_numbers
from synth.verification.numbers import check_numbers

CLAIM = "XLM-R reaches 79.2% accuracy on XNLI."


def check(claim: str, passage: str) -> str:
    return check_numbers(claim, extract_numbers(claim), passage).verdict


def test_same_quantity_same_value_agrees_within_rounding() -> None:
    assert check(CLAIM, "XLM-R obtains 79.2% accuracy on XNLI, well above mBERT.") == "agrees"
    assert check(CLAIM, "On XNLI, XLM-R obtains 79.24% accuracy.") == "agrees"


def test_same_quantity_other_value_conflicts() -> None:
    assert check(CLAIM, "On XNLI, XLM-R obtains 75.0% accuracy.") == "conflicts"


def test_another_models_number_is_not_compared() -> None:
    assert check(CLAIM, "XLM-R is strong; mBERT obtains 65.4% accuracy on XNLI.") == "unrelated"


def test_other_metric_or_dataset_or_kind_of_number_abstains() -> None:
    assert check(CLAIM, "XLM-R obtains 79.2 F1 on MLQA.") == "unrelated"
    assert check(CLAIM, "XLM-R improves accuracy on XNLI by 2.1 points.") == "unrelated"  # a change, not a level


def test_quantities_in_different_units_are_not_compared() -> None:
    claim = "The model is 3x faster on SQuAD in accuracy terms than BERT-base."
    assert check(claim, "BERT-base reaches 88.5% accuracy on SQuAD.") == "unrelated"


def test_a_number_that_says_neither_what_nor_where_is_never_compared() -> None:
    assert check("Accuracy improved by 89.43%.", "Accuracy improved by 12.0% on XNLI.") == "unrelated"
