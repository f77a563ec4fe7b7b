"""Issue 15: a presented claim is a finding of the paper, reads on its own, and bears on the question.

The sentences are written in the style of two-column NLP papers (none is copied from an arXiv paper).
"""

from __future__ import annotations

import numpy as np
import pytest

from synth.claims.decontext import leans_on_context, strip_table_frame
from synth.claims.selection import MIN_SIMILARITY, rank
from tests.claims.test_faithful_claims import _candidate
from tests.claims.test_rules import extract


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ("These methods are still well below the translation baselines on XNLI.", None),  # caught earlier as unresolved
        ("Towards the end, the alignment scores of XLM-R and mBERT become similar.", "a place in the paper or a run"),
        ("The overparameterized model reaches a lower alignment score on XNLI.", "a measure of nothing named"),
        ("Compared to mBERT, accuracy is markedly lower on Swahili.", "a measure of nothing named"),
        ("Performance degrades as fewer layers of XLM-R are shared.", "a measure of nothing named"),
        ("Both approaches are limited by the quality of the German MT system.", "an unnamed referent"),
        ("mBERT gains 3 points on XNLI over the original model.", None),
        ("The knn-replace variant outperforms the original model on XNLI.", "a comparison without its comparand"),
        # He et al. 2025: which baselines, the sentence never says; a list or a task's own baseline names them
        ("PaSa-7b significantly outperforms all baselines.", "a comparison without its comparand"),
        ("PaSa significantly outperforms existing baselines on RealScholarQuery, including Google and GPT-4o.", None),
        ("Luminoso was the only system outperforming the baseline, achieving the best overall results.", None),
        ("The English results are far above the results on other languages in XNLI.", "an unnamed referent"),
        ("Using representations from higher layers gives the best results.", "an unnamed referent"),
        ("Representations from higher layers align better than those from lower layers.", "a comparison without its comparand"),
        ("Representations from higher layers align more closely across languages.", "names no model, task, dataset or language"),
        ("XLM-R transfers better than mBERT to Swahili in zero-shot NER (Table 4).", "points into the paper"),
        ("XLM-R transfers better than mBERT to Swahili in zero-shot NER.", None),
        # a name at the start is still a name (SemEval-2017 Task 2's participants); a common word is not
        ("Luminoso clearly achieves the best overall results.", None),
        ("Inter-sentence attention models capture such interaction far better.", "names no model, task, dataset or language"),
        # a superlative its predicate names (Camacho-Collados et al. 2017)
        ("The best overall system in both tasks was Luminoso, which is a hybrid system.", None),
        ("The best overall system in both tasks was the hybrid one.", "a measure of nothing named"),
        # a training regime named by what sets it apart (Upadhyay et al. 2017)
        ("Experiments show that multilingual training significantly improves performance over monolingual training.", None),
        ("Additional training improves performance.", "names no model, task, dataset or language"),
    ],
)
def test_a_claim_that_leans_on_its_context_is_not_presented(claim: str, reason: str | None) -> None:
    if reason is None and claim.startswith("These"):
        return  # "These methods" is the decontextualiser's unresolved opening (tested in test_rules)
    assert leans_on_context(claim) == reason


def test_the_papers_reference_does_not_count_as_naming_what_is_measured() -> None:
    ref = "Smith et al. (2021)"
    assert leans_on_context(f"{ref} find that cross-lingual encoder baselines are an efficient alternative.", ref)
    assert leans_on_context(f"Experiments on XNLI indicate that the findings of {ref} transfer to larger models.", ref)
    assert leans_on_context(f"{ref} find that the knn-replace model aligns German and Hindi best.", ref) is None


def test_a_pointer_at_a_table_is_dropped_from_the_front_of_a_claim() -> None:
    assert strip_table_frame("From Table 3, mBERT transfers worse to Thai than to German.") == (
        "mBERT transfers worse to Thai than to German."
    )
    assert strip_table_frame("As shown in Figure 2, XLM-R is the most robust.") == "XLM-R is the most robust."
    out = extract(["From Table 3, XLM-R outperforms mBERT on XNLI by 4 points of accuracy."]).candidates
    assert [c.text for c in out] == ["XLM-R outperforms mBERT on XNLI by 4 points of accuracy."]
    # a table named inside the claim cannot be followed by a reader of the claims table: not presented
    assert extract(["XLM-R outperforms mBERT on Swahili NER, as seen in Table 3 of the appendix."]).candidates == []


