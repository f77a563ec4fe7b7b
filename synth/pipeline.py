"""Runs stages in order, skipping every stage whose fingerprint matches what the run already holds.

A stage's fingerprint hashes its NAME and VERSION, its full resolved settings and model identities (from the
stage's ``inputs``), and the *output digests* of its upstream stages; so a stage re-runs exactly when something
it depends on changed, and ``synth run --resume`` redoes nothing that finished.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from synth.cache import Cache
from synth.config import SynthSettings
from synth.errors import MissingStageOutput
from synth.ledger import Ledger
from synth.stages import chunk, claims, index, parse, report, search, verify
from synth.store import STAGE_FILE, RunStore, dir_digest, fingerprint, write_json
from synth.ui import UI

STAGES: list[ModuleType] = [search, parse, chunk, index, claims, verify, report]
COMMANDS: dict[str, list[ModuleType]] = {
    "search": [search],
    "ingest": [parse, chunk, index],
    "claims": [claims],
    "verify": [verify],
    "report": [report],
}


@dataclass
class StageContext:
    """What a stage may use: settings, its run, the shared cache, the console, and models loaded once."""

    settings: SynthSettings
    store: RunStore
    ui: UI
    cache: Cache = field(init=False)
    _models: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cache = Cache(self.settings.cache_dir)

    @property
    def question(self) -> str:
        return self.store.question

    def embedder(self) -> Any:
        if "embedder" not in self._models:
            from synth.embed import load_embedder

            self._models["embedder"] = load_embedder(
                self.settings.embedding_model, self.settings.device, self.settings.index.batch_size
            )
        return self._models["embedder"]

    def nli(self) -> Any:
        if "nli" not in self._models:
            from synth.modelinfo import quiet_model_libraries
            from synth.nli import load_nli

            quiet_model_libraries()
            device = None if self.settings.device == "auto" else self.settings.device
            self._models["nli"] = load_nli(self.settings.nli_model, device=device, batch_size=self.settings.verify.batch_size)
        return self._models["nli"]


def stage_fingerprint(stage: ModuleType, ctx: StageContext) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The stage's fingerprint, its upstream output digests, and the inputs it hashed (computed once: they read model files)."""
    upstream: dict[str, str] = {}
    for name in stage.UPSTREAM:
        record = ctx.store.stage_record(name)
        if record is None:
            raise MissingStageOutput(f"run {ctx.store.id} has no finished {name} stage, which {stage.NAME} needs")
        upstream[name] = record["output_digest"]
    inputs = stage.inputs(ctx)
    payload = {"stage": stage.NAME, "version": stage.VERSION, "inputs": inputs, "upstream": upstream}
    return fingerprint(payload), upstream, inputs


def run_stages(ctx: StageContext, stages: Sequence[ModuleType], force: bool = False) -> list[dict[str, Any]]:
    """Run (or skip) each stage; returns one status row per stage."""
    rows = []
    ledger = Ledger(ctx.settings.home / "ledger.db")
    for stage in stages:
        fp, upstream, inputs = stage_fingerprint(stage, ctx)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if not force and ctx.store.is_current(stage.NAME, fp):
            record = ctx.store.stage_record(stage.NAME) or {}
            row = {"stage": stage.NAME, "status": "reused", "duration_s": 0.0, "counts": record.get("counts", {})}
            rows.append(row)
            _note(ctx, stage.NAME, {**row, "fingerprint": fp, "previous_duration_s": record.get("duration_s")})
            ctx.ui.info(f"[dim]{stage.NAME}: up to date, skipped[/dim]")
            continue
        ctx.ui.info(f"[bold]{stage.NAME}[/bold] …")
        t0 = time.perf_counter()
        with ctx.store.writing_stage(stage.NAME) as out:
            counts = stage.run(ctx, out) or {}
            duration = round(time.perf_counter() - t0, 3)
            record = {
                "stage": stage.NAME,
                "version": stage.VERSION,
                "fingerprint": fp,
                "upstream": upstream,
                "inputs": inputs,
                "counts": counts,
                "started": started,
                "duration_s": duration,
                "output_digest": dir_digest(out),
            }
            write_json(out / STAGE_FILE, record)
        row = {"stage": stage.NAME, "status": "done", "duration_s": duration, "counts": counts}
        rows.append(row)
        _note(ctx, stage.NAME, {**row, "fingerprint": fp})
        ledger.record_stage(
            ctx.store.id,
            {**row, "version": stage.VERSION, "fingerprint": fp, "started": started, "models": _models_of(record["inputs"])},
        )
    return rows


def _models_of(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k.endswith("model")}


def _note(ctx: StageContext, name: str, row: dict[str, Any]) -> None:
    manifest = ctx.store.manifest()
    manifest.setdefault("stages", {})[name] = {k: v for k, v in row.items() if k != "stage"}
    ctx.store.write_manifest(manifest)
