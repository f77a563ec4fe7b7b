"""Stage 2: parse each paper's PDF into typed blocks (see :mod:`synth.ingest.pdf`); parsed documents are cached by
parser version and PDF hash, and a PDF that cannot be parsed is recorded in failures.jsonl, never fatal alone.

Two checks around the parser: a PDF must still hash to the sha256 the search stage recorded (a file replaced since
is a failure, not silently another paper), and a PDF that PyMuPDF had to repair on opening (truncated, then given
an ``%%EOF``; a broken cross-reference table) is parsed as far as it goes and named as *partial* in failures.jsonl
and in the document's warnings. Parsed text is made safe to show (control characters and terminal escapes become
spaces, so every character offset stays exact).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.errors import ParseError, SourceError
from synth.core.io import fingerprint, read_jsonl, sha256_file, write_jsonl
from synth.core.records import Failure, Paper, ParsedDoc
from synth.core.stage_ids import PARSE, SEARCH
from synth.core.text import sanitize, sanitize_in_place
from synth.ingest.pdf import PARSER_VERSION, parse_pdf
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
        docs: list[ParsedDoc] = []
        failures: list[Failure] = []
        cached = 0
        # progress is per document and per page (ctx.ui.track), so a 1,000-page PDF shows where it is; one bar at
        # a time, since a terminal can show only one live progress display
        for paper in papers:
            if not paper.pdf_path:
                failures.append(
                    Failure(stage="parse", item=paper.id, error="NoPDF", message=f"{paper.id}: no PDF was downloaded")
                )
                continue
            path = Path(paper.pdf_path)
            if not path.is_file():
                failures.append(Failure(stage="parse", item=paper.id, error="MissingFile", message=f"{paper.id}: {path} is gone"))
                continue
            sha = paper.sha256 or sha256_file(path)
            doc = ctx.cache.get_parsed(key, sha)
            if doc is not None:
                cached += 1
                docs.append(doc.model_copy(update={"paper_id": paper.id}))
                failures += _partial(paper, path, doc)
                continue
            try:
                if paper.sha256 and sha256_file(path) != paper.sha256:
                    failures.append(
                        Failure(
                            stage="parse",
                            item=paper.id,
                            error="ChangedFile",
                            message=f"{paper.id}: {path} changed since the search found it (sha256 differs); "
                            "search again to include it",
                        )
                    )
                    continue
                doc = _safe(parse_pdf(path, paper.id, sha, ctx.settings.parse.max_pages, track=ctx.ui.track))
                if _repaired(path):
                    doc = doc.model_copy(update={"warnings": [*doc.warnings, PARTIAL]})
            except OSError as err:  # permission denied, an I/O error: this paper only
                reason = (err.strerror or type(err).__name__).lower()
                failures.append(
                    Failure(
                        stage="parse", item=paper.id, error="Unreadable", message=f"{paper.id}: {path} cannot be read ({reason})"
                    )
                )
                continue
            except ParseError as err:
                failures.append(Failure(stage="parse", item=paper.id, error="ParseError", message=f"{paper.id}: {err}"))
                continue
            except Exception as err:  # noqa: BLE001 - a parser bug on one odd PDF must not lose the other papers
                message = (
                    f"{paper.id}: {path.name}: unexpected parser error ({type(err).__name__}: {' '.join(str(err).split())[:160]})"
                )
                failures.append(Failure(stage="parse", item=paper.id, error=type(err).__name__, message=message))
                continue
            ctx.cache.put_parsed(key, doc)
            docs.append(doc)
            failures += _partial(paper, path, doc)
        ctx.store.set_failures("parse", failures)
        if papers and not docs:  # zero papers found is a result the report states; papers that all fail to parse is not
            raise SourceError(f"none of the {len(papers)} papers could be parsed (see {ctx.store.root / 'failures.jsonl'})")
        write_jsonl(out / "docs.jsonl", docs)
        return {
            "parsed": len(docs) - cached,
            "from_cache": cached,
            "failed": len(failures),
            "pages": sum(d.pages_read for d in docs),
            "parser": key,
        }


PARTIAL = "damaged PDF: PyMuPDF had to repair it to open it (truncated or corrupt), so its text may be incomplete"


def _repaired(path: Path) -> bool:
    """True when PyMuPDF opens ``path`` only by repairing it (a truncated file, a broken cross-reference table)."""
    import pymupdf

    try:
        with pymupdf.open(path) as doc:
            return bool(doc.is_repaired)
    except Exception:  # noqa: BLE001 - it parsed a moment ago; a file that will not open again is not "partial"
        return False


def _partial(paper: Paper, path: Path, doc: ParsedDoc) -> list[Failure]:
    """A ``PartialPDF`` failure for a document parsed from a damaged file (it is kept, and named as partial)."""
    if PARTIAL not in doc.warnings:
        return []
    message = f"{paper.id}: {path.name} was parsed only partly ({doc.pages_read} of {doc.n_pages} pages read; {PARTIAL})"
    return [Failure(stage="parse", item=paper.id, error="PartialPDF", message=message)]


def _safe(doc: ParsedDoc) -> ParsedDoc:
    """``doc`` with no control character or terminal escape in its text; offsets unchanged (same-length replacement)."""
    blocks = [
        b.model_copy(update={"text": sanitize_in_place(b.text), "section": sanitize(b.section, keep_newlines=False)})
        for b in doc.blocks
    ]
    references = [sanitize(r, keep_newlines=False) for r in doc.references]
    return doc.model_copy(update={"blocks": blocks, "references": references})
