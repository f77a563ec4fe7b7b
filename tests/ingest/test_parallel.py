"""Parsing on all cores: the pool gives exactly what one process gives, in job order, with a failure per bad PDF."""

from __future__ import annotations

from pathlib import Path

from synth.core.records import ParsedDoc
from synth.ingest.parallel import ParseJob, ParseOutcome, make_safe, parse_many, parse_one
from tests.paths import SAMPLE


def _jobs(folder: Path) -> list[ParseJob]:
    return [ParseJob(p.stem, str(p), "0" * 64, 1000) for p in sorted(folder.glob("*.pdf"))]


def test_pool_outcomes_equal_serial_outcomes_in_job_order(sample_corpus: Path) -> None:
    (sample_corpus / "empty.pdf").write_bytes(b"")
    (sample_corpus / "page.pdf").write_bytes(b"<html><body>not a pdf</body></html>")
    jobs = _jobs(sample_corpus)
    seen: list[str] = []
    pooled = parse_many(jobs, workers=2, done=lambda o: seen.append(o.paper_id))
    serial = parse_many(jobs, workers=1)
    assert [o.paper_id for o in pooled] == [j.paper_id for j in jobs]
    assert sorted(seen) == sorted(j.paper_id for j in jobs)  # told of every job, in whatever order they ended
    assert pooled == serial  # same documents, same failures, field for field
    failed = {o.paper_id: o for o in pooled if o.doc is None}
    assert set(failed) == {"empty", "page"}
    assert failed["empty"].error == "ParseError" and "empty.pdf" in (failed["empty"].message or "")
    assert "not a PDF" in (failed["page"].message or "")
    assert sum(o.doc is not None for o in pooled) == 4


def test_a_missing_file_is_an_outcome_not_an_exception(tmp_path: Path) -> None:
    outcome = parse_one(ParseJob("gone", str(tmp_path / "gone.pdf"), "0" * 64, 10))
    assert outcome.doc is None and outcome.error == "ParseError" and "gone.pdf" in (outcome.message or "")


def _crash_on_bad(job: ParseJob) -> ParseOutcome:  # a parser that kills its process on one file (as a MuPDF crash would)
    import os

    if job.paper_id == "bad":
        os._exit(1)
    return ParseOutcome(job.paper_id, error="Fine", message=job.paper_id)


def test_a_worker_that_dies_fails_only_its_own_pdf(tmp_path: Path) -> None:
    jobs = [ParseJob(name, str(tmp_path / f"{name}.pdf"), "0" * 64, 1) for name in ("a", "bad", "c", "d")]
    outcomes = parse_many(jobs, workers=2, parse=_crash_on_bad)
    assert [o.paper_id for o in outcomes] == ["a", "bad", "c", "d"]
    assert outcomes[1].error == "ParserCrashed" and "bad.pdf" in (outcomes[1].message or "")
    assert [o.error for i, o in enumerate(outcomes) if i != 1] == ["Fine"] * 3


def test_parsed_text_is_made_safe_without_moving_offsets() -> None:
    from synth.core.records import Block

    text = "We \x1b[31mreport\x1b[0m 3.5 points\x07 of gain."
    doc = ParsedDoc(paper_id="p", sha256="0" * 64, n_pages=1, pages_read=1,
                    blocks=[Block(page=1, section="1 Intro\x1b[2J", kind="prose", text=text, char_start=0)],
                    references=["Ref \x00one"])  # fmt: skip
    safe = make_safe(doc)
    assert len(safe.blocks[0].text) == len(text) and "\x1b" not in safe.blocks[0].text and "\x07" not in safe.blocks[0].text
    assert safe.blocks[0].text.split() == ["We", "report", "3.5", "points", "of", "gain."]
    assert safe.blocks[0].section == "1 Intro" and safe.references == ["Ref one"]


def test_the_sample_parses_the_same_in_a_pool() -> None:
    jobs = _jobs(SAMPLE)
    assert parse_many(jobs, workers=2) == [parse_one(j) for j in jobs]
