"""Claims that stand alone without changing meaning (issue 15): a set of rewrite cases, the check of a rewrite against
its source sentence, what is not a finding, numbers that say what they measure, merging, and language."""

from __future__ import annotations

import numpy as np
import pytest

from synth.claims.base import Candidate
from synth.claims.decontext import PaperContext, decontextualise, strip_cross_refs
from synth.claims.faithfulness import check_rewrite, check_rewrites
from synth.claims.rules import claim_language, measured_on
from synth.claims.selection import is_duplicate, rank
from synth.core.records import Number, Sentence
from tests.claims.test_rules import extract, sents

XLMR = PaperContext(name="XLM-R", ref="Conneau et al. (2020)", plural_ref=True)
XNLI = PaperContext(name="XNLI", ref="Conneau et al. (2018)", plural_ref=True, name_is_resource=True)
TILLEY = PaperContext(name=None, ref="Tilley et al. (2023)", plural_ref=True)
CITING = "Several efforts trained multilingual models on monolingual data (Lample and Conneau, 2019; Huang et al., 2019)."

# (sentence, the sentence before it, paper, expected rewrite or None when it must be refused as not self-contained)
REWRITES = [
    # "this work" after a sentence citing earlier work is that work: never the authors' (was rewritten to the paper)
    (
        "However, all of this work was at a relatively modest scale, in terms of the size of the models and the amount"
        " of data, as compared to our approach.",
        CITING,
        XLMR,
        None,
    ),
    # "this work" of the authors themselves
    ("In this work, we show that our model outperforms mBERT on XNLI.", CITING, XLMR, "XLM-R outperforms mBERT on XNLI."),
    # the method name replaces "our approach"; the pointer "(Table 2)" goes
    (
        "We show that our approach outperforms mBERT by 2.3 points on MLQA (Table 2).",
        "We report F1.",
        XLMR,
        "XLM-R outperforms mBERT by 2.3 points on MLQA.",
    ),
    # a corpus paper: "our method" is not the corpus
    ("When using our alignment process, our method is competitive with the TRANSLATE TRAIN baseline.", None, XNLI, None),
    # unresolved references anywhere in the sentence
    ("However, these methods are still below TRANSLATE TEST by up to 6% on XNLI.", None, XLMR, None),
    ("Finally, in contrast to the experiments above, language similarity is important for transfer.", None, XLMR, None),
    ("Although this is a restricted setup it indicates that multilinguality is a trade-off.", None, XLMR, None),
    ("The model outperforms mBERT on all languages.", None, XLMR, None),
    ("Thus achieving multilinguality early in training is valuable.", None, XLMR, None),
    # "us" is the authors, named (Upadhyay et al. 2017: was "by allowing the authors to combine", whose authors?)
    ("Multilingual training improves XNLI accuracy over monolingual training, by allowing us to combine corpora.", None,
     XLMR, "Multilingual training improves XNLI accuracy over monolingual training, by allowing Conneau et al. (2020) to"
     " combine corpora."),
    # a discourse connective is dropped, the claim kept
    ("Interestingly, mBERT transfers well between languages with different scripts.", None, XLMR,
     "mBERT transfers well between languages with different scripts."),
    # a quoted "we" is the speaker's (Tilley et al. 2023: was "Tilley et al. (2023) only feel safe when they are home")
    ("Most staff only found relief at home, as one of the janitorial staff described, “we only feel safe when we are "
     "home”.", None, TILLEY, "Most staff only found relief at home, as one of the janitorial staff described, “we only "
     "feel safe when we are home”."),
    # "our understanding" of a subject is the field's (Barnett et al. 2014: was "Barnett et al. (2014)'s understanding")
    ("The new samples fill major gaps in our understanding of the past distribution of lions.", None, TILLEY,
     "The new samples fill major gaps in the understanding of the past distribution of lions."),
    # what only the text before names (heldout-10: a trial, a sea-level record, a systematic review)
    ("There was some evidence that the effect of the intervention was modified by maternal BMI.", None, TILLEY, None),
    ("The opposite also holds true: cooling may be matched by decreasing rates of sea-level rise.", None, TILLEY, None),
    ("To our knowledge, these are the only studies that describe smoking as a risk factor.", None, TILLEY, None),
    ("A linear trend for the duration of this new record cannot be entirely discarded.", None, TILLEY, None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "previous", "ctx", "expected"), REWRITES)
