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
