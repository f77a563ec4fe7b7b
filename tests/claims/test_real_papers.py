"""On real papers: every extracted claim ends a sentence, keeps the end of its source sentence, and reads on its own."""

from __future__ import annotations

import re

import pytest

from synth.claims.checks import missing_tail
from synth.claims.rules import RulesExtractor
from tests.paths import SHARED_PDFS

PDFS = SHARED_PDFS
PAPERS = [
    "acl_repl4nlp2017_beyond_bilingual_multisense.pdf",
    "acl_semeval2017_task2_multilingual_word_similarity.pdf",
    "acl_semeval2021_task2_mcl_wic.pdf",
    "acl_findings2020_bootstrapping_crosslingual_semantic_parser.pdf",
    "1609.06038v3.pdf",
    "2004.09813v2.pdf",
    "1111.2011v2.pdf",  # physics: mostly formulas
]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not PDFS.is_dir(), reason=f"real PDFs not present at {PDFS}")]


def _extract(name: str):  # noqa: ANN202
    from synth.claims.selection import front_lines
    from synth.core.io import sha256_file
    from synth.ingest.chunking import sentences_of
    from synth.ingest.pdf import parse_pdf
    from synth.sources.local import paper_from_pdf

    path = PDFS / name
    sha = sha256_file(path)
    paper = paper_from_pdf(path, sha)
    doc = parse_pdf(path, paper.id, sha)
    return RulesExtractor().extract(paper, sentences_of(doc), front_lines(doc)).candidates


@pytest.mark.parametrize("name", PAPERS)
def test_every_claim_on_a_real_paper_ends_a_sentence_and_is_whole(name: str) -> None:
    found = _extract(name)
    assert found, f"{name}: no claims"
    for c in found:
        assert c.text.rstrip("\"'”’)").endswith((".", "!", "?")), c.text
        assert c.text[:1].isupper() or c.text[:1].isdigit() or c.text[:1] in "“\"'(", c.text
        assert not missing_tail(c.text, c.sentence.text), f"cut: {c.text!r} from {c.sentence.text!r}"
        if c.language == "en":
            assert not re.search(r"\b(?:we|our|us)\b", c.text, re.I), c.text
