"""The run directory (the product's memory) and the cache shared across runs.

A run is ``<home>/runs/<timestamp>-<slug>/`` holding ``manifest.json``, one folder per stage and
``failures.jsonl``. A stage writes into ``<stage>.incomplete/`` and renames it when finished (the pattern of
datasets' ``incomplete_dir``), so a killed run never leaves a half-written stage that looks complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from synth.core.errors import CorruptFileError, MissingStageOutput, RunBusy, RunNotFound, UsageError
from synth.core.io import atomic_dir, read_json, read_jsonl, sha256_file, slugify, write_json, write_jsonl
from synth.core.records import Failure
from synth.core.text import sanitize

MANIFEST = "manifest.json"
STAGE_FILE = "_stage.json"
FAILURES = "failures.jsonl"
LOCK_FILE = ".lock"
FAILED = "failed"  # manifest "status" of a run whose last command stopped on an error

# sha256 of files already checked in this process, by (path, size, mtime): a stage's outputs are hashed once
_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """sha256 of ``path``, remembered while its size and modification time stay the same."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = sha256_file(path)
    return _DIGESTS[key]


def _output_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and p.name != STAGE_FILE)


def file_digests(path: Path) -> dict[str, str]:
    """sha256 of each output file of a stage folder, by relative path (its bookkeeping file excluded)."""
    return {f.relative_to(path).as_posix(): file_digest(f) for f in _output_files(path)}


def dir_digest(path: Path) -> str:
    """sha256 over a finished stage's output files (names and bytes), excluding its bookkeeping file."""
    h = hashlib.sha256()
    for name, digest in sorted(file_digests(path).items()):
        h.update(name.encode())
        h.update(digest.encode())
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
        runs_dir.mkdir(parents=True, exist_ok=True)
        root, n = runs_dir / base, 1
        while True:  # mkdir is the claim: two processes starting the same second never share a run directory
            try:
                root.mkdir()
                break
            except FileExistsError:
                n += 1
                root = runs_dir / f"{base}-{n}"
        store = cls(root)
        store.write_manifest({"id": root.name, "question": question, "created": _now(), "stages": {}, **manifest})
        return store

    @classmethod
    def open(cls, ref: str, runs_dir: Path | None = None, needs: Sequence[str] = ()) -> RunStore:
        """``ref`` is a run directory path, a run id under ``runs_dir``, or ``latest``: the newest run that did not
        fail and has finished the stages in ``needs``.

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
            candidates = [latest_run(runs_dir, needs)]
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
        if not path.is_file():
            return None
        record = read_json(path)
        if not isinstance(record, dict):
            raise CorruptFileError(f"{path}: not a stage record")
        return record

    def is_current(self, name: str, stage_fingerprint: str) -> bool:
        record = self.stage_record(name)
        return record is not None and record.get("fingerprint") == stage_fingerprint

    def damage(self, name: str) -> str | None:
        """What no longer matches the digests stage ``name`` recorded when it finished (None when intact, or not run).

        A file edited, truncated, added or removed after the stage wrote it is named, so a resumed run redoes the
        stage instead of trusting it, and a command that only reads it refuses with the file's name.
        """
        record = self.stage_record(name)
        if record is None:
            return None
        folder = self.stage_dir(name)
        now = file_digests(folder)
        files = record.get("files")
        if isinstance(files, dict):
            for rel in sorted(set(files) | set(now)):
                if rel not in now:
                    return f"{folder / rel} is missing"
                if rel not in files:
                    return f"{folder / rel} was added after the stage finished"
                if now[rel] != files[rel]:
                    return f"{folder / rel} was changed after the stage finished (sha256 differs)"
            return None
        if record.get("output_digest") != dir_digest(folder):
            return f"the files in {folder} were changed after the stage finished (sha256 differs)"
        return None

    def verified_record(self, name: str) -> dict[str, Any] | None:
        """The stage's record, after checking its outputs still match it; damaged outputs raise CorruptFileError."""
        record = self.stage_record(name)
        if record is not None:
            problem = self.damage(name)
            if problem:
                raise CorruptFileError(
                    f"run {self.id}: {problem}",
                    hint=f"Redo it with `synth run --resume {self.root}` (only damaged stages and what follows are redone).",
                )
        return record

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold this run for one process: a second synth process on the same run gets RunBusy at once, not a race."""
        path = self.root / LOCK_FILE
        try:
            with FileLock(str(path), timeout=0):
                yield
        except Timeout:
            raise RunBusy(f"run {self.id} is in use by another synth process (lock {path})") from None

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
    """Every run under ``runs_dir`` (oldest first) as its manifest plus ``path``; unreadable manifests are skipped."""
    if not runs_dir.is_dir():
        return []
    out = []
    for path in sorted(runs_dir.iterdir()):
        if (path / MANIFEST).is_file():
            try:
                manifest = read_json(path / MANIFEST)
            except (OSError, ValueError):
                continue
            if isinstance(manifest, dict):
                out.append({**manifest, "path": str(path)})
    return out


def latest_run(runs_dir: Path, needs: Sequence[str] = ()) -> Path:
    """The newest run that did not fail and has finished every stage in ``needs``."""
    runs = list_runs(runs_dir)
    if not runs:
        raise RunNotFound(f"no runs under {runs_dir}")
    for run in reversed(runs):
        path = Path(run["path"])
        if run.get("status") != FAILED and all((path / name / STAGE_FILE).is_file() for name in needs):
            return path
    what = f" with a finished {', '.join(needs)} stage" if needs else ""
    raise RunNotFound(f"no usable run{what} under {runs_dir} (the newest ones failed; see `synth runs`)")


def remove_run(store: RunStore) -> None:
    """Delete a run directory (under its lock, so a run in use is never pulled from under its process)."""
    with store.lock():
        if not (store.root / MANIFEST).is_file():
            raise RunNotFound(f"{store.root} is not a run directory ({MANIFEST} missing)")
        staging = store.root.with_name(f".{store.root.name}.removing")
        store.root.rename(staging)  # one rename: the run disappears whole, even if the deletion is interrupted
    shutil.rmtree(staging)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def require_question(question: str) -> str:
    """The question as it will be searched and shown: control characters and escape sequences removed, one line."""
    cleaned = sanitize(question, keep_newlines=False)
    if not cleaned:
        raise UsageError("the research question is empty", hint='Ask a question, e.g. synth run "Does X improve Y?"')
    if len(cleaned) < 3:
        raise UsageError(f"the research question '{cleaned}' is too short to search for")
    return cleaned