def test_rewrite_cases(text: str, previous: str | None, ctx: PaperContext, expected: str | None) -> None:
    out, resolved = decontextualise(text, ctx, previous)
    if expected is None:
        assert not resolved, out
    else:
        assert resolved and out == expected


def test_pointers_into_the_paper_are_dropped_and_nothing_else() -> None:
    assert strip_cross_refs("It is above 70% (comparing absolute BLEU, Table 3) on XNLI (see Section 4.1).") == (
        "It is above 70% (comparing absolute BLEU) on XNLI."
    )
    assert strip_cross_refs("as shown by Wu et al. (2019) and (Pires et al., 2019).") == (
        "as shown by Wu et al. (2019) and (Pires et al., 2019)."
    )
    # Meeson et al. 2019: the pointer went, its comma stayed ("… (p=0.013),.")
    assert strip_cross_refs("gap size did significantly reduce the IFS (p=0.013), (Figure 6).") == (
        "gap size did significantly reduce the IFS (p=0.013)."
    )


def _candidate(text: str, original: str, sid: int = 0, note: str | None = None) -> Candidate:
    (s,) = sents([original])
    s = s.model_copy(update={"id": f"p#s{sid}"})
    return Candidate(sentence=s, text=text, kind="finding", numbers=[], cue=0.8, note=note)


def test_a_rewrite_the_source_does_not_entail_falls_back_to_the_source() -> None:
    source = "We find that our model transfers well to Swahili."
    calls: list[tuple[str, str]] = []

    def entails(premise: str, hypothesis: str) -> float:
        calls.append((premise, hypothesis))
        return 0.9 if "XLM-R" in hypothesis else 0.1

    kept = check_rewrite(source, "XLM-R transfers well to Swahili.", entails)
    assert kept.kept_rewrite and kept.text == "XLM-R transfers well to Swahili." and kept.entailment == 0.9
    refused = check_rewrite(source, "mBERT transfers well to Swahili.", entails)
    assert not refused.kept_rewrite and refused.text == source and refused.entailment == 0.1
    assert calls[0] == (source, "XLM-R transfers well to Swahili.")  # premise: the source; hypothesis: the rewrite
    unchanged = check_rewrite("mBERT transfers well.", "mBERT transfers well.", entails)
    assert unchanged.entailment is None and len(calls) == 2  # nothing rewritten, nothing scored
    out, fell_back = check_rewrites(
        [_candidate("XLM-R transfers well to Swahili.", source), _candidate("mBERT transfers well to Swahili.", source, 1)],
        entails,
    )
    assert fell_back == 1 and out[0].text.startswith("XLM-R") and out[1].text == source
    assert out[1].note and "not entailed" in out[1].note
    with pytest.raises(ValueError, match="not a probability"):
        check_rewrite(source, "mBERT transfers.", lambda p, h: 3.0)