@pytest.mark.parametrize(
    ("sentence", "section", "reason"),
    [
        ("We suspect that XLM-R transfers better to Swahili because of its larger vocabulary.", "5 Analysis", "speculation"),
        ("XNLI is designed to address the lack of evaluation data for cross-lingual NLI.", "6 Conclusion", "motivation"),
        ("To mitigate the reduced size of the Swahili corpus we train XLM-A for twice as many epochs.", "5 Results", "method"),
        (
            "Because the test set of MultiNLI is private, XNLI is based on newly collected English data.",
            "3 The XNLI Corpus",
            "data description",
        ),
        ("A common problem in industrial NLP systems is the lack of labelled data in Swahili.", "6 Conclusion", "general"),
        ("While this leaves us one head, Kim et al. (2020) found that the number of heads matters little.", "2 Setup", "cited"),
        ("To the best of our knowledge, XLM-A is the first encoder trained without parallel data.", "5 Results", "motivation"),
        # a training set-up (DR-BiLSTM, 1802.05577) and what a measure depends on in general (Reimers and Gurevych 2020)
        (
            "During training, the word embeddings are updated to learn effective representations for the NLI task.",
            "4.5 Results",
            "method",
        ),
        (
            "The performance for cross-lingual tasks depends on the ability of mBERT to map sentences to one space.",
            "4 Results",
            "general",
        ),
        # a procedure in the passive where the method is set out (Meeson et al. 2019), or introduced as one (Wang et
        # al. 2022, in a section named for what it builds)
        (
            "Fixator–bone construct stiffness was determined from the load-displacement graphs obtained from TestXpert.",
            "2.1 Methods",
            "method",
        ),
        (
            "For this, synthesis action terms were ordered and assigned to rows and columns of the matrix and initialized"
            " with zeros, resulting in a 10 by 10 matrix for every paragraph (8 action terms from vocabulary of ULSA).",
            "2.5.2 Constructing synthesis flowchart for paragraphs",
            "method",
        ),
    ],
)
def test_the_finding_filter_says_why_a_sentence_is_not_a_finding(sentence: str, section: str, reason: str) -> None:
    found = extract([sentence], section)
    assert found.candidates == []
    assert found.reasons.get(reason) == 1, found.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        # what a method would make possible, or an explanation offered as possible (De Marchis et al. 2016; Srivastava
        # and Upadhyay 2015; Wang et al. 2022): none is a result a reader can check
        "This electrophysiologically driven approach would thus allow for an operator-independent positioning of XLM-R.",
        "Recording EMG from the M. abductor pollicis brevis could probably lead to a selective control of the thumb.",
        "Effect of phytojuvenoid concentration, extended the larval period and the larvae feed more mulberry leaves during"
        " extended period, causing such physiological and biochemical changes which may have influenced the synthesis"
        " and utilization of protein level in the silk gland of B. mori larvae.",
        "Furthermore, the effectiveness of FES interventions on XNLI may depend on the targeted function.",
        "Nonetheless, we anticipate that our results and the ULSA schema will help researchers to predict synthesis routes.",
        # what results could serve, expected benefits and work not done yet (Mikolov et al. 2013, results and conclusion)
        "Word vectors with such semantic relationships could be used to improve many existing NLP applications, such as"
        " machine translation, information retrieval and question answering systems, and may enable other future"
        " applications yet to be invented.",
        "It can be expected that these applications can benefit from the model architectures described in this paper.",
        "Our ongoing work shows that the word vectors can be successfully applied to automatic extension of facts.",
        # a recommendation (Huang et al. 2010, discussion)
        "We suggest that further studies should be undertaken to evaluate the long term effect of H pylori eradication.",
    ],
)
def test_what_would_be_possible_or_may_explain_a_result_is_speculation(sentence: str) -> None:
    found = extract([sentence], "5 Discussion")
    assert found.candidates == []
    assert found.reasons.get("speculation") == 1, found.reasons


