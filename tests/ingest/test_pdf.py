"""The PDF parser on real two-column papers (reading order, sections, headers, hyphens, references, tables) and on
bad input (each bad file becomes one ParseError naming the file; the parse stage records it and goes on)."""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from synth.core.errors import ParseError
from synth.core.records import Failure, Paper, ParsedDoc
from synth.ingest.chunking import sentences_of
from synth.ingest.pdf import BLOCK_SEP, PARSER_VERSION, doc_text, heading_of, parse_pdf
from tests.paths import REPO

PDFS = REPO.parent / "shared" / "data" / "pdfs"
SHA = "0" * 64

needs_corpus = pytest.mark.skipif(not PDFS.is_dir(), reason=f"shared corpus not found at {PDFS}")


def _parse(name: str) -> ParsedDoc:
    path = PDFS / name
    if not path.is_file():
        pytest.skip(f"{name} not in {PDFS}")
    return parse_pdf(path, name.removesuffix(".pdf"), SHA)


@pytest.fixture(scope="module")
def xnli() -> ParsedDoc:
    """XNLI (Conneau et al. 2018): two-column ACL layout, tables and a figure mid-text, arXiv stamp."""
    return _parse("1809.05053v1.pdf")


@pytest.fixture(scope="module")
def distill() -> ParsedDoc:
    """Reimers & Gurevych 2020 (2004.09813v2): two columns, footnotes, bibliography then an appendix."""
    return _parse("2004.09813v2.pdf")


def _sentence(doc: ParsedDoc, start: str):  # type: ignore[no-untyped-def]
    found = [s for s in sentences_of(doc) if s.text.startswith(start)]
    assert len(found) == 1, f"{start!r}: {len(found)} sentences"
    return found[0]


# -- real papers -----------------------------------------------------------------------------------------------


@needs_corpus
def test_known_sentences_have_their_page_and_section(xnli: ParsedDoc, distill: ParsedDoc) -> None:
    s = _sentence(xnli, "To quantify this observation, we recruit two bilingual annotators")
    assert (s.page, s.section) == (4, "3.2 The Resulting Corpus")
    assert s.text.endswith("following our standard validation procedure.")
    s = _sentence(distill, "Bitext retrieval aims to identify sentence pairs that are translations")
    assert (s.page, s.section) == (4, "4.2 BUCC: Bitext Retrieval")
    s = _sentence(distill, "Roy et al. (2020) introduces the concept of language bias")
    assert (s.page, s.section) == (8, "7 Language Bias")


@needs_corpus
def test_two_columns_read_left_then_right_and_across_pages(xnli: ParsedDoc) -> None:
    sents = [s.text for s in sentences_of(xnli)]
    left_end = next(i for i, t in enumerate(sents) if t.startswith("In these settings, it is nearly impossible"))
    right_top = next(i for i, t in enumerate(sents) if t.startswith("A scalable way to build multilingual systems"))
    assert right_top == left_end + 1  # the bottom of column 1 is followed by the top of column 2
    # a sentence that runs from the foot of page 1 past Table 1 onto page 2 is read whole, the table skipped
    s = _sentence(xnli, "Because of its focus on development and test data, this corpus is designed")
    assert s.page == 1 and s.section == "1 Introduction"
    assert s.text.endswith("trained in one language and tested in different ones.")


@needs_corpus
def test_sections_are_detected_including_run_in_headings(xnli: ParsedDoc, distill: ParsedDoc) -> None:
    headings = [b.text for b in xnli.blocks if b.kind == "heading"]
    assert headings[:4] == ["Abstract", "1 Introduction", "2 Related Work", "3 The XNLI Corpus"]
    assert "4.2.2 Universal Multilingual Sentence Embeddings" in headings  # set on the first line of its paragraph
    assert headings[-1] == "References"
    sections = list(dict.fromkeys(b.section for b in distill.blocks))
    assert sections[0] == "Front matter" and "Abstract" in sections and "References" in sections
    assert sections[-1] == "Appendix A Tatoeba Similarity Search"


@needs_corpus
def test_no_running_headers_page_numbers_or_arxiv_stamp_in_prose() -> None:
    cases = {
        "1802.05577v2.pdf": "Accepted as a long paper at NAACL",  # running header on every page
        "1511.08198v3.pdf": "Published as a conference paper at ICLR",  # ICLR running header
        "1809.05053v1.pdf": "arXiv:1809.05053",  # the rotated stamp in the margin
        "acl_semeval2021_task2_mcl_wic.pdf": "Proceedings of the 15th International Workshop",  # first-page footer
    }
    for name, header in cases.items():
        doc = _parse(name)
        prose = [b.text for b in doc.blocks if b.kind == "prose"]
        assert not [t for t in prose if header in t], name
        assert not [t for t in prose if re.fullmatch(r"\d{1,3}", t.strip())], f"{name}: page number left in prose"
    assert not [b for b in _parse("1809.05053v1.pdf").blocks if "arXiv:1809" in b.text]


