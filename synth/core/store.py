"""The run directory (the product's memory) and the cache shared across runs.

A run is ``<home>/runs/<timestamp>-<slug>/`` holding ``manifest.json``, one folder per stage and
``failures.jsonl``. A stage writes into ``<stage>.incomplete/`` and renames it when finished (the pattern of
datasets' ``incomplete_dir``), so a killed run never leaves a half-written stage that looks complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from synth.core.errors import MissingStageOutput, RunNotFound, UsageError
from synth.core.io import atomic_dir, read_json, read_jsonl, sha256_file, slugify, write_json, write_jsonl
from synth.core.records import Failure

MANIFEST = "manifest.json"
STAGE_FILE = "_stage.json"
FAILURES = "failures.jsonl"


def dir_digest(path: Path) -> str:
    """sha256 over a finished stage's output files (names and bytes), excluding its bookkeeping file."""
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.name != STAGE_FILE):
        h.update(file.relative_to(path).as_posix().encode())
        h.update(sha256_file(file).encode())
    return h.hexdigest()


class RunStore:
    """One run directory: its manifest, its stages' outputs and its failures."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # -- creating and finding runs -------------------------------------------------------------
    @classmethod
    def create(cls, runs_dir: Path, question: str, manifest: dict[str, Any]) -> RunStore:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}-{slugify(question)}"
        root = runs_dir / base
        n = 1
        while root.exists():
            n += 1
            root = runs_dir / f"{base}-{n}"
        root.mkdir(parents=True)
        store = cls(root)
        store.write_manifest({"id": root.name, "question": question, "created": _now(), "stages": {}, **manifest})
        return store

    @classmethod
    def open(cls, ref: str, runs_dir: Path | None = None) -> RunStore:
        """``ref`` is a run directory path, a run id under ``runs_dir``, or ``latest``.

        A path to a run directory is used as it is, without resolving any settings (``runs_dir`` defaults to the
        configured one only when needed), so a run copied to another machine opens even where synth's configured
        models or home are unavailable.
        """
        path = Path(ref).expanduser()
        if (path / MANIFEST).is_file():
            return cls(path.resolve())
        if runs_dir is None:
            from synth.core.settings import load_settings

            runs_dir = load_settings().runs_dir
        candidates = [path]
        if ref == "latest":
            runs = sorted(p for p in runs_dir.glob("*") if (p / MANIFEST).is_file()) if runs_dir.is_dir() else []
            if not runs:
                raise RunNotFound(f"no runs under {runs_dir}")
            candidates = [runs[-1]]
        elif "/" not in ref:
            candidates.append(runs_dir / ref)
        for candidate in candidates:
            if (candidate / MANIFEST).is_file():
                return cls(candidate.resolve())
        raise RunNotFound(f"no run '{ref}' (looked for {MANIFEST} in {', '.join(str(c) for c in candidates)})")

    # -- manifest --------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.root.name

    def manifest(self) -> dict[str, Any]:
        return read_json(self.root / MANIFEST)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json(self.root / MANIFEST, manifest)

    def update_manifest(self, **fields: Any) -> dict[str, Any]:
        manifest = self.manifest()
        manifest.update(fields)
        self.write_manifest(manifest)
        return manifest

    @property
    def question(self) -> str:
        return str(self.manifest()["question"])

    # -- stages ----------------------------------------------------------------------------------
    def stage_dir(self, name: str) -> Path:
        return self.root / name

    def stage_record(self, name: str) -> dict[str, Any] | None:
        path = self.stage_dir(name) / STAGE_FILE
        return read_json(path) if path.is_file() else None

    def is_current(self, name: str, stage_fingerprint: str) -> bool:
        record = self.stage_record(name)
        return record is not None and record.get("fingerprint") == stage_fingerprint

    def output(self, name: str, filename: str) -> Path:
        path = self.stage_dir(name) / filename
        if not (self.stage_dir(name) / STAGE_FILE).is_file() or not path.exists():
            raise MissingStageOutput(f"run {self.id} has no finished {name} stage ({filename} missing)")
        return path

    def writing_stage(self, name: str) -> AbstractContextManager[Path]:
        """Yield ``<stage>.incomplete/``; on success it replaces ``<stage>/`` in one rename."""
        return atomic_dir(self.stage_dir(name))

    # -- failures --------------------------------------------------------------------------------
    def failures(self) -> list[Failure]:
        path = self.root / FAILURES
        return read_jsonl(path, Failure) if path.is_file() else []

    def set_failures(self, stage: str, failures: list[Failure]) -> None:
        """Replace this stage's failures (a re-run stage reports its own failures afresh)."""
        kept = [f for f in self.failures() if f.stage != stage]
        write_jsonl(self.root / FAILURES, [*kept, *failures])


def list_runs(runs_dir: Path) -> list[dict[str, Any]]:
    if not runs_dir.is_dir():
        return []
    out = []
    for path in sorted(runs_dir.iterdir()):
        if (path / MANIFEST).is_file():
            try:
                out.append({"path": str(path), **read_json(path / MANIFEST)})
            except (OSError, json.JSONDecodeError):
                continue
    return out


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def require_question(question: str) -> str:
    cleaned = " ".join(question.split())
    if not cleaned:
        raise UsageError("the research question is empty", hint='Ask a question, e.g. synth run "Does X improve Y?"')
    if len(cleaned) < 3:
        raise UsageError(f"the research question '{cleaned}' is too short to search for")
    return cleaned