@pytest.mark.parametrize(
    ("sentence", "section", "reason"),
    [
        # how a model works, where it is set out (Mikolov et al. 2013, section 2): a mechanism, not a result
        (
            "Moreover, the hidden layer is used to compute probability distribution over all the words in the vocabulary,"
            " resulting in an output layer with dimensionality V.",
            "2.1 Feedforward Neural Net Language Model",
            "method",
        ),
        (
            "This allows the recurrent model to form some kind of short term memory, as information from the past can be"
            " represented by the hidden layer state.",
            "2.2 Recurrent Neural Net Language Model",
            "method",
        ),
        # what a tool offers or why something is hard, with nothing found or measured (Webb et al. 2017, results;
        # Gal et al. 2009, implementation)
        (
            "VESPA provides the metal_compare function, which allows alignments for a gene family to be compared.",
            "RESULTS",
            "description",
        ),
        (
            "Calling external functions from TraceMonkey is potentially difficult because traces do not update the"
            " interpreter state until exiting.",
            "6.5 Calling External Functions",
            "description",
        ),
        # a choice of the study's design (Huang et al. 2010, a meta-analysis's search)
        (
            "The search was limited to RCTs, using the following index terms: H pylori, iron deficiency anemia, ferritin,"
            " iron and hemoglobin.",
            "Methods",
            "method",
        ),
        # a definition of a field (Wellawatte et al., abstract)
        (
            "Explainable artificial intelligence (XAI) is a branch of AI which addresses this drawback by providing tools"
            " to interpret DL models and their predictions.",
            "Abstract",
            "general",
        ),
    ],
)
def test_a_mechanism_or_a_definition_is_not_a_finding(sentence: str, section: str, reason: str) -> None:
    found = extract([sentence], section)
    assert found.candidates == []
    assert found.reasons.get(reason) == 1, found.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        # results as the life sciences write them (De Marchis et al. 2016), which no cue of machine-learning papers named
        "The number of functionally relevant stimulation patterns for XLM-R was highly dependent on the subject.",
        "When applying the optimal pattern to the rotated forearm no differences were found in the finger extension of mBERT.",
        "In only 13 % of the XNLI patterns, M-waves did not predict the targeted movements.",
    ],
)
def test_a_result_in_the_words_of_the_life_sciences_is_a_finding(sentence: str) -> None:
    assert len(extract([sentence], "3 Results").candidates) == 1


def test_a_finding_hedged_only_in_its_explanation_is_kept() -> None:
    # Martelli et al. 2021: the result holds; only its cause is offered as probable
    sentence = (
        "In the cross-lingual sub-task of MCL-WiC participants achieved better accuracy than in the multilingual one, "
        "most probably thanks to the presence of English in both the training and the test data."
    )
    assert len(extract([sentence], "6 Results").candidates) == 1


def test_what_a_relative_clause_says_could_be_used_is_no_speculation() -> None:
    # Martelli et al. 2021: "… datasets which could be used to enrich …" describes the datasets; the result holds
    sentence = (
        "Zero-shot approaches differ in the performances achieved by participants in the two sub-tasks: in the"
        " cross-lingual sub-task participants were able to achieve slightly better performances than those in the"
        " multilingual setting, most probably thanks to the presence of English in both the training and the test data,"
        " and, more in general, to the availability of English WiC-style datasets which could be used to enrich the"
        " already provided data."
    )
    assert len(extract([sentence], "7 Results and Discussion").candidates) == 1


def test_a_result_told_between_two_cited_sentences_is_the_cited_studies_not_the_papers() -> None:
    # Srivastava and Upadhyay 2015, discussion: the citation [32] closes the sentence after the result it reports
    texts = [
        "Under the influence of ultrasound, the protein metabolism of B. mori is stimulated [31].",
        "The total protein content in the silk gland of B. mori increased significantly with the magnetic field strength.",
        "The maximum was observed at 3000 Gauss in B. mori [32].",
    ]
    found = extract(texts, "Results")
    assert not any("total protein content" in c.text for c in found.candidates)
    # the same sentence with the paper's own voice stays the paper's finding
    texts[1] = "In our experiments, the total protein content of B. mori increased significantly with the strength of the field."
    assert any("total protein content" in c.text for c in extract(texts, "Results").candidates)


def test_a_finding_that_names_what_it_measures_is_kept() -> None:
    found = extract(["We find that XLM-R outperforms mBERT by 4.1 points of accuracy on XNLI in zero-shot transfer to Swahili."])
    assert len(found.candidates) == 1 and found.candidates[0].kind == "numeric"