def test_a_rewrite_is_read_against_its_source_with_we_put_in_the_authors_name() -> None:
    """Putting "we" in the authors' name cannot change what a sentence says, so the check reads the source in that form
    and weighs only the rest of the rewrite: the frame dropped, the method named (InferSent, 1705.02364)."""
    from synth.claims.decontext import attributed

    ctx = PaperContext(name=None, ref="Conneau et al. (2017)", plural_ref=True)
    source = "On semantic textual similarity STS14, we are also competitive with PPDB based paragram-phrase embeddings."
    premise = attributed(source, ctx)
    assert premise == (
        "On semantic textual similarity STS14, Conneau et al. (2017) are also competitive with PPDB based"
        " paragram-phrase embeddings."
    )
    assert attributed("Our encoder transfers well to Swahili (Table 2).", ctx) == (
        "The encoder of Conneau et al. (2017) transfers well to Swahili."
    )
    rewrite, _ = decontextualise(source, ctx)
    calls: list[tuple[str, str]] = []

    def entails(p: str, h: str) -> float:
        calls.append((p, h))
        return 0.1

    # only "we" was named: nothing to check, the rewrite is kept without a score
    kept = check_rewrite(source, rewrite, entails, premise=premise)
    assert kept.kept_rewrite and kept.entailment is None and not calls
    # anything else the rewrite changed is still checked, against the attributed source, and can be refused
    named = check_rewrite(source, rewrite.replace("Conneau et al. (2017)", "InferSent"), entails, premise=premise)
    assert calls == [(premise, rewrite.replace("Conneau et al. (2017)", "InferSent"))] and not named.kept_rewrite
    assert named.text == source  # a refused rewrite falls back to the sentence as written, not to the attributed form


def test_numbers_say_what_and_where_they_measure() -> None:
    acc = Number(value=4.0, unit="%", metric="accuracy", direction="increase", text="4%")
    text, numbers = measured_on("knn-replace boosts the 0-shot accuracy in HIN by 4%.", [acc], "5.1 XNLI", "") or ("", [])
    assert text == "knn-replace boosts the 0-shot accuracy in HIN by 4% (on XNLI)." and numbers[0].dataset == "XNLI"
    assert measured_on("XLM-R reaches 89.43% F1.", [acc.model_copy(update={"metric": "F1"})], "4 Results", "") is None
    bare = Number(value=3.0, unit=None, metric=None, text="3")
    assert measured_on("It drops by 3 on XNLI.", [bare], "5 Results", "") is None
    found = extract(["XLM-R reaches 89.43% F1."]).candidates
    assert found == []  # a number with no data named: not a claim a reader can check
    # a paper that names no benchmark measures its own devices or cohorts (Özen et al. 2015): the unit says what
    gain = Number(value=48.0, unit="%", metric=None, direction="increase", text="48%")
    device = (
        "The integration of the AlGaAs tunnel junction into the GaInP/GaAs solar cell improves the device performance by 48%."
    )
    assert measured_on(device, [gain], "3. Results and discussion", "", benchmarked=False) == (device, [gain])
    assert measured_on(device, [gain], "3. Results and discussion", "") is None


def test_merging_needs_the_same_numbers_as_well_as_the_same_words() -> None:
    a = _candidate("mBERT gains 4% on German.", "mBERT gains 4% on German.")
    b = _candidate("mBERT gains 9% on German.", "mBERT gains 9% on German.", 1)
    same = _candidate("mBERT gains 4% on German!", "mBERT gains 4% on German!", 2)
    assert not is_duplicate(a, b, 0.99)
    assert is_duplicate(a, same, 0.95) and not is_duplicate(a, same, 0.85)
    vectors = np.array([[1.0, 0.0], [0.999, 0.0447], [0.998, 0.0632]])
    claims, merged = rank([a, b, same], vectors, np.array([1.0, 0.0]), 10, 10, "rules")
    assert merged == 1 and len(claims) == 2
    assert [len(c.sources) for c in claims] == [2, 1]


def test_language_is_read_with_citations_stripped() -> None:
    text = (
        "Cross-lingual transfer of multilingual encoders has been studied (de la Torre et al., 2019; Le et al., 2020;"
        " des Vignes and la Porte, 2018; Le and Le, 2021), and the results are good for the languages in the test."
    )
    assert claim_language(text) == "en"
    fr = "Les résultats montrent que l'entraînement robuste améliore la précision de 2,1 points sur PAWS-X pour les langues."
    assert claim_language(fr) == "fr"


def test_every_sentence_is_a_record_of_the_claim() -> None:
    (s,) = sents(["mBERT transfers well."])
    assert isinstance(s, Sentence)