@needs_corpus
def test_references_are_kept_apart(xnli: ParsedDoc) -> None:
    assert len(xnli.references) >= 55  # one entry per reference, not one per line or per page
    assert any(r.startswith("Alexis Conneau and Douwe Kiela. 2018. Senteval") for r in xnli.references)
    # the entry after a line-initial author initial ("A. Klementiev, …") is a reference, not an appendix heading
    assert any(r.startswith("A. Klementiev, I. Titov, and B. Bhattarai. 2012. Inducing") for r in xnli.references)
    assert all(b.kind in ("heading", "references") for b in xnli.blocks if b.section == "References")
    assert not [s for s in sentences_of(xnli) if s.section == "References" or "arXiv preprint" in s.text]
    numbered = _parse("1706.03762v5.pdf").references
    assert numbered[0].startswith("[1] Jimmy Lei Ba") and "arXiv:1607.06450" in numbered[0]


@needs_corpus
def test_dehyphenation_within_and_across_blocks(xnli: ParsedDoc) -> None:
    prose = " ".join(b.text for b in xnli.blocks if b.kind == "prose")
    assert "in the form of annotated data to learn competent models" in prose  # "an-|notated" within a block
    assert "We obtained a three-vote consensus for 93% of the data." in prose  # "consen-|sus" across columns
    assert "language-universal sentence encoders" in prose  # a compound keeps its hyphen
    assert "\u00ad" not in doc_text(xnli) and "annotat- ed" not in prose


@needs_corpus
def test_tables_and_captions_are_not_prose(xnli: ParsedDoc) -> None:
    kind_of = {b.text: b.kind for b in xnli.blocks}
    caption = next(t for t in kind_of if t.startswith("Table 1: Examples (premise and hypothesis)"))
    assert kind_of[caption] == "caption"
    assert kind_of[next(t for t in kind_of if t.startswith("Table 4 shows that translation"))] == "prose"
    rows = [b for b in xnli.blocks if b.text.startswith("BiLSTM-last 71.0")]
    assert rows and all(b.kind == "table" for b in rows)
    assert not [s for s in sentences_of(xnli) if re.search(r"(?:\d\d\.\d ){5}", s.text)]


@needs_corpus
def test_block_offsets_index_the_document_text(xnli: ParsedDoc) -> None:
    text = doc_text(xnli)
    for block in xnli.blocks:
        assert text[block.char_start : block.char_start + len(block.text)] == block.text
    assert text.count(BLOCK_SEP) == len(xnli.blocks) - 1


def test_heading_patterns() -> None:
    assert heading_of("3.1 Data Collection", 1) == "3.1 Data Collection"
    assert heading_of("VII. CONCLUSION", 1) == "VII. CONCLUSION"
    assert heading_of("References", 1) == "References"
    assert heading_of("A. Klementiev, I. Titov, and B. Bhattarai. 2012. In-", 1) is None
    assert heading_of("10 Crichton Street, Edinburgh", 1) is None
    assert heading_of("Model", 1) is None  # a table header as often as a section
    assert PARSER_VERSION != "1"


# -- bad input -------------------------------------------------------------------------------------------------

LOREM = (
    "Cross-lingual transfer of sentence encoders is measured on natural language inference. "
    "The model is trained on English data and evaluated on fifteen other languages without further training. "
)


def _write_pdf(path: Path, pages: int = 2, header: str | None = None) -> Path:
    import pymupdf

    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        if header:
            page.insert_text((72, 40), header, fontsize=9)
        page.insert_textbox(pymupdf.Rect(72, 90, 523, 700), f"Section {n + 1} text. " + LOREM * 3, fontsize=10)
        page.insert_text((290, 810), str(n + 1), fontsize=9)
    doc.save(path)
    doc.close()
    return path


def _error(path: Path) -> str:
    with pytest.raises(ParseError) as info:
        parse_pdf(path, "bad", SHA)
    message = str(info.value)
    assert path.name in message and "\n" not in message, message
    return message


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert "empty file" in _error(path)


def test_html_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_text("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>")
    assert "not a PDF (HTML" in _error(path)


def test_truncated_pdf(tmp_path: Path) -> None:
    good = _write_pdf(tmp_path / "good.pdf", pages=4).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(good[: len(good) // 2])
    assert "truncated PDF" in _error(path)


def test_encrypted_pdf(tmp_path: Path) -> None:
    import pymupdf

    doc = pymupdf.open(_write_pdf(tmp_path / "plain.pdf"))
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")  # type: ignore[attr-defined]
    doc.close()
    assert "encrypted PDF" in _error(path)
    # encrypted with an owner password only (printing, copying restricted): readable, so it is parsed
    doc = pymupdf.open(tmp_path / "plain.pdf")
    path = tmp_path / "restricted.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="")  # type: ignore[attr-defined]
    doc.close()
    assert parse_pdf(path, "restricted", SHA).blocks


def test_pdf_without_text_layer_is_reported_as_scanned(tmp_path: Path) -> None:
    import pymupdf

    doc = pymupdf.open()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 200), False)
    pix.clear_with(200)
    for _ in range(5):
        doc.new_page().insert_image(pymupdf.Rect(50, 50, 500, 700), pixmap=pix)
    path = tmp_path / "scan.pdf"
    doc.save(path)
    doc.close()
    message = _error(path)
    assert "no text layer" in message and "scanned" in message


