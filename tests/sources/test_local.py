"""A folder of PDFs as a source: one odd file (unreadable, a link that loops or points nowhere, empty, a duplicate)
becomes one failure and the other papers go on; metadata from PDFs and sidecars is made safe to show."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synth.core.cache import Cache
from synth.core.settings import SearchSettings
from synth.core.ui import UI
from synth.sources import clean_paper
from synth.sources.local import LocalSource, pdf_digests, source_changes


def _find(folder: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    return LocalSource(folder).find("a question", SearchSettings(source=str(folder)), Cache(tmp_path / "cache"), UI(quiet=True))


def test_an_unreadable_pdf_is_a_failure_and_the_others_go_on(
    sample_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = sample_corpus / "locked.pdf"
    locked.write_bytes((sample_corpus / "acl_semeval2021_task2_mcl_wic.pdf").read_bytes() + b"\n% another file\n")
    locked.chmod(0o000)
    if os.geteuid() == 0:  # root reads any file: make this one refuse as it would for a user
        import synth.sources.local

        real = synth.sources.local.sha256_file

        def denied(path: Path) -> str:
            if path.name == "locked.pdf":
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(synth.sources.local, "sha256_file", denied)
    try:
        found = _find(sample_corpus, tmp_path)
    finally:
        locked.chmod(0o644)
    assert len(found.papers) == 4
    (failure,) = found.failures
    assert failure.error == "Unreadable" and failure.message == "locked.pdf cannot be read (permission denied)"


def test_links_that_loop_or_point_nowhere_are_failures(sample_corpus: Path, tmp_path: Path) -> None:
    (sample_corpus / "loop.pdf").symlink_to("loop.pdf")
    (sample_corpus / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (sample_corpus / "self").symlink_to(".")  # a link back to the folder: never walked into
    (sample_corpus / "good-link.pdf").symlink_to(sample_corpus / "acl_semeval2021_task2_mcl_wic.pdf")
    found = _find(sample_corpus, tmp_path)
    messages = sorted(f.message for f in found.failures)
    assert messages == [
        "gone.pdf: symbolic link that points to nothing",
        "good-link.pdf is the same file as acl_semeval2021_task2_mcl_wic.pdf",
        "loop.pdf: symbolic link that loops back on itself",
    ]
    assert len(found.papers) == 4


def test_the_source_is_recorded_by_digest_and_changes_are_named(sample_corpus: Path, tmp_path: Path) -> None:
    found = _find(sample_corpus, tmp_path)
    assert found.inputs == pdf_digests(sample_corpus) and len(found.inputs) == 4
    assert source_changes(sample_corpus, found.inputs) == []
    (sample_corpus / "acl_semeval2021_task2_mcl_wic.pdf").unlink()
    with (sample_corpus / "acl_repl4nlp2017_beyond_bilingual_multisense.pdf").open("ab") as f:
        f.write(b"\n% edited\n")
    (sample_corpus / "new.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert source_changes(sample_corpus, found.inputs) == [
        "acl_repl4nlp2017_beyond_bilingual_multisense.pdf changed",
        "new.pdf added",
        "acl_semeval2021_task2_mcl_wic.pdf missing",
    ]


def test_metadata_is_made_safe_to_show(sample_corpus: Path, tmp_path: Path) -> None:
    side = sample_corpus / "acl_semeval2021_task2_mcl_wic.json"
    side.write_text(
        '{"title": "MCL-WiC \\u001b[31mred\\u001b[0m \\u001b]0;pwned\\u0007title\\u009b2J", '
        '"authors": ["Federico\\u0000 Martelli", "\\u202eilgnaN otreboR"], "year": "2021", "venue": "Sem\\rEval"}'
    )
    found = _find(sample_corpus, tmp_path)
    paper = clean_paper(next(p for p in found.papers if p.title.startswith("MCL-WiC")))
    assert paper.title == "MCL-WiC red title"
    assert paper.authors == ["Federico Martelli", "ilgnaN otreboR"] and paper.venue == "Sem Eval" and paper.year == 2021


def test_a_pdf_whose_authors_cannot_be_read_is_kept_and_the_gap_is_said(tmp_path: Path) -> None:
    import fitz

    from synth.core.records import MISSING_METADATA

    folder = tmp_path / "papers"
    folder.mkdir()
    doc = fitz.open()
    page = doc.new_page()
    page.insert_text((72, 90), "results of an experiment without a title block or an author line", fontsize=9)
    doc.save(folder / "notes.pdf")
    doc.close()
    found = _find(folder, tmp_path)
    (paper,) = found.papers  # kept: a missing author line is no reason to drop a paper
    (gap,) = found.failures
    assert gap.error == MISSING_METADATA and not gap.left_out
    assert gap.message.startswith("notes.pdf: could not read its ") and "authors" in gap.message and "year" in gap.message
    assert paper.authors == [] and paper.year is None
