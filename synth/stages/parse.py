"""Stage 2: parse each paper's PDF into typed blocks (see :mod:`synth.ingest.pdf`); parsed documents are cached by
parser version and PDF hash, and a PDF that cannot be parsed is recorded in failures.jsonl, never fatal alone.

Two checks around the parser: a PDF must still hash to the sha256 the search stage recorded (a file replaced since
is a failure, not silently another paper), and a PDF that PyMuPDF had to repair on opening (truncated, then given
an ``%%EOF``; a broken cross-reference table) is parsed as far as it goes and named as *partial* in failures.jsonl
and in the document's warnings. Parsed text is made safe to show (control characters and terminal escapes become
spaces, so every character offset stays exact).

The PDFs not in the cache are parsed in parallel by the run's engine (:mod:`synth.engines`): a process pool on this
machine, or Ray workers; the output is the same, in the search's order, either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.errors import SourceError
from synth.core.io import fingerprint, read_jsonl, sha256_file, write_jsonl
from synth.core.records import Failure, Paper, ParsedDoc
from synth.core.stage_ids import PARSE, SEARCH
from synth.ingest.parallel import PARTIAL, ParseJob
from synth.ingest.pdf import PARSER_VERSION
from synth.pipeline.base import Stage, StageContext


class ParseStage(Stage):
    name = PARSE
    version = "1"
    upstream = (SEARCH,)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        return {"settings": ctx.settings.parse, "parser": PARSER_VERSION}

    @staticmethod
    def parser_key(ctx: StageContext) -> str:
        """Cache namespace of parsed documents: the parser's version and settings."""
        return f"v{PARSER_VERSION}-{fingerprint(ctx.settings.parse)[:12]}"

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        papers = read_jsonl(ctx.store.output(SEARCH, "papers.jsonl"), Paper)
        key = self.parser_key(ctx)
        max_pages = ctx.settings.parse.max_pages
        early: dict[str, Failure] = {}  # found before parsing: no PDF, a file gone, changed or unreadable
        cached: dict[str, ParsedDoc] = {}
        jobs: list[ParseJob] = []
        for paper in papers:
            if not paper.pdf_path:
                early[paper.id] = Failure(
                    stage="parse", item=paper.id, error="NoPDF", message=f"{paper.id}: no PDF was downloaded"
                )
                continue
            path = Path(paper.pdf_path)
            if not path.is_file():
                early[paper.id] = Failure(
                    stage="parse", item=paper.id, error="MissingFile", message=f"{paper.id}: {path} is gone"
                )
                continue
            try:
                sha = paper.sha256 or sha256_file(path)
                doc = ctx.cache.get_parsed(key, sha)
                if doc is not None:
                    cached[paper.id] = doc.model_copy(update={"paper_id": paper.id})
                    continue
                if paper.sha256 and sha256_file(path) != paper.sha256:
                    message = f"{paper.id}: {path} changed since the search found it (sha256 differs); search again to include it"
                    early[paper.id] = Failure(stage="parse", item=paper.id, error="ChangedFile", message=message)
                    continue
            except OSError as err:  # permission denied, an I/O error: this paper only
                reason = (err.strerror or type(err).__name__).lower()
                message = f"{paper.id}: {path} cannot be read ({reason})"
                early[paper.id] = Failure(stage="parse", item=paper.id, error="Unreadable", message=message)
                continue
            jobs.append(ParseJob(paper.id, str(path), sha, max_pages))
        # the PDFs not in the cache are parsed on all cores (or on the Ray cluster), one job per PDF, in order
        with ctx.ui.meter("parsing PDFs", len(jobs)) as advance:
            outcomes = {o.paper_id: o for o in ctx.engine().parse(jobs, lambda _outcome: advance(1))}
        docs: list[ParsedDoc] = []
        failures: list[Failure] = []
        for paper in papers:
            if paper.id in early:
                failures.append(early[paper.id])
                continue
            doc = cached.get(paper.id)
            if doc is None:
                outcome = outcomes[paper.id]
                if outcome.doc is None:
                    failures.append(
                        Failure(stage="parse", item=paper.id, error=outcome.error or "ParseError", message=outcome.message or "")
                    )
                    continue
                doc = outcome.doc
                ctx.cache.put_parsed(key, doc)
            docs.append(doc)
            failures += _partial(paper, Path(paper.pdf_path or ""), doc)
        ctx.store.set_failures("parse", failures)
        if papers and not docs:  # zero papers found is a result the report states; papers that all fail to parse is not
            raise SourceError(f"none of the {len(papers)} papers could be parsed (see {ctx.store.root / 'failures.jsonl'})")
        write_jsonl(out / "docs.jsonl", docs)
        return {
            "parsed": len(docs) - len(cached),
            "from_cache": len(cached),
            "failed": len(failures),
            "pages": sum(d.pages_read for d in docs),
            "parser": key,
        }


def _partial(paper: Paper, path: Path, doc: ParsedDoc) -> list[Failure]:
    """A ``PartialPDF`` failure for a document parsed from a damaged file (it is kept, and named as partial)."""
    if PARTIAL not in doc.warnings:
        return []
    message = f"{paper.id}: {path.name} was parsed only partly ({doc.pages_read} of {doc.n_pages} pages read; {PARTIAL})"
    return [Failure(stage="parse", item=paper.id, error="PartialPDF", message=message)]
