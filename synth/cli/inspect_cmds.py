"""`synth runs`, `synth search-passages` and `synth config show`: look at runs and settings."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from synth.cli.options import ConfigOpt, JsonOpt
from synth.core.settings import load_settings
from synth.core.stage_ids import CHUNK, INDEX, ORDER
from synth.core.store import RunStore


def search_passages(
    text: Annotated[str, typer.Argument(help="Text to find passages for.")],
    run_ref: Annotated[str, typer.Option("--run", help="Run whose index to search.")] = "latest",
    k: Annotated[int, typer.Option("-k", help="Passages to return.")] = 10,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Top-k passages of a run's index for a piece of text, with scores, paper and page."""
    from synth.retrieval.embedding import load_embedder
    from synth.retrieval.index import PassageIndex

    settings = load_settings(config)
    store = RunStore.open(run_ref, settings.runs_dir)
    index = PassageIndex.load(store.output(INDEX, "index.json").parent, store.output(CHUNK, "chunks.jsonl"))
    recorded = store.manifest().get("settings", {}).get("embedding_model", settings.embedding_model)
    embedder = load_embedder(recorded, settings.device)
    query = embedder.encode([text])[0]
    index.check(embedder.key, embedder.dim)
    hits = index.search(query, k)
    rows: list[dict[str, Any]] = [
        {
            "score": round(h.score, 4),
            "paper": h.chunk.paper_id,
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
        typer.echo(f"{r['score']:.3f}  {r['paper']} p.{r['page']} [{r['section']}]\n       {r['text'][:300]}")


def runs(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List past runs, newest last."""
    from synth.core.store import list_runs

    settings = load_settings(config)
    rows = [
        {
            "id": r.get("id"),
            "created": r.get("created"),
            "question": r.get("question"),
            "stages_done": sum(1 for s in r.get("stages", {}).values() if s.get("status") in {"done", "reused"}),
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
        typer.echo(f"{r['id']}  {r['stages_done']}/{len(ORDER)} stages  {r['question']}")


def config_show(config: ConfigOpt = None) -> None:
    """Print the resolved settings as JSON (the same JSON every run records in its manifest)."""
    typer.echo(json.dumps(load_settings(config).public_dict(), indent=2))
