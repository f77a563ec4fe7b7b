"""Stage 2: parse each paper's PDF into blocks (cached by PDF hash); unreadable PDFs are recorded and skipped."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.errors import ParseError, SourceError
from synth.models import Failure, Paper, ParsedDoc
from synth.parsing import PARSER_VERSION, parse_pdf
from synth.store import fingerprint, read_jsonl, sha256_file, write_jsonl

if TYPE_CHECKING:
    from synth.pipeline import StageContext

NAME = "02_parse"
VERSION = "1"
UPSTREAM = ("01_search",)


def inputs(ctx: StageContext) -> dict[str, Any]:
    return {"settings": ctx.settings.parse, "parser": PARSER_VERSION}


def parser_key(ctx: StageContext) -> str:
    return f"v{PARSER_VERSION}-{fingerprint(ctx.settings.parse)[:12]}"


def run(ctx: StageContext, out: Path) -> dict[str, Any]:
    papers = read_jsonl(ctx.store.output("01_search", "papers.jsonl"), Paper)
    key = parser_key(ctx)
    docs: list[ParsedDoc] = []
    failures: list[Failure] = []
    cached = 0
    for paper in ctx.ui.track(papers, "parsing PDFs"):
        if not paper.pdf_path:
            failures.append(Failure(stage="parse", item=paper.id, error="NoPDF", message=f"{paper.id}: no PDF was downloaded"))
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
            doc = parse_pdf(path, paper.id, sha, ctx.settings.parse.max_pages)
        except ParseError as err:
            failures.append(Failure(stage="parse", item=paper.id, error="ParseError", message=str(err)))
            continue
        ctx.cache.put_parsed(key, doc)
        docs.append(doc)
    ctx.store.set_failures("parse", failures)
    if not docs:
        raise SourceError(f"none of the {len(papers)} papers could be parsed (see {ctx.store.root / 'failures.jsonl'})")
    write_jsonl(out / "docs.jsonl", docs)
    return {"parsed": len(docs) - cached, "from_cache": cached, "failed": len(failures), "pages": sum(d.pages_read for d in docs)}
