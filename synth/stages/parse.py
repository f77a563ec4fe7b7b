"""Stage 2: parse each paper's PDF into typed blocks (see :mod:`synth.ingest.pdf`); parsed documents are cached by
parser version and PDF hash, and a PDF that cannot be parsed is recorded in failures.jsonl, never fatal alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.errors import ParseError, SourceError
from synth.core.io import fingerprint, read_jsonl, sha256_file, write_jsonl
from synth.core.records import Failure, Paper, ParsedDoc
from synth.core.stage_ids import PARSE, SEARCH
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
                continue
            try:
                doc = parse_pdf(path, paper.id, sha, ctx.settings.parse.max_pages, track=ctx.ui.track)
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
