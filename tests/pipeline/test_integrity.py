"""Damaged caches and edited run files never change a result: each is found by its digest, named in one warning
line, dropped and recomputed (or, for a command that may not redo it, refused with the file's name)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from synth.core.errors import SourceError
from synth.core.settings import load_settings
from synth.core.store import RunStore
from synth.core.ui import UI
from synth.pipeline import StageContext, run_stages
from synth.stages import COMMANDS, STAGES

INGEST = COMMANDS["search"] + COMMANDS["ingest"]
UP_TO_VERIFY = STAGES[:6]


class RecordingUI(UI):
    """A quiet UI that keeps the warning lines."""

    def __init__(self) -> None:
        super().__init__(quiet=True)
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def _context(question: str, source: Path, **overrides: object) -> StageContext:
    settings = load_settings(overrides={"search": {"source": str(source)}, **overrides})
    store = RunStore.create(settings.runs_dir, question, {"settings": settings.public_dict()})
    return StageContext(settings=settings, store=store, ui=RecordingUI())


def _status(rows: list[dict]) -> dict[str, str]:  # type: ignore[type-arg]
    return {r["stage"]: r["status"] for r in rows}


def _warnings(ctx: StageContext) -> list[str]:
    assert isinstance(ctx.ui, RecordingUI)
    return ctx.ui.warnings


def test_a_truncated_index_of_a_finished_run_is_redone_not_reused(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    ctx = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(ctx, UP_TO_VERIFY)
    index = ctx.store.stage_dir("04_index") / "index.faiss"
    index.write_bytes(index.read_bytes()[:100])
    rows = run_stages(ctx, UP_TO_VERIFY)
    assert _status(rows)["04_index"] == "done"
    assert {s for n, s in _status(rows).items() if n != "04_index"} == {"reused"}  # rebuilt the same: nothing else
    (warning,) = _warnings(ctx)
    assert warning.startswith("04_index: ") and str(index) in warning and "redoing the stage" in warning
    from synth.retrieval.index import PassageIndex

    PassageIndex.load(ctx.store.stage_dir("04_index"), ctx.store.output("03_chunk", "chunks.jsonl"))  # loads again


def test_tampered_claims_make_report_refuse_and_resume_redo_them(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    from synth.cli import app

    ctx = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(ctx, STAGES)
    claims = ctx.store.stage_dir("05_claims") / "claims.jsonl"
    original = claims.read_text()
    claims.write_text(original.replace('"kind":"', '"kind":"', 1).replace("embeddings", "EMBEDDINGS", 1))
    assert claims.read_text() != original
    result = CliRunner().invoke(app, ["report", str(ctx.store.root)], catch_exceptions=False)
    assert result.exit_code == 9, result.output
    assert f"{claims} was changed after the stage finished" in result.output and "reused" not in result.output
    rows = run_stages(ctx, STAGES)
    assert _status(rows)["05_claims"] == "done" and claims.read_text() == original  # redone, as it was


def test_random_bytes_in_a_cached_index_are_not_loaded_by_the_next_run(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    embedder, _ = fake_models
    embedder.revision = "hub"  # the fake's key is then what settings name (fake-embedder@hub): the index cache hits
    first = _context("Do multilingual word embeddings help?", sample_corpus, embedding_model="fake-embedder")
    run_stages(first, INGEST)
    again = _context("Do cross-lingual embeddings help?", sample_corpus, embedding_model="fake-embedder")
    assert {r["stage"]: r for r in run_stages(again, INGEST)}["04_index"]["counts"]["index_from_cache"] is True
    (cached,) = (first.settings.cache_dir / "indexes").rglob("*.faiss")
    data = bytearray(cached.read_bytes())
    n = min(65536, len(data) // 2)
    data[len(data) // 4 : len(data) // 4 + n] = np.random.default_rng(1).bytes(n)
    cached.write_bytes(bytes(data))  # same length, different bytes
    second = _context("Is word sense disambiguation hard across languages?", sample_corpus, embedding_model="fake-embedder")
    rows = {r["stage"]: r for r in run_stages(second, INGEST)}
    assert rows["04_index"]["counts"]["index_from_cache"] is False
    assert [w for w in _warnings(second) if str(cached) in w and "damaged cache entry" in w], _warnings(second)


def test_garbage_embedding_blobs_never_make_an_index_of_nan_vectors(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    import faiss

    first = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(first, INGEST)
    cache = first.settings.cache_dir
    with sqlite3.connect(cache / "embeddings.sqlite") as con:
        con.execute("UPDATE embeddings SET vector = randomblob(length(vector))")
    for path in (cache / "indexes").rglob("*"):
        if path.is_file():
            path.unlink()  # so the index is built from the cached vectors
    second = _context("Is word sense disambiguation hard across languages?", sample_corpus)
    rows = {r["stage"]: r for r in run_stages(second, INGEST)}
    index = faiss.read_index(str(second.store.stage_dir("04_index") / "index.faiss"))
    vectors = index.reconstruct_n(0, index.ntotal)
    assert index.ntotal > 100 and np.isfinite(vectors).all()
    assert rows["04_index"]["counts"]["embedded"] == index.ntotal  # every damaged vector recomputed
    assert [w for w in _warnings(second) if "embeddings.sqlite" in w and "damaged embedding" in w]


def test_a_truncated_cached_chunks_file_heals(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    first = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(first, INGEST)
    (cached,) = (first.settings.cache_dir / "stages" / "chunks").rglob("chunks.jsonl")
    cached.write_bytes(cached.read_bytes()[:1000])
    for question in ("Is word sense disambiguation hard across languages?", "Can semantic parsers be bootstrapped?"):
        later = _context(question, sample_corpus)
        rows = {r["stage"]: r for r in run_stages(later, INGEST)}  # never fails, and the second run uses the fresh entry
        assert all(r["status"] == "done" for r in rows.values())
    assert rows["03_chunk"]["counts"]["from_cache"] is True


def test_a_damaged_embedding_database_and_ledger_heal(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    first = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(first, INGEST)
    home = first.settings.home
    (home / "cache" / "embeddings.sqlite").write_bytes(b"\x00garbage" * 4096)
    (home / "ledger.db").write_bytes(b"\x00garbage" * 4096)
    for path in (home / "cache" / "indexes").rglob("*"):
        if path.is_file():
            path.unlink()
    second = _context("Is word sense disambiguation hard across languages?", sample_corpus)
    assert {r["status"] for r in run_stages(second, INGEST)} == {"done"}
    warned = " | ".join(_warnings(second))
    assert "embeddings.sqlite was damaged" in warned and "ledger.db was damaged" in warned
    assert len(list((home / "cache").glob("embeddings.sqlite.damaged-*"))) == 1
    assert len(list(home.glob("ledger.db.damaged-*"))) == 1


def test_a_failed_run_is_marked_and_never_latest(sample_corpus: Path, fake_models, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from synth.stages.search import SearchStage

    good = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(good, INGEST)

    def unreachable(*args: object) -> None:
        raise SourceError("arXiv cannot be reached at export.arxiv.org")

    monkeypatch.setattr(SearchStage, "run", unreachable)
    bad = _context("Is word sense disambiguation hard across languages?", sample_corpus)
    with pytest.raises(SourceError):
        run_stages(bad, INGEST)
    manifest = bad.store.manifest()
    assert manifest["status"] == "failed" and "cannot be reached" in manifest["error"]
    assert good.store.manifest()["status"] == "ok"
    assert RunStore.open("latest", good.settings.runs_dir).id == good.store.id
