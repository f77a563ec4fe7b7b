"""The `synth` command line: flags → settings → stages → messages. Kept thin; the work happens in the stages."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from synth import __version__
from synth.config import SynthSettings, load_settings
from synth.errors import SynthError
from synth.ui import UI

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="synth",
    help="Search the literature, extract checkable claims, verify them against evidence, and write a scored report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inspect the resolved configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")

_state: dict[str, Any] = {"debug": False}
log = logging.getLogger("synth")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synth {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Re-raise unexpected errors with their traceback.")] = False,
) -> None:
    _state["debug"] = debug or os.environ.get("SYNTH_RAISE_ERRORS") == "1"


def guard(fn: F) -> F:
    """Turn errors into `Error: … / Hint: …` and an exit code; unexpected ones into one line plus a log file."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SynthError as err:
            if _state["debug"]:
                raise
            ui = UI()
            ui.err.print(f"[bold red]Error:[/bold red] {err}", highlight=False, markup=True, soft_wrap=True)
            ui.err.print(f"[bold]Hint:[/bold] {err.hint}", highlight=False, soft_wrap=True)
            raise typer.Exit(err.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - the CLI boundary: one line for the user, the traceback to a file
            if _state["debug"]:
                raise
            path = _log_crash()
            UI().err.print(
                f"Error: unexpected {type(err).__name__}: {err} (details: {path}; re-run with --debug)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _log_crash() -> Path:
    home = Path(os.environ.get("SYNTH_HOME") or SynthSettings.model_fields["home"].default)
    path = home / "logs" / "errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(
                f"--- {dt.datetime.now(dt.UTC).isoformat()} synth {__version__}: {' '.join(sys.argv)}\n{traceback.format_exc()}\n"
            )
    except OSError:
        return Path("(could not write a log)")
    return path


# -- shared options ------------------------------------------------------------------------------------
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="A synth.toml to read (default: ./synth.toml if present).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout for scripts.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
RunArg = Annotated[str, typer.Argument(help="A run directory, a run id under $SYNTH_HOME/runs, or 'latest'.")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="'arxiv' (default) or a folder of PDFs.")]
MaxPapersOpt = Annotated[int | None, typer.Option("--max-papers", help="Papers kept after ranking.")]
SinceOpt = Annotated[dt.datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="arXiv: published on/after.")]
UntilOpt = Annotated[dt.datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="arXiv: published on/before.")]
CategoryOpt = Annotated[list[str] | None, typer.Option("--category", help="arXiv category, e.g. cs.CL (repeatable).")]
PaperOpt = Annotated[list[str] | None, typer.Option("--paper", help="arXiv id to include (repeatable).")]


def _search_flags(
    source: str | None,
    max_papers: int | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    category: list[str] | None,
    paper: list[str] | None,
) -> dict[str, Any]:
    return _overrides(
        search__source=source,
        search__max_papers=max_papers,
        search__since=since.date() if since else None,
        search__until=until.date() if until else None,
        search__categories=category,
        search__papers=paper,
    )


def _new_run(question: str, settings: SynthSettings) -> Any:
    from synth.ledger import Ledger
    from synth.store import RunStore, require_question

    question = require_question(question)
    store = RunStore.create(settings.runs_dir, question, _manifest_base(settings))
    Ledger(settings.home / "ledger.db").record_run(store.id, question, store.manifest()["created"], store.root)
    return store


def _overrides(**flags: Any) -> dict[str, Any]:
    """CLI flags → nested settings overrides; unset flags are left to lower-precedence sources."""
    sections: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for key, value in flags.items():
        if value is None or value == [] or value is False:
            continue
        section, _, field = key.partition("__")
        if field:
            sections.setdefault(section, {})[field] = value
        else:
            top[key] = value
    return {**top, **sections}


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _settings_for_run(config: Path | None, recorded: dict[str, Any], overrides: dict[str, Any]) -> SynthSettings:
    """An existing run keeps the settings it was made with (so fingerprints match); flags still override."""
    recorded = {k: v for k, v in recorded.items() if k != "home"}  # the run may have moved; home is where we are now
    return load_settings(config, _deep_merge(recorded, overrides))


def _summary(store: Any, rows: list[dict[str, Any]], as_json: bool) -> None:
    from synth.report import REPORT_NAME

    report = store.root / "07_report" / f"{REPORT_NAME}.md"
    result = {"run": store.id, "path": str(store.root), "stages": rows, "report": str(report) if report.exists() else None}
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    for row in rows:
        counts = ", ".join(f"{k} {v}" for k, v in row["counts"].items() if not isinstance(v, list | dict))
        typer.echo(f"  {row['stage']:<11} {row['status']:<7} {row['duration_s']:>7.1f}s  {counts}", err=True)
    failures = store.failures()
    if failures:
        typer.echo(f"  {len(failures)} item(s) skipped, listed in {store.root / 'failures.jsonl'} and the report", err=True)
    typer.echo(f"run: {store.root}")
    if result["report"]:
        typer.echo(f"report: {report}")


