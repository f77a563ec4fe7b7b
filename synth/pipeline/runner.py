"""Runs stages in order, skipping every stage whose fingerprint matches what the run already holds.

A stage's fingerprint hashes its NAME and VERSION, its full resolved settings and model identities (from the
stage's ``inputs``), and the *output digests* of its upstream stages; so a stage re-runs exactly when something
it depends on changed, and ``synth run --resume`` redoes nothing that finished.

Nothing finished is trusted blindly: a stage is reused only while its files still match the sha256 digests it
recorded (``_stage.json`` ``files``), so an output truncated or edited after the fact is redone (and named in a
warning), and a stage that reads an upstream output it may not redo refuses with the file's name. One process at
a time works on a run (a lock file in the run directory); the manifest records whether the last command failed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from synth.core.errors import MissingStageOutput, SynthError
from synth.core.io import fingerprint, write_json
from synth.core.ledger import Ledger
from synth.core.store import FAILED, STAGE_FILE, dir_digest, file_digests
from synth.pipeline.base import Stage, StageContext


def stage_fingerprint(stage: Stage, ctx: StageContext) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The stage's fingerprint, its upstream output digests, and the inputs it hashed (computed once: they read model files).

    Raises:
        MissingStageOutput: an upstream stage has not finished.
        CorruptFileError: an upstream stage's files no longer match the digests it recorded.
    """
    upstream: dict[str, str] = {}
    for name in stage.upstream:
        record = ctx.store.verified_record(name)
        if record is None:
            raise MissingStageOutput(f"run {ctx.store.id} has no finished {name} stage, which {stage.name} needs")
        upstream[name] = record["output_digest"]
    inputs = stage.inputs(ctx)
    payload = {"stage": stage.name, "version": stage.version, "inputs": inputs, "upstream": upstream}
    return fingerprint(payload), upstream, inputs


def run_stages(ctx: StageContext, stages: Sequence[Stage], force: bool = False) -> list[dict[str, Any]]:
    """Run (or skip) each stage, holding the run's lock; returns one status row per stage."""
    with ctx.store.lock():
        ctx.store.update_manifest(status="running")
        try:
            rows = _run(ctx, stages, force)
        except KeyboardInterrupt:
            ctx.store.update_manifest(status="interrupted")
            raise
        except Exception as err:
            # a failed run is never "latest" for `synth table` / `synth audit`; its error stays in the manifest
            message = str(err) if isinstance(err, SynthError) else f"{type(err).__name__}: {err}"
            ctx.store.update_manifest(status=FAILED, error=" ".join(message.split())[:500])
            raise
        finally:
            ctx.close()
        ctx.store.update_manifest(status="ok", error=None)
    return rows


def _run(ctx: StageContext, stages: Sequence[Stage], force: bool) -> list[dict[str, Any]]:
    rows = []
    ledger = Ledger(ctx.settings.home / "ledger.db", warn=ctx.ui.warn)
    for stage in stages:
        fp, upstream, inputs = stage_fingerprint(stage, ctx)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if not force and ctx.store.is_current(stage.name, fp):
            damage = ctx.store.damage(stage.name)
            if damage is None:
                record = ctx.store.stage_record(stage.name) or {}
                row = {"stage": stage.name, "status": "reused", "duration_s": 0.0, "counts": record.get("counts", {})}
                rows.append(row)
                _note(ctx, stage.name, {**row, "fingerprint": fp, "previous_duration_s": record.get("duration_s")})
                ctx.ui.info(f"[dim]{stage.name}: up to date, skipped[/dim]")
                continue
            ctx.ui.warn(f"{stage.name}: {damage}; redoing the stage")
        if stage.name == ctx.prepare_models_at:
            ctx.prepare_models()  # after search and parse, before the run holds an index: its smallest point
        ctx.ui.info(f"[bold]{stage.name}[/bold] …")
        t0 = time.perf_counter()
        with ctx.store.writing_stage(stage.name) as out, ctx.ui.stage(stage.name):
            counts = stage.run(ctx, out) or {}
            duration = round(time.perf_counter() - t0, 3)
            record = {
                "stage": stage.name,
                "version": stage.version,
                "fingerprint": fp,
                "upstream": upstream,
                "inputs": inputs,
                "counts": counts,
                "started": started,
                "duration_s": duration,
                "output_digest": dir_digest(out),
                "files": file_digests(out),  # what `damage` checks before the stage is reused or read
            }
            write_json(out / STAGE_FILE, record)
        row = {"stage": stage.name, "status": "done", "duration_s": duration, "counts": counts}
        rows.append(row)
        if ctx.ui.logging:  # a log (pipe, cluster) gets one line per finished stage; a terminal gets the summary table
            ctx.ui.info(f"{stage.name}: done in {duration:.1f} s")
        _note(ctx, stage.name, {**row, "fingerprint": fp})
        ledger.record_stage(
            ctx.store.id,
            {**row, "version": stage.version, "fingerprint": fp, "started": started, "models": _models_of(record["inputs"])},
        )
    return rows


def _models_of(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k.endswith("model")}


def _note(ctx: StageContext, name: str, row: dict[str, Any]) -> None:
    manifest = ctx.store.manifest()
    manifest.setdefault("stages", {})[name] = {k: v for k, v in row.items() if k != "stage"}
    ctx.store.write_manifest(manifest)
