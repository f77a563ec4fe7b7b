"""`synth run`, `synth search` and the stage commands (`ingest`, `claims`, `verify`, `synthesize`, `report`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from synth import __version__
from synth.cli.options import (
    CategoryOpt,
    ConfigOpt,
    EmbeddingModelOpt,
    EngineOpt,
    ForceOpt,
    JsonOpt,
    MaxClaimsOpt,
    MaxPapersOpt,
    NliModelOpt,
    PaperOpt,
    QuestionArg,
    QuietOpt,
    RemeasurementsOpt,
    RunArg,
    SinceOpt,
    SourceOpt,
    UntilOpt,
    overrides_from,
)
from synth.core.errors import SourceChanged, UsageError
from synth.core.settings import SynthSettings, load_settings
from synth.core.stage_ids import REPORT
from synth.core.store import RunStore
from synth.core.ui import UI


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def settings_for_run(config: Path | None, store: RunStore, overrides: dict[str, Any]) -> SynthSettings:
    """An existing run keeps the settings it was made with (so fingerprints match); flags still override."""
    recorded = {k: v for k, v in store.manifest().get("settings", {}).items() if k != "home"}  # the run may have moved
    return load_settings(config, _deep_merge(recorded, overrides))


def check_source(store: RunStore, settings: SynthSettings) -> None:
    """Refuse to resume ``store`` on another source than the one it was made from, or on a folder that changed since.

    The run recorded its source as an absolute path and the sha256 of every PDF it read; resuming elsewhere (a
    relative ``--source`` from another working directory) or after the folder changed would redo every stage on
    other papers and overwrite the finished report.
    """
    from synth.sources.local import pdf_digests, source_changes

    manifest = store.manifest()
    recorded: dict[str, Any] = manifest["source"] if isinstance(manifest.get("source"), dict) else {}
    was = recorded.get("source") or manifest.get("settings", {}).get("search", {}).get("source")
    now = settings.search.source
    if not was:
        return
    if was != now and (Path(was).is_absolute() or "arxiv" in (was, now)):
        raise SourceChanged(f"run {store.id} was made from source {was}; resuming it with source {now} is refused")
    if now == "arxiv":
        return
    files = recorded.get("files")
    if isinstance(files, dict):
        changes = source_changes(Path(now), files)
    else:  # a run made before sources were recorded: its corpus (paper id -> sha256) must all still be there
        have = set(pdf_digests(Path(now)).values())
        changes = [f"{pid} missing" for pid, sha in (manifest.get("corpus") or {}).items() if sha and sha not in have]
    if changes:
        shown = ", ".join(changes[:5]) + (f" and {len(changes) - 5} more" if len(changes) > 5 else "")
        raise SourceChanged(f"the source folder {now} is not what run {store.id} searched: {shown}")


def _manifest_base(settings: SynthSettings) -> dict[str, Any]:
    from synth.core.gitinfo import git_sha
    from synth.core.inference import key_suffix, resolve_backend
    from synth.core.modelref import model_key

    def key(name: str) -> str:  # the identity caches record: name@revision and the backend that computes the numbers
        return model_key(name, suffix=key_suffix(resolve_backend(settings.inference, settings.device, name)))

    return {
        "synth_version": __version__,
        "git_sha": git_sha(),
        "settings": settings.public_dict(),
        "models": {"embedding": key(settings.embedding_model), "nli": key(settings.nli_model)},
    }


def _new_run(question: str, settings: SynthSettings) -> RunStore:
    from synth.core.ledger import Ledger
    from synth.core.store import require_question

    question = require_question(question)
    store = RunStore.create(settings.runs_dir, question, _manifest_base(settings))
    Ledger(settings.home / "ledger.db", warn=UI().warn).record_run(store.id, question, store.manifest()["created"], store.root)
    return store


def _execute(
    settings: SynthSettings, store: RunStore, stages: list[Any], quiet: bool, force: bool = False, prepare: bool = False
) -> list[dict[str, Any]]:
    from synth.core.stage_ids import INDEX
    from synth.pipeline import StageContext, run_stages

    # a whole run exports the models' ONNX files (a first run only) where the process is small: peak memory
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=quiet), prepare_models_at=INDEX if prepare else None)
    return run_stages(ctx, stages, force=force)


def _verdict_counts(store: RunStore) -> dict[str, int] | None:
    """Claims per verdict in the run's verdicts.jsonl (None when the run has not verified yet)."""
    from synth.core.io import read_jsonl
    from synth.core.records import Verdict
    from synth.core.stage_ids import VERIFY

    path = store.root / VERIFY / "verdicts.jsonl"
    if not path.is_file():
        return None
    counts = {"supported": 0, "refuted": 0, "not_verified": 0}
    for verdict in read_jsonl(path, Verdict):
        counts[verdict.label if verdict.label in ("supported", "refuted") else "not_verified"] += 1
    return counts