# -- the pipeline -------------------------------------------------------------------------------------
@app.command()
@guard
def run(
    question: Annotated[str | None, typer.Argument(help="The research question.")] = None,
    source: SourceOpt = None,
    max_papers: MaxPapersOpt = None,
    max_claims: Annotated[int | None, typer.Option("--max-claims", help="Claims verified and reported.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    category: CategoryOpt = None,
    paper: PaperOpt = None,
    embedding_model: Annotated[str | None, typer.Option("--embedding-model", help="Hub name or directory.")] = None,
    nli_model: Annotated[
        str | None, typer.Option("--nli-model", help="Hub name or directory of a 3-way NLI cross-encoder.")
    ] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Continue this run; finished stages are not redone.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo every stage even if up to date.")] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run every stage: search → parse → chunk → index → claims → verify → report."""
    from synth.pipeline import STAGES, StageContext, run_stages
    from synth.store import RunStore

    flags = _deep_merge(
        _search_flags(source, max_papers, since, until, category, paper),
        _overrides(claims__max_claims=max_claims, embedding_model=embedding_model, nli_model=nli_model),
    )
    if resume:
        base = load_settings(config)
        store = RunStore.open(resume, base.runs_dir)
        settings = _settings_for_run(config, store.manifest().get("settings", {}), flags)
    else:
        if question is None:
            raise SynthError("no research question given", hint='Ask one: synth run "Does X improve Y?" --source PATH')
        settings = load_settings(config, flags)
        store = _new_run(question, settings)
    ui = UI(quiet=quiet or as_json)
    ui.info(f"run {store.id}")
    rows = run_stages(StageContext(settings=settings, store=store, ui=ui), STAGES, force=force)
    _summary(store, rows, as_json)


def _manifest_base(settings: SynthSettings) -> dict[str, Any]:
    from synth.modelinfo import model_key

    return {
        "synth_version": __version__,
        "git_sha": _git_sha(),
        "settings": settings.public_dict(),
        "models": {"embedding": model_key(settings.embedding_model), "nli": model_key(settings.nli_model)},
    }


def _git_sha() -> str | None:
    head = Path(__file__).resolve().parent.parent / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            return (head.parent / ref[5:]).read_text().strip()[:12]
        return ref[:12]
    except OSError:
        return None


def _stage_command(name: str, doc: str) -> None:
    @guard
    def command(
        run_ref: RunArg,
        force: Annotated[bool, typer.Option("--force", help="Redo even if up to date.")] = False,
        nli_model: Annotated[str | None, typer.Option("--nli-model", help="Override the NLI model.")] = None,
        max_claims: Annotated[int | None, typer.Option("--max-claims", help="Override the claim budget.")] = None,
        config: ConfigOpt = None,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        from synth.pipeline import COMMANDS, StageContext, run_stages
        from synth.store import RunStore

        store = RunStore.open(run_ref, load_settings(config).runs_dir)
        flags = _overrides(nli_model=nli_model, claims__max_claims=max_claims)
        settings = _settings_for_run(config, store.manifest().get("settings", {}), flags)
        ui = UI(quiet=quiet or as_json)
        rows = run_stages(StageContext(settings=settings, store=store, ui=ui), COMMANDS[name], force=force)
        _summary(store, rows, as_json)

    command.__doc__ = doc
    app.command(name)(command)


_stage_command("ingest", "Parse, chunk, embed and index the papers of a run.")
_stage_command("claims", "Extract and rank the claims of a run's papers.")
_stage_command("verify", "Verify a run's claims against evidence (re-runs only this stage).")
_stage_command("report", "Render a run's report (Markdown, HTML, PDF, JSON, CSV, BibTeX).")


@app.command()
@guard
def search(
    question: Annotated[str, typer.Argument(help="The research question.")],
    source: SourceOpt = None,
    max_papers: MaxPapersOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    category: CategoryOpt = None,
    paper: PaperOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Start a run with only the search stage (continue with `synth ingest RUN` …)."""
    from synth.pipeline import COMMANDS, StageContext, run_stages

    settings = load_settings(config, _search_flags(source, max_papers, since, until, category, paper))
    store = _new_run(question, settings)
    rows = run_stages(StageContext(settings=settings, store=store, ui=UI(quiet=quiet or as_json)), COMMANDS["search"])
    _summary(store, rows, as_json)


@app.command("search-passages")
@guard
def search_passages(
    text: Annotated[str, typer.Argument(help="Text to find passages for.")],
    run_ref: Annotated[str, typer.Option("--run", help="Run whose index to search.")] = "latest",
    k: Annotated[int, typer.Option("-k", help="Passages to return.")] = 10,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Top-k passages of a run's index for a piece of text, with scores, paper and page."""
    from synth.embed import load_embedder
    from synth.retrieval import PassageIndex
    from synth.store import RunStore

    settings = load_settings(config)
    store = RunStore.open(run_ref, settings.runs_dir)
    index = PassageIndex.load(store.output("04_index", "index.json").parent, store.output("03_chunk", "chunks.jsonl"))
    recorded = store.manifest().get("settings", {}).get("embedding_model", settings.embedding_model)
    embedder = load_embedder(recorded, settings.device)
    query = embedder.encode([text])[0]
    index.check(embedder.key, embedder.dim)
    hits = index.search(query, k)
    rows = [
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


@app.command()
@guard
def runs(
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List past runs, newest last."""
    from synth.store import list_runs

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
        typer.echo(f"{r['id']}  {r['stages_done']}/7 stages  {r['question']}")


@config_app.command("show")
@guard
def config_show(config: ConfigOpt = None) -> None:
    """Print the resolved settings as JSON (the same JSON every run records in its manifest)."""
    typer.echo(json.dumps(load_settings(config).public_dict(), indent=2))


def _mount_optional() -> None:
    """Sub-apps and report commands live beside their modules; mounted here so `synth --help` lists them."""
    from synth.report import commands as report_commands

    app.command("table")(guard(report_commands.table))
    app.command("audit")(guard(report_commands.audit))
    from synth.verifier.cli import app as verifier_app

    app.add_typer(verifier_app, name="verifier", help="Train and calibrate synth's offline NLI verifier.")
    from synth.experiment.robust_xlt.cli import app as experiment_app

    app.add_typer(experiment_app, name="experiment", help="Re-run published experiments to check numeric claims.")


_mount_optional()


def main() -> None:
    app()
