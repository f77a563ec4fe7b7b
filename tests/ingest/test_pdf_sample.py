"""The PDF parser on the four real papers shipped in data/sample (CC BY 4.0), so parsing is tested on a fresh clone:
whole documents, sections, references kept apart, no page furniture in the prose, exact block offsets.

The finer cases (two-column order across a table, run-in headings, hyphenation across columns, numbered
references) are in test_pdf.py on the larger shared corpus, which may not be redistributed and so may be absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from synth.core.records import ParsedDoc
from synth.ingest.chunking import sentences_of
from synth.ingest.pdf import BLOCK_SEP, doc_text, parse_pdf
from tests.paths import SAMPLE

SAMPLE_PDFS = sorted(SAMPLE.glob("*.pdf"))
SHA = "0" * 64


def _parse(stem: str) -> ParsedDoc:
    return parse_pdf(SAMPLE / f"{stem}.pdf", stem, SHA)


@pytest.fixture(scope="module")
def semeval17() -> ParsedDoc:
    """Camacho-Collados et al. 2017: two columns, deep numbered sections (2.1.1), 60+ references."""
    return _parse("acl_semeval2017_task2_multilingual_word_similarity")


@pytest.fixture(scope="module")
def mcl_wic() -> ParsedDoc:
    """Martelli et al. 2021: two columns, a first-page proceedings footer, tables of results."""
    return _parse("acl_semeval2021_task2_mcl_wic")


def test_the_sample_corpus_is_shipped() -> None:
    assert len(SAMPLE_PDFS) == 4 and all(p.with_suffix(".json").is_file() for p in SAMPLE_PDFS)


@pytest.mark.parametrize("path", SAMPLE_PDFS, ids=lambda p: p.stem)
def test_every_sample_paper_parses_whole(path: Path) -> None:
    doc = parse_pdf(path, path.stem, SHA)
    assert doc.n_pages >= 9 and doc.pages_read == doc.n_pages
    assert len([b for b in doc.blocks if b.kind == "prose"]) >= 30
    assert len(doc.references) >= 15
    text = doc_text(doc)
    for block in doc.blocks:  # every block's offset indexes the document text exactly
        assert text[block.char_start : block.char_start + len(block.text)] == block.text
    assert text.count(BLOCK_SEP) == len(doc.blocks) - 1
    assert all(s.page >= 1 and s.section for s in sentences_of(doc))


def test_sections_in_reading_order(semeval17: ParsedDoc, mcl_wic: ParsedDoc) -> None:
    headings = [b.text for b in semeval17.blocks if b.kind == "heading"]
    assert headings[:4] == ["Abstract", "1 Introduction", "1.1 Subtask 1: Multilingual Semantic Similarity",
                            "1.2 Subtask 2: Cross-lingual Semantic Similarity"]  # fmt: skip
    assert "2.1.1 English dataset creation" in headings and headings[-1] == "References"
    sections = list(dict.fromkeys(b.section for b in mcl_wic.blocks))
    numbered = [s for s in sections if re.match(r"\d+ ", s)]
    assert [int(s.split()[0]) for s in numbered] == sorted(int(s.split()[0]) for s in numbered)  # never out of order


def test_a_known_sentence_has_its_page_and_section(mcl_wic: ParsedDoc) -> None:
    found = [s for s in sentences_of(mcl_wic) if s.text.startswith("Word embeddings encode a target word type")]
    assert len(found) == 1
    assert (found[0].page, found[0].section) == (1, "1 Introduction")
    assert found[0].text.endswith("based on co-occurrence information.")


def test_references_are_kept_apart(semeval17: ParsedDoc) -> None:
    assert len(semeval17.references) >= 50  # one entry per reference, not one per line or page
    assert semeval17.references[0].startswith("Eneko Agirre, Enrique Alfonseca")
    assert not [s for s in sentences_of(semeval17) if s.section == "References"]


def test_no_page_furniture_in_prose(mcl_wic: ParsedDoc) -> None:
    prose = [b.text for b in mcl_wic.blocks if b.kind == "prose"]
    assert not [t for t in prose if "Proceedings of the 15th International Workshop" in t]  # first-page footer
    assert not [t for t in prose if re.fullmatch(r"\d{1,3}", t.strip())]  # page numbers
