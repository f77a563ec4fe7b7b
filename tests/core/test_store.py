"""Run store: fingerprints, atomic writes, stage directories, run lookup, ledger schema."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from synth.core.errors import MissingStageOutput, RunNotFound
from synth.core.io import atomic_write_text, canonical_json, fingerprint
from synth.core.ledger import Ledger
from synth.core.settings import load_settings
from synth.core.store import RunStore


def test_fingerprint_is_stable_and_key_order_free() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})


def test_fingerprint_changes_with_every_setting() -> None:
    base = load_settings()
    reference = fingerprint(base)
    changed = [
        {"search": {"max_papers": base.search.max_papers + 1}},
        {"chunk": {"max_tokens": base.chunk.max_tokens + 1}},
        {"chunk": {"overlap_sentences": base.chunk.overlap_sentences + 1}},
        {"verify": {"top_k": base.verify.top_k + 1}},
        {"nli_model": "another/model"},
        {"claims": {"extractor": "llm"}},
    ]
    prints = {fingerprint(load_settings(overrides=o)) for o in changed}
    assert reference not in prints and len(prints) == len(changed)
    assert fingerprint(load_settings()) == reference  # and it is stable


def test_unserialisable_values_raise_instead_of_guessing() -> None:
    with pytest.raises(TypeError):
        canonical_json({"x": object()})
    assert canonical_json({"d": dt.date(2024, 1, 2)}) == '{"d":"2024-01-02"}'


def test_atomic_write_leaves_old_content_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    atomic_write_text(target, "old")
    import os

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temp file left behind


def test_stage_directory_appears_only_when_complete(tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "runs", "Does it work?", {})
    with pytest.raises(RuntimeError), store.writing_stage("02_parse") as out:
        (out / "docs.jsonl").write_text("partial")
        raise RuntimeError("killed")
    assert not store.stage_dir("02_parse").exists()
    with pytest.raises(MissingStageOutput, match="02_parse"):
        store.output("02_parse", "docs.jsonl")
    with store.writing_stage("02_parse") as out:
        (out / "docs.jsonl").write_text("whole")
    assert store.stage_dir("02_parse").joinpath("docs.jsonl").read_text() == "whole"
    assert not store.stage_dir("02_parse").with_name("02_parse.incomplete").exists()


def test_open_run_by_path_id_and_latest(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    first = RunStore.create(runs, "first question", {})
    second = RunStore.create(runs, "first question", {})
    assert first.id != second.id and first.id.split("-")[0].isdigit()
    assert RunStore.open(str(first.root), runs).id == first.id
    assert RunStore.open(first.id, runs).id == first.id
    assert RunStore.open("latest", runs).id == max(first.id, second.id)
    with pytest.raises(RunNotFound):
        RunStore.open("nope", runs)


def test_ledger_migrations_give_expected_columns(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.db")
    ledger.record_run("r1", "q", "2026-01-01T00:00:00", tmp_path)
    ledger.record_run("r1", "q", "2026-01-01T00:00:00", tmp_path)  # idempotent, and migrations run once
    db = sqlite3.connect(tmp_path / "ledger.db")
    columns = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in ("runs", "stages")}
    assert columns["runs"] == ["id", "question", "created", "path"]
    assert columns["stages"] == [
        "run_id",
        "stage",
        "version",
        "fingerprint",
        "status",
        "started",
        "duration_s",
        "counts",
        "models",
    ]
    assert [r[0] for r in db.execute("SELECT name FROM _migrations")] == ["m001_runs", "m002_stages", "m003_stage_models"]


def test_a_damaged_ledger_is_moved_aside_and_started_anew(tmp_path: Path) -> None:
    warned: list[str] = []
    path = tmp_path / "ledger.db"
    Ledger(path).record_run("r1", "q", "2026-01-01T00:00:00", tmp_path)
    path.write_bytes(b"garbage, not SQLite" * 50)
    ledger = Ledger(path, warn=warned.append)
    ledger.record_run("r2", "q", "2026-01-01T00:00:00", tmp_path)
    assert len(warned) == 1 and "was damaged" in warned[0] and "moved aside" in warned[0] and str(path) in warned[0]
    assert [r[0] for r in sqlite3.connect(path).execute("SELECT id FROM runs")] == ["r2"]
    assert len(list(tmp_path.glob("ledger.db.damaged-*"))) == 1
    ledger.record_stage("r2", {"stage": "01_search", "version": "1", "fingerprint": "f", "status": "done",
                               "started": "t", "duration_s": 0.0})  # fmt: skip
    assert len(warned) == 1  # healed once, fine afterwards


def test_latest_skips_failed_runs_and_runs_without_the_needed_stage(tmp_path: Path) -> None:
    from synth.core.store import STAGE_FILE

    runs = tmp_path / "runs"
    good = RunStore.create(runs, "first question", {})
    (good.stage_dir("05_claims")).mkdir()
    (good.stage_dir("05_claims") / STAGE_FILE).write_text("{}")
    failed = RunStore.create(runs, "second question", {})
    failed.update_manifest(status="failed", error="arXiv cannot be reached")
    searched = RunStore.create(runs, "third question", {})
    assert RunStore.open("latest", runs).id == searched.id
    assert RunStore.open("latest", runs, needs=("05_claims",)).id == good.id
    good.update_manifest(status="failed")
    with pytest.raises(RunNotFound, match="no usable run with a finished 05_claims stage"):
        RunStore.open("latest", runs, needs=("05_claims",))
    assert failed.id != searched.id


def test_a_run_is_held_by_one_process_at_a_time(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from synth.core.errors import RunBusy
    from synth.core.store import remove_run

    store = RunStore.create(tmp_path / "runs", "a question", {})
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom filelock import FileLock\nwith FileLock(sys.argv[1]):\n"
         "    print('held', flush=True)\n    time.sleep(30)\n", str(store.root / ".lock")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(RunBusy, match=f"run {store.id} is in use by another synth process"):
            with store.lock():
                pass
        with pytest.raises(RunBusy):
            remove_run(store)
        assert time.monotonic() - t0 < 5 and store.root.is_dir()
    finally:
        holder.kill()
        holder.wait()
    remove_run(store)
    assert not store.root.exists()


def test_a_stage_edited_after_it_finished_is_named(tmp_path: Path) -> None:
    from synth.core.errors import CorruptFileError
    from synth.core.io import write_json
    from synth.core.store import STAGE_FILE, dir_digest, file_digests

    store = RunStore.create(tmp_path / "runs", "a question", {})
    with store.writing_stage("05_claims") as out:
        (out / "claims.jsonl").write_text('{"id": "C001"}\n')
        write_json(out / STAGE_FILE, {"output_digest": dir_digest(out), "files": file_digests(out)})
    assert store.damage("05_claims") is None and store.verified_record("05_claims")
    claims = store.stage_dir("05_claims") / "claims.jsonl"
    claims.write_text('{"id": "C002"}\n')
    assert store.damage("05_claims") == f"{claims} was changed after the stage finished (sha256 differs)"
    with pytest.raises(CorruptFileError, match="claims.jsonl was changed"):
        store.verified_record("05_claims")
    claims.unlink()
    assert store.damage("05_claims") == f"{claims} is missing"