def _summary(store: RunStore, rows: list[dict[str, Any]], as_json: bool) -> None:
    from synth.report import REPORT_NAME

    folder = store.root / REPORT
    report = folder / f"{REPORT_NAME}.md"
    shown = {ext: folder / f"{REPORT_NAME}.{ext}" for ext in ("html", "pdf")}
    verdicts = _verdict_counts(store)
    result = {
        "run": store.id,
        "path": str(store.root),
        "stages": rows,
        "report": str(report) if report.exists() else None,
        **{ext: str(path) if path.exists() else None for ext, path in shown.items()},
        "verdicts": verdicts,
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    for row in rows:
        counts = ", ".join(f"{k} {v}" for k, v in row["counts"].items() if not isinstance(v, list | dict))
        typer.echo(f"  {row['stage']:<12} {row['status']:<7} {row['duration_s']:>7.1f}s  {counts}", err=True)
    failures = store.failures()
    skipped = sum(1 for f in failures if f.left_out)
    if skipped:
        typer.echo(f"  {skipped} item(s) skipped, listed in {store.root / 'failures.jsonl'} and the report", err=True)
    if len(failures) > skipped:
        typer.echo(f"  {len(failures) - skipped} paper(s) kept with incomplete metadata (see the report)", err=True)
    typer.echo(f"run: {store.root}")
    if result["report"]:
        typer.echo(f"report: {report}")
    for ext, path in shown.items():
        if path.exists():
            typer.echo(f"{ext}: {path}")
    if verdicts is not None:
        total = sum(verdicts.values())
        typer.echo(
            f"verdicts: {verdicts['supported']} supported, {verdicts['refuted']} refuted, "
            f"{verdicts['not_verified']} not verified (of {total} claims)"
        )


def run(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="The research question.")] = None,
    source: SourceOpt = None,
    max_papers: MaxPapersOpt = None,
    max_claims: MaxClaimsOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    category: CategoryOpt = None,
    paper: PaperOpt = None,
    embedding_model: EmbeddingModelOpt = None,
    nli_model: NliModelOpt = None,
    remeasurements: RemeasurementsOpt = None,
    engine: EngineOpt = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Continue this run; finished stages are not redone.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo every stage even if up to date.")] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run every stage: search → parse → chunk → index → claims → verify → synthesis → report."""
    from synth.stages import STAGES

    flags = overrides_from(ctx.params)
    if resume:
        store = RunStore.open(resume, load_settings(config).runs_dir)
        settings = settings_for_run(config, store, flags)
        check_source(store, settings)
    else:
        if question is None:
            raise UsageError("no research question given", hint='Ask one: synth run "Does X improve Y?" --source PATH')
        settings = load_settings(config, flags)
        store = _new_run(question, settings)
    UI(quiet=quiet or as_json).info(f"run {store.id}")
    _summary(store, _execute(settings, store, STAGES, quiet or as_json, force, prepare=True), as_json)


def search(
    ctx: typer.Context,
    question: QuestionArg,
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
    from synth.stages import COMMANDS

    settings = load_settings(config, overrides_from(ctx.params))
    store = _new_run(question, settings)
    _summary(store, _execute(settings, store, COMMANDS["search"], quiet or as_json), as_json)


def _stage(name: str, ctx: typer.Context, run_ref: str, force: bool, config: Path | None, as_json: bool, quiet: bool) -> None:
    from synth.stages import COMMANDS

    store = RunStore.open(run_ref, load_settings(config).runs_dir)
    settings = settings_for_run(config, store, overrides_from(ctx.params))
    _summary(store, _execute(settings, store, COMMANDS[name], quiet or as_json, force), as_json)


def ingest(
    ctx: typer.Context, run_ref: RunArg, force: ForceOpt = False, config: ConfigOpt = None, as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:  # fmt: skip
    """Parse, chunk, embed and index the papers of a run."""
    _stage("ingest", ctx, run_ref, force, config, as_json, quiet)


def claims(
    ctx: typer.Context, run_ref: RunArg, max_claims: MaxClaimsOpt = None, force: ForceOpt = False,
    config: ConfigOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
) -> None:  # fmt: skip
    """Extract and rank the claims of a run's papers."""
    _stage("claims", ctx, run_ref, force, config, as_json, quiet)


def verify(
    ctx: typer.Context, run_ref: RunArg, nli_model: NliModelOpt = None, remeasurements: RemeasurementsOpt = None,
    force: ForceOpt = False, config: ConfigOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
) -> None:  # fmt: skip
    """Verify a run's claims against evidence (re-runs only this stage)."""
    _stage("verify", ctx, run_ref, force, config, as_json, quiet)


def synthesize(
    ctx: typer.Context, run_ref: RunArg, force: ForceOpt = False, config: ConfigOpt = None, as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:  # fmt: skip
    """Weigh a run's papers and claims against the question: relevance, the question's facets, the answer."""
    _stage("synthesize", ctx, run_ref, force, config, as_json, quiet)


def report(
    ctx: typer.Context, run_ref: RunArg, force: ForceOpt = False, config: ConfigOpt = None, as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:  # fmt: skip
    """Render a run's report (Markdown, HTML, PDF, JSON, CSV, BibTeX)."""
    _stage("report", ctx, run_ref, force, config, as_json, quiet)


COMMANDS: dict[str, Callable[..., None]] = {
    "run": run,
    "search": search,
    "ingest": ingest,
    "claims": claims,
    "verify": verify,
    "synthesize": synthesize,
    "report": report,
}