def test_claims_below_the_relevance_threshold_are_cut_rather_than_filling_the_quota() -> None:
    pool = [_candidate(f"mBERT gains {n}% on German.", f"mBERT gains {n}% on German.", n) for n in range(4)]
    question = np.array([1.0, 0.0])
    sims = [0.9, 0.5, MIN_SIMILARITY - 0.01, 0.05]
    vectors = np.array([[s, float(np.sqrt(1 - s * s))] for s in sims])
    claims, _ = rank(pool, vectors, question, 10, 10, "rules")
    assert [c.text for c in claims] == ["mBERT gains 0% on German.", "mBERT gains 1% on German."]
    claims, _ = rank(pool, vectors, question, 10, 10, "rules", min_similarity=0.0)
    assert len(claims) == 4


@pytest.mark.parametrize(
    "sentence",
    [
        # reported results of other fields keep their place beside the descriptions the filter drops
        "From our analysis of 7,918 homologous gene families we found that the majority of tasks could be completed"
        " within minutes using VESPA.",
        "In conclusion, we find no association between life events, either positive or negative, and the risk of"
        " developing dementia and AD.",
        "All movements obtained by the respective optimal stimulation pattern (FEP for hand opening/finger extension,"
        " WEP for wrist extension and UDP for ulnar deviation) proved to be highly selective.",
    ],
)
def test_a_reported_result_is_no_description(sentence: str) -> None:
    assert len(extract([sentence], "Discussion").candidates) == 1


def test_an_abstracts_opening_is_the_fields_background_until_the_paper_speaks_of_itself() -> None:
    # Gal et al. 2009 (PLDI): the abstract opens with what is true of the field; its result comes after "We present"
    texts = [
        "Dynamic languages such as JavaScript are more difficult to compile than statically typed ones.",
        "We present an alternative compilation technique for dynamically-typed languages.",
        "TraceMonkey is faster than the SpiderMonkey interpreter on the SunSpider benchmarks.",
    ]
    found = extract(texts, "Abstract")
    assert [c.text for c in found.candidates] == [texts[2]]
    assert found.reasons.get("scene") == 1
    # the same comparison told as the paper's own result stays a finding
    assert (
        len(
            extract(
                ["We show that JavaScript is more difficult to compile than statically typed languages."], "Abstract"
            ).candidates
        )
        == 1
    )


def test_as_well_as_joining_two_things_is_no_comparison() -> None:
    from synth.claims.rules import classify

    joined = "IDA has major consequences for human health as well as social and economic development, especially in Asia."
    assert (classify(joined, "Discussion") or ("none",))[0] != "comparative"
    assert classify("The distilled model performs as well as the teacher on XNLI.", "Results")[0] == "comparative"  # type: ignore[index]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # a systems paper's results (Gal et al. 2009): a speedup is a measure, "the fastest VM on" a comparison, and a
        # result told after the method in one sentence is still a result
        (
            "TraceMonkey supports all the JavaScript features of SpiderMonkey, with a 2x-20x speedup for traceable programs.",
            "numeric",
        ),
        ("TraceMonkey is the fastest VM on 9 of the 26 SunSpider benchmarks.", "comparative"),
        (
            "We have implemented a dynamic compiler for JavaScript based on our technique and we have measured speedups of"
            " 10x and more for certain benchmark programs.",
            "numeric",
        ),
        # Futoma et al. 2017: "all other methods" beaten is a result, not hearsay of other work; a plural subject
        # "improve"s; a preposition stranded after a particle ends the sentence
        (
            "The most complete model with all the extensions considered consistently outperformed all other methods for all"
            " of the metrics we considered.",
            "comparative",
        ),
        ("The extensions presented to the Base MGP-RNN all improve its performance by a modest margin.", "finding"),
        (
            "The MGP-RNN methods outperform strong baselines and offer substantial improvements over the model they build"
            " off of.",
            "comparative",
        ),
    ],
)
def test_results_of_other_fields_are_classified(sentence: str, kind: str) -> None:
    from synth.claims.rules import classify, is_complete

    assert (classify(sentence, "7. Evaluation") or ("none",))[0] == kind
    assert is_complete(sentence)


def test_text_with_unmapped_glyphs_is_no_claim() -> None:
    from synth.claims.rules import is_clean

    # an example table of Martelli et al. 2021 read as prose, with glyphs its font could not map
    garbled = (
        "39 50 Ka\ufffddy\ufffdpredstavitel\ufffd. Using a technique for concentrating the solar light, resulted in an"
        " overall efficiency of 20%."
    )
    assert not is_clean(garbled)
    assert is_clean(garbled.replace("\ufffd", "j"))
