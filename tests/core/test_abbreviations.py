"""Abbreviations a paper defines, read as their long forms when a claim is matched against the question."""

from __future__ import annotations

from synth.core.abbreviations import definitions, expand, gloss


def test_definitions_are_found_as_papers_write_them() -> None:
    # Özen et al. 2015, Huang et al. 2010, Pires et al. 2019: plural short forms, lower-case letters, hyphens
    found = definitions(
        [
            "Tunnel junctions (TJs) are highly doped p–n diodes which allow for quantum mechanical tunneling.",
            "Iron deficiency anaemia (IDA) is a global public health problem.",
            "We study multilingual BERT (mBERT) on zero-shot cross-lingual transfer.",
            "It was published in the Journal of Statistical Software (2008) and cited (e.g. by Smith).",
        ]
    )
    # a plural definition ("(TJs)") gives the singular long form, as the short form "TJ" is used; a capital that only
    # starts the sentence is not the term's
    assert found == {"TJ": "tunnel junction", "IDA": "iron deficiency anaemia", "mBERT": "multilingual BERT"}


def test_the_long_form_is_the_whole_name_and_keeps_its_own_capitals() -> None:
    found = definitions(
        [
            "Bismuth based therapy is better than proton pump inhibitor (PPI) based triple therapy.",
            "We study the risk of developing dementia and Alzheimer’s disease (AD) in older adults.",
        ]
    )
    assert found == {"PPI": "proton pump inhibitor", "AD": "Alzheimer’s disease"}


def test_a_short_form_whose_letters_the_words_before_do_not_hold_is_no_definition() -> None:
    assert definitions(["The results were confirmed on a held-out set (WMT)."]) == {}


def test_a_claim_is_read_with_the_long_forms_of_what_it_abbreviates() -> None:
    defined = {"TJ": "tunnel junction", "SC": "solar cell"}
    text = "The integration of TJ is very effective, and the SC structure having AlGaAs TJs is promising."
    assert expand(text, defined).endswith("tunnel junction solar cell")
    assert expand("STJ and SCALE are other words.", defined) == "STJ and SCALE are other words."


def test_a_claim_spells_out_the_terms_its_paper_abbreviates_but_not_names() -> None:
    defined = {"TJ": "tunnel junction", "SC": "solar cell", "mBERT": "multilingual BERT"}
    text = "The integration of TJ is very effective, and the SC structure having AlGaAs TJ is promising."
    assert gloss(text, defined) == (
        "The integration of tunnel junction (TJ) is very effective, and the solar cell (SC) structure having AlGaAs TJ"
        " is promising."
    )
    assert gloss("mBERT transfers well.", defined) == "mBERT transfers well."  # a system's name stays as written
    assert gloss("A solar cell (SC) is a device.", defined) == "A solar cell (SC) is a device."  # spelled out already
