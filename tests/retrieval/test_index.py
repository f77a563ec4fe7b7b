"""The passage index: flat below ``index.flat_max``, HNSW above (and the choice recorded), persistence beside the
chunks, refusal to mix models or dimensions, and an index over already-seen chunks loaded from the shared cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synth.core.errors import IndexMismatchError
from synth.core.io import write_jsonl
from synth.core.records import Chunk
from synth.retrieval.index import PassageIndex, build_index, deserialize_index, index_kind, serialize_index


def _vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _chunks(n: int) -> list[Chunk]:
    return [
        Chunk(id=f"p{i % 3}#c{i}", paper_id=f"p{i % 3}", page_start=1, page_end=1, section="1 Intro",
              char_start=0, char_end=5, sentence_ids=[f"p{i % 3}#s{i}"], text=f"chunk {i}")
        for i in range(n)
    ]  # fmt: skip


def test_flat_up_to_flat_max_then_hnsw() -> None:
    import faiss

    vecs = _vectors(10)
    flat, kind = build_index(vecs, flat_max=10)
    assert kind == "flat" and isinstance(flat, faiss.IndexFlatIP) and flat.ntotal == 10
    hnsw, kind = build_index(vecs, flat_max=9)
    assert kind.startswith("hnsw(M=") and isinstance(hnsw, faiss.IndexHNSWFlat) and hnsw.metric_type == faiss.METRIC_INNER_PRODUCT
    assert index_kind(10, 9) == kind and index_kind(9, 9) == "flat"
    for index in (flat, hnsw):  # inner product on normalised vectors: each vector's nearest neighbour is itself
        scores, ids = index.search(vecs[:3], 1)
        assert ids[:, 0].tolist() == [0, 1, 2] and np.allclose(scores[:, 0], 1.0, atol=1e-5)
    empty, kind = build_index(np.zeros((0, 16), dtype=np.float32), flat_max=10)
    assert kind == "flat" and empty.d == 16 and empty.ntotal == 0


def test_save_load_search_and_exclude(tmp_path: Path) -> None:
    chunks = _chunks(10)
    vecs = _vectors(10)
    write_jsonl(tmp_path / "chunks.jsonl", chunks)
    index, kind = build_index(vecs, flat_max=100)
    PassageIndex.save(tmp_path, index, chunks, {"model_key": "fake@1", "dim": 16, "kind": kind, "n": 10})
    loaded = PassageIndex.load(tmp_path, tmp_path / "chunks.jsonl")
    hits = loaded.search(vecs[4], k=3)
    assert hits[0].chunk.id == "p1#c4" and hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.chunk.paper_id != "p1" for h in loaded.search(vecs[4], k=5, exclude_papers={"p1"}))
    assert len(loaded.search(vecs[4], k=50)) == 10


def test_index_mismatch_is_refused(tmp_path: Path) -> None:
    chunks = _chunks(10)
    write_jsonl(tmp_path / "chunks.jsonl", chunks)
    index, kind = build_index(_vectors(10), flat_max=100)
    PassageIndex.save(tmp_path, index, chunks, {"model_key": "fake@1", "dim": 16, "kind": kind, "n": 10})
    loaded = PassageIndex.load(tmp_path, tmp_path / "chunks.jsonl")
    loaded.check("fake@1", 16)
    with pytest.raises(IndexMismatchError, match="built with fake@1"):
        loaded.check("other-model@2", 16)
    with pytest.raises(IndexMismatchError, match="dim 16"):
        loaded.check("fake@1", 384)
    with pytest.raises(IndexMismatchError, match="dimension 384"):
        loaded.search(_vectors(1, dim=384)[0], k=3)
    write_jsonl(tmp_path / "chunks.jsonl", chunks[:5])  # the chunks changed under the index
    with pytest.raises(IndexMismatchError, match="absent"):
        PassageIndex.load(tmp_path, tmp_path / "chunks.jsonl")
    with pytest.raises(IndexMismatchError):
        PassageIndex(index, chunks[:4], {"model_key": "fake@1", "dim": 16})


def test_serialised_index_round_trips() -> None:
    vecs = _vectors(50)
    for flat_max in (100, 10):
        index, _ = build_index(vecs, flat_max=flat_max)
        again = deserialize_index(serialize_index(index))
        assert again.ntotal == 50 and again.d == 16
        assert again.search(vecs[:5], 3)[1].tolist() == index.search(vecs[:5], 3)[1].tolist()


def _ingest(corpus: Path, **overrides: object):  # type: ignore[no-untyped-def]
    from synth.core.settings import load_settings
    from synth.core.store import RunStore
    from synth.core.ui import UI
    from synth.pipeline import StageContext, run_stages
    from synth.stages import COMMANDS, STAGES

    settings = load_settings(overrides={"search": {"source": str(corpus)}, "embedding_model": "fake-embedder", **overrides})
    store = RunStore.create(settings.runs_dir, "Do multilingual encoders transfer?", {"settings": settings.public_dict()})
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
    rows = run_stages(ctx, [STAGES[0], *COMMANDS["ingest"]])
    return ctx, {r["stage"]: r for r in rows}


@pytest.fixture
def fake_hub_embedder(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The conftest fake, named so its key equals ``model_key("fake-embedder")`` (as a real model's does)."""
    import synth.retrieval.embedding
    from tests.conftest import FakeEmbedder

    embedder = FakeEmbedder(model_id="fake-embedder", revision="hub")
    loads: list[str] = []

    def load(*args, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(str(args[0]) if args else "")
        return embedder

    monkeypatch.setattr(synth.retrieval.embedding, "load_embedder", load)
    return embedder, loads


def test_index_stage_records_its_choice_and_reuses_the_cached_index(sample_corpus: Path, fake_hub_embedder) -> None:  # type: ignore[no-untyped-def]
    embedder, _ = fake_hub_embedder
    ctx, rows = _ingest(sample_corpus)
    counts = rows["04_index"]["counts"]
    assert counts["index"] == "flat" and counts["embedded"] == counts["chunks"] > 0 and counts["index_from_cache"] is False
    assert ctx.store.manifest()["stages"]["04_index"]["counts"]["index"] == "flat"  # the choice is in the manifest
    meta = PassageIndex.load(ctx.store.stage_dir("04_index"), ctx.store.output("03_chunk", "chunks.jsonl")).meta
    assert meta["kind"] == "flat" and meta["model_key"] == embedder.key and meta["dim"] == 64

    calls_before = len(embedder.calls)
    ctx2, rows2 = _ingest(sample_corpus)  # a new run over the same papers
    counts2 = rows2["04_index"]["counts"]
    assert rows2["02_parse"]["counts"]["from_cache"] == rows["02_parse"]["counts"]["parsed"]
    assert counts2["index_from_cache"] is True and counts2["embedded"] == 0
    assert rows2["03_chunk"]["counts"]["from_cache"] is True  # sentences and chunks copied, not re-split
    index_calls = len(embedder.calls) - calls_before
    assert index_calls <= 1  # at most the search stage's ranking call; the index stage embedded nothing
    loaded = PassageIndex.load(ctx2.store.stage_dir("04_index"), ctx2.store.output("03_chunk", "chunks.jsonl"))
    query = embedder.encode(["cross-lingual transfer of multilingual encoders"])[0]
    assert loaded.search(query, 3)

    _, rows3 = _ingest(sample_corpus, index={"flat_max": 5})  # a corpus above flat_max gets HNSW, and says so
    assert rows3["04_index"]["counts"]["index"].startswith("hnsw(") and rows3["04_index"]["counts"]["embedded"] == 0


def _clustered(n: int, dim: int = 64, centres: int = 300, seed: int = 0) -> np.ndarray:
    """Normalised vectors around a few centres on the sphere (real embeddings cluster by topic; uniform noise does not)."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, dim)).astype(np.float32)
    v = c[rng.integers(0, centres, n)] / np.sqrt(dim) + 0.06 * rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_tier_is_chosen_by_size() -> None:
    from synth.core.settings import IndexSettings
    from synth.retrieval.index import IVFPQ_MIN, IVFPQ_MIN_TRAIN, IVFPQ_NPROBE, ivfpq_nlist, search_params

    assert IndexSettings().ivfpq_min == IVFPQ_MIN  # the setting's default is the one the docstring measured
    assert index_kind(100_000, 100_000) == "flat"
    assert index_kind(100_001, 100_000).startswith("hnsw(")
    assert index_kind(IVFPQ_MIN - 1, 100_000).startswith("hnsw(")
    big = index_kind(IVFPQ_MIN, 100_000)
    assert big.startswith(f"ivfpq(IVF{ivfpq_nlist(IVFPQ_MIN)},") and f"nprobe={IVFPQ_NPROBE}" in big
    assert index_kind(10**7, 100_000, ivfpq_min=10**8).startswith("hnsw(")  # the threshold is a setting
    assert index_kind(5_000, 10_000, ivfpq_min=1_000) == "flat"  # flat_max wins
    assert index_kind(IVFPQ_MIN_TRAIN - 1, 0, ivfpq_min=0).startswith("hnsw(")  # too few vectors to train
    assert search_params(big) == {"nprobe": IVFPQ_NPROBE, "k_factor": search_params(big)["k_factor"]}
    assert search_params("flat") == {} and "ef_search" in search_params(index_kind(100_001, 100_000))
    assert [ivfpq_nlist(n) for n in (3_000, 100_000, 1_000_000, 10_000_000)] == [32, 1024, 2048, 8192]


def test_ivfpq_finds_the_exact_neighbours_and_keeps_nprobe(tmp_path: Path) -> None:
    import faiss

    from synth.retrieval.build import _meta

    vecs, queries = np.split(_clustered(3_200), [3_000])  # queries from the same mixture, not in the index
    index, kind = build_index(vecs, flat_max=100, ivfpq_min=2_000)
    assert kind.startswith("ivfpq(IVF32,") and index.ntotal == 3_000 and index.metric_type == faiss.METRIC_INNER_PRODUCT
    exact = faiss.IndexFlatIP(64)
    exact.add(vecs)
    _, truth = exact.search(queries, 10)
    _, found = index.search(queries, 10)
    assert np.mean(found[:, 0] == truth[:, 0]) >= 0.9  # the exact top-1 for most queries
    assert np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)]) >= 0.8  # recall@10
    again, _ = build_index(vecs, flat_max=100, ivfpq_min=2_000)  # seeded: a rebuild is the same index
    assert again.search(queries, 10)[1].tolist() == found.tolist()

    chunks = _chunks(3_000)
    write_jsonl(tmp_path / "chunks.jsonl", chunks)
    meta = _meta("fake@1", 64, kind, 3_000)
    assert meta["nprobe"] > 1 and meta["k_factor"] > 1
    faiss.extract_index_ivf(index).nprobe = 1  # as a FAISS file from elsewhere might hold it: the metadata wins
    PassageIndex.save(tmp_path, index, chunks, meta)
    loaded = PassageIndex.load(tmp_path, tmp_path / "chunks.jsonl")
    assert faiss.extract_index_ivf(loaded.index).nprobe == meta["nprobe"] and loaded.index.k_factor == meta["k_factor"]
    assert [h.chunk.id for h in loaded.search(queries[0], 10)] == [chunks[i].id for i in found[0]]
    hits = loaded.search(vecs[7], k=5, exclude_papers={"p1"})
    assert len(hits) == 5 and all(h.chunk.paper_id != "p1" for h in hits)
    with pytest.raises(IndexMismatchError, match="built with fake@1"):
        loaded.check("other-model@2", 64)
    with pytest.raises(IndexMismatchError, match="dim 64"):
        loaded.check("fake@1", 384)
    with pytest.raises(IndexMismatchError, match="dimension 384"):
        loaded.search(_vectors(1, dim=384)[0], k=3)
    assert deserialize_index(serialize_index(loaded.index)).search(queries[:5], 3)[1].tolist() == found[:5, :3].tolist()


def test_older_saved_indexes_still_load(tmp_path: Path) -> None:
    """Runs saved before IVF-PQ existed: flat with no search parameters, HNSW with ``ef_search`` only."""
    chunks = _chunks(50)
    write_jsonl(tmp_path / "chunks.jsonl", chunks)
    vecs = _vectors(50)
    for flat_max, extra in ((100, {}), (10, {"ef_search": 77})):
        index, kind = build_index(vecs, flat_max=flat_max)
        PassageIndex.save(tmp_path, index, chunks, {"model_key": "fake@1", "dim": 16, "kind": kind, "n": 50, **extra})
        loaded = PassageIndex.load(tmp_path, tmp_path / "chunks.jsonl")
        assert loaded.search(vecs[3], 1)[0].chunk.id == chunks[3].id
        if extra:
            assert loaded.index.hnsw.efSearch == 77
