"""Parsing many PDFs on all cores: one job per PDF in a process pool, results in job order, a failure per item.

:func:`parse_one` is the whole per-PDF unit (parse with :func:`synth.ingest.pdf.parse_pdf`, make the text safe to
show, mark a PDF PyMuPDF had to repair as partial) and never raises: a parser error becomes a :class:`ParseOutcome`
with an error kind and a message naming the file, so one odd PDF never costs the others. :func:`parse_many` runs
jobs in a ``concurrent.futures`` process pool (``spawn``: a forked copy of a process holding model threads can
deadlock); a worker that dies (a crash inside MuPDF) fails only the PDF it was parsing: the jobs it leaves are
retried one by one in fresh single-worker pools. The Ray engine (:mod:`synth.engines.ray`) runs the same
:func:`parse_one` on cluster workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from synth.core.errors import ParseError
from synth.core.records import ParsedDoc
from synth.core.text import sanitize, sanitize_in_place

PARTIAL = "damaged PDF: PyMuPDF had to repair it to open it (truncated or corrupt), so its text may be incomplete"
MIN_POOL_JOBS = 3  # fewer PDFs than this parse in this process: starting workers would cost more than it saves


@dataclass(frozen=True)
class ParseJob:
    """One PDF to parse: the file, the paper it is, its sha256 (recorded on the result) and the page limit."""

    paper_id: str
    path: str
    sha256: str
    max_pages: int


@dataclass(frozen=True)
class ParseOutcome:
    """A parsed document, or why there is none (``error``: ``Unreadable``, ``ParseError``, an exception's name)."""

    paper_id: str
    doc: ParsedDoc | None = None
    error: str | None = None
    message: str | None = None


def parse_one(job: ParseJob) -> ParseOutcome:
    """Parse one PDF; never raises (an error is the outcome, with a message naming the paper and the file)."""
    path = Path(job.path)
    try:
        from synth.ingest.pdf import parse_pdf

        doc = make_safe(parse_pdf(path, job.paper_id, job.sha256, job.max_pages))
        if repaired(path):
            doc = doc.model_copy(update={"warnings": [*doc.warnings, PARTIAL]})
        return ParseOutcome(job.paper_id, doc=doc)
    except OSError as err:  # permission denied, an I/O error: this paper only
        reason = (err.strerror or type(err).__name__).lower()
        return ParseOutcome(job.paper_id, error="Unreadable", message=f"{job.paper_id}: {path} cannot be read ({reason})")
    except ParseError as err:
        return ParseOutcome(job.paper_id, error="ParseError", message=f"{job.paper_id}: {err}")
    except Exception as err:  # noqa: BLE001 - a parser bug on one odd PDF must not lose the other papers
        detail = " ".join(str(err).split())[:160]
        message = f"{job.paper_id}: {path.name}: unexpected parser error ({type(err).__name__}: {detail})"
        return ParseOutcome(job.paper_id, error=type(err).__name__, message=message)


Parse = Callable[[ParseJob], ParseOutcome]


def parse_many(
    jobs: list[ParseJob], workers: int, done: Callable[[ParseOutcome], None] | None = None, parse: Parse = parse_one
) -> list[ParseOutcome]:
    """Every job's outcome, in job order, parsed by up to ``workers`` processes; ``done`` is told of each as it ends.

    ``parse`` is the per-job function (a module-level function: workers import it by name).
    """
    if workers <= 1 or len(jobs) < MIN_POOL_JOBS:
        outcomes = []
        for job in jobs:
            outcomes.append(parse(job))
            if done is not None:
                done(outcomes[-1])
        return outcomes
    results: dict[int, ParseOutcome] = {}
    left = _pool(parse, jobs, list(range(len(jobs))), min(workers, len(jobs)), results, done)
    for i in left:  # a worker died: what it left is parsed alone, so only the PDF that kills a worker fails
        if _pool(parse, jobs, [i], 1, results, done):
            results[i] = ParseOutcome(
                jobs[i].paper_id,
                error="ParserCrashed",
                message=f"{jobs[i].paper_id}: {Path(jobs[i].path).name}: the parser process died parsing it",
            )
            if done is not None:
                done(results[i])
    return [results[i] for i in range(len(jobs))]


def _pool(
    parse: Parse,
    jobs: list[ParseJob],
    todo: list[int],
    workers: int,
    results: dict[int, ParseOutcome],
    done: Callable[[ParseOutcome], None] | None,
) -> list[int]:
    """Run ``todo`` in a pool of ``workers`` processes into ``results``; returns the jobs a dead worker left undone."""
    context = multiprocessing.get_context("spawn")
    left: list[int] = []
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(parse, jobs[i]): i for i in todo}
        for future in cf.as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except cf.process.BrokenProcessPool:
                left.append(i)
                continue
            if done is not None:
                done(results[i])
    return sorted(left)


def repaired(path: Path) -> bool:
    """True when PyMuPDF opens ``path`` only by repairing it (a truncated file, a broken cross-reference table)."""
    import pymupdf

    try:
        with pymupdf.open(path) as doc:
            return bool(doc.is_repaired)
    except Exception:  # noqa: BLE001 - it parsed a moment ago; a file that will not open again is not "partial"
        return False


def make_safe(doc: ParsedDoc) -> ParsedDoc:
    """``doc`` with no control character or terminal escape in its text; offsets unchanged (same-length replacement)."""
    blocks = [
        b.model_copy(update={"text": sanitize_in_place(b.text), "section": sanitize(b.section, keep_newlines=False)})
        for b in doc.blocks
    ]
    references = [sanitize(r, keep_newlines=False) for r in doc.references]
    return doc.model_copy(update={"blocks": blocks, "references": references})