def test_garbage_metadata_is_harmless(tmp_path: Path) -> None:
    """Non-UTF-8 bytes in the Info dictionary: the parser never trusts metadata, so the paper still parses."""
    import pymupdf

    doc = pymupdf.open(_write_pdf(tmp_path / "plain.pdf"))
    doc.set_metadata({"title": "placeholder", "author": "placeholder"})
    kind, ref = doc.xref_get_key(-1, "Info")
    assert kind == "xref"
    info = int(ref.split()[0])
    doc.xref_set_key(info, "Title", "<FFFED800FFFF00>")  # UTF-16 BOM then a lone surrogate: not decodable
    doc.xref_set_key(info, "Author", "(\\377\\376\\000\\330garbage\\201)")
    path = tmp_path / "metadata.pdf"
    doc.save(path)
    doc.close()
    parsed = parse_pdf(path, "meta", SHA)
    assert any("Cross-lingual transfer" in b.text for b in parsed.blocks if b.kind == "prose")
    ParsedDoc.model_validate_json(parsed.model_dump_json())  # and the record round-trips as UTF-8 JSON


class _Recorder:
    """A ``track`` that records what it was asked to show (stands in for ctx.ui.track)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None]] = []
        self.seen = 0

    def __call__(self, items: Iterable[int], description: str, total: int | None = None) -> Iterator[int]:
        self.calls.append((description, total))
        for item in items:
            self.seen += 1
            yield item


def test_thousand_page_pdf_bounded_memory_progress_and_max_pages(tmp_path: Path) -> None:
    path = _write_pdf(tmp_path / "long.pdf", pages=1000, header="A Very Long Report on Transfer")
    track = _Recorder()
    tracemalloc.start()
    doc = parse_pdf(path, "long", SHA, max_pages=1000, track=track)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert doc.pages_read == 1000 and track.calls == [("parsing long.pdf", 1000)] and track.seen == 1000
    assert peak < 80 * 2**20, f"peak Python memory {peak / 2**20:.0f} MiB"
    prose = [b.text for b in doc.blocks if b.kind == "prose"]
    assert not [t for t in prose if "A Very Long Report" in t or re.fullmatch(r"\d+", t)]  # header, page numbers
    cut = parse_pdf(path, "long", SHA, max_pages=50)
    assert cut.pages_read == 50 and cut.n_pages == 1000 and any("read 50 of 1000 pages" in w for w in cut.warnings)
    assert max(b.page for b in cut.blocks) == 50


def test_parse_stage_records_each_bad_file_and_continues(tmp_path: Path) -> None:
    from synth.core.settings import load_settings
    from synth.pipeline import StageContext, run_stages
    from synth.stages.parse import ParseStage

    parse_stage = ParseStage()
    from synth.core.io import read_jsonl, write_json, write_jsonl
    from synth.core.store import STAGE_FILE, RunStore, dir_digest
    from synth.core.ui import UI

    good = _write_pdf(tmp_path / "good.pdf")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "page.pdf").write_text("<html><body>Access denied</body></html>")
    (tmp_path / "cut.pdf").write_bytes(good.read_bytes()[:600])
    files = ["good.pdf", "empty.pdf", "page.pdf", "cut.pdf"]
    settings = load_settings(overrides={"search": {"source": str(tmp_path)}})
    store = RunStore.create(settings.runs_dir, "does transfer work", {"settings": settings.public_dict()})
    with store.writing_stage("01_search") as out:  # a finished search stage that found these four files
        write_jsonl(
            out / "papers.jsonl", [Paper(id=f"local:{f}", title=f, pdf_path=str(tmp_path / f), source="local") for f in files]
        )
        write_json(out / STAGE_FILE, {"fingerprint": "test", "output_digest": dir_digest(out)})
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
    rows = run_stages(ctx, [parse_stage])
    assert rows[0]["counts"]["parsed"] == 1 and rows[0]["counts"]["failed"] == 3
    failures = read_jsonl(store.root / "failures.jsonl", Failure)
    assert {f.item for f in failures} == {"local:empty.pdf", "local:page.pdf", "local:cut.pdf"}
    for f in failures:
        assert f.stage == "parse" and f.error == "ParseError" and f.item.split(":")[1] in f.message
    docs = read_jsonl(store.output("02_parse", "docs.jsonl"), ParsedDoc)
    assert [d.paper_id for d in docs] == ["local:good.pdf"]
    # a second run over the same PDF is served from the parsed-document cache
    store2 = RunStore.create(settings.runs_dir, "does transfer work", {"settings": settings.public_dict()})
    with store2.writing_stage("01_search") as out:
        write_jsonl(out / "papers.jsonl", [Paper(id="local:good.pdf", title="g", pdf_path=str(good), source="local")])
        write_json(out / STAGE_FILE, {"fingerprint": "test", "output_digest": dir_digest(out)})
    rows = run_stages(StageContext(settings=settings, store=store2, ui=UI(quiet=True)), [parse_stage])
    assert rows[0]["counts"]["from_cache"] == 1 and rows[0]["counts"]["parsed"] == 0
