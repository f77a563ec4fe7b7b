"""`synth runs` (and `synth runs rm`), `synth search-passages` and `synth config show`: look at runs and settings.

Everything printed is made safe for a terminal (no control characters or escape sequences from titles or questions)
and names papers as the report does (``Camacho-Collados et al. 2017``), never by internal ids alone.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from synth.cli.options import ConfigOpt, JsonOpt
from synth.core.settings import load_settings
from synth.core.stage_ids import CHUNK, INDEX, ORDER, SEARCH
from synth.core.store import RunStore
from synth.core.text import sanitize

PASSAGE_CHARS = 300  # characters of a passage shown per hit; cut at a word boundary and marked "[…]"


def search_passages(
    text: Annotated[str, typer.Argument(help="Text to find passages for.")],
    run_ref: Annotated[str, typer.Option("--run", help="Run whose index to search.")] = "latest",
    k: Annotated[int, typer.Option("-k", help="Passages to return.")] = 10,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Top-k passages of a run's index for a piece of text, with scores, paper and page."""
    from synth.core.io import read_jsonl
    from synth.core.records import Paper
    from synth.report.table import quote, short_cite
    from synth.retrieval.embedding import load_embedder
    from synth.retrieval.index import PassageIndex

    settings = load_settings(config)
    store = RunStore.open(run_ref, settings.runs_dir, needs=(INDEX,))
    for name in (CHUNK, INDEX):
        store.verified_record(name)  # an edited or truncated index is named, never searched
    papers_path = store.stage_dir(SEARCH) / "papers.jsonl"
    papers = {p.id: p for p in read_jsonl(papers_path, Paper)} if papers_path.is_file() else {}
    index = PassageIndex.load(store.output(INDEX, "index.json").parent, store.output(CHUNK, "chunks.jsonl"))
    recorded = store.manifest().get("settings", {}).get("embedding_model", settings.embedding_model)
    # the backend that built the index (its key's suffix) embeds the query, so the two compare
    from synth.core.inference import split_key

    backend = split_key(index.model_key)[1]
    inference = backend if backend in ("onnx", "onnx-int8") else "torch"
    device = "cuda" if backend == "torch-fp16" else "cpu" if backend == "torch" else settings.device
    embedder = load_embedder(recorded, device, inference=inference, cache_dir=settings.cache_dir, threads=settings.threads)
    query = embedder.encode([text])[0]
    index.check(embedder.key, embedder.dim)
    hits = index.search(query, k)
    rows: list[dict[str, Any]] = [
        {
            "score": round(h.score, 4),
            "paper": sanitize(short_cite(papers.get(h.chunk.paper_id), h.chunk.paper_id), keep_newlines=False),
            "paper_id": h.chunk.paper_id,
            "page": h.chunk.page_start,
            "section": h.chunk.section,
            "chunk": h.chunk.id,
            "text": h.chunk.text,
        }
        for h in hits
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        section = sanitize(r["section"] or "", keep_newlines=False)
        text = quote(sanitize(r["text"], keep_newlines=False), PASSAGE_CHARS)
        typer.echo(f"{r['score']:.3f}  {r['paper']} p.{r['page']} [{section}]\n       {text}")


def runs(ctx: typer.Context, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List past runs, newest last (`synth runs rm RUN` removes one)."""
    from synth.core.store import list_runs

    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings(config)
    rows = [
        {
            "id": sanitize(str(r.get("id") or ""), keep_newlines=False),
            "created": r.get("created"),
            "question": sanitize(str(r.get("question") or ""), keep_newlines=False),
            "status": r.get("status"),
            "stages_done": sum(
                1 for s in (r.get("stages") or {}).values() if isinstance(s, dict) and s.get("status") in {"done", "reused"}
            ),
            "path": r["path"],
        }
        for r in list_runs(settings.runs_dir)
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo(f"no runs under {settings.runs_dir}", err=True)
    for r in rows:
        status = f"  [{r['status']}]" if r["status"] in {"failed", "interrupted", "running"} else ""
        typer.echo(f"{r['id']}  {r['stages_done']}/{len(ORDER)} stages{status}  {r['question']}")


def runs_rm(
    run_refs: Annotated[list[str], typer.Argument(help="Runs to remove: run directories or run ids ('latest' too).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Remove runs (their whole directories); a run another synth process is using is refused."""
    from synth.core.store import remove_run

    settings = load_settings(config)
    stores = [RunStore.open(ref, settings.runs_dir) for ref in run_refs]  # every name is checked before anything goes
    if not yes:
        names = ", ".join(s.id for s in stores)
        typer.confirm(f"Remove {len(stores)} run(s) ({names})?", abort=True, err=True)
    for store in stores:
        remove_run(store)
        typer.echo(f"removed {store.id} ({store.root})", err=True)


def config_show(config: ConfigOpt = None) -> None:
    """Print the resolved settings as JSON (the same JSON every run records in its manifest)."""
    typer.echo(json.dumps(load_settings(config).public_dict(), indent=2))
