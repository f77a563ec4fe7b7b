"""The shared cache: embeddings by (model key, text hash), parsed documents by (parser key, PDF hash), FAISS indexes
by key; a second embed of the same texts computes nothing, and damaged entries are rebuilt, never trusted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synth.core.cache import Cache
from synth.core.records import Block, ParsedDoc
from tests.conftest import FakeEmbedder

TEXTS = ["Transfer works across languages.", "Swahili lags behind English.", "Transfer works across languages."]


def test_second_embed_is_a_cache_hit(tmp_path: Path) -> None:
    cache, fake = Cache(tmp_path), FakeEmbedder()
    first, computed = cache.embed(fake.key, TEXTS, fake.encode)
    assert computed == 2 and fake.calls == [2]  # the duplicate text is embedded once
    assert first.shape == (3, 64) and np.array_equal(first[0], first[2])
    again, computed = cache.embed(fake.key, TEXTS, fake.encode)
    assert computed == 0 and fake.calls == [2] and np.array_equal(first, again)
    assert np.array_equal(cache.cached_vectors(fake.key, TEXTS), first)  # type: ignore[arg-type]
    # one new text: only it is computed, rows stay in the caller's order
    mixed, computed = cache.embed(fake.key, ["A new sentence.", *TEXTS], fake.encode)
    assert computed == 1 and fake.calls == [2, 1] and np.array_equal(mixed[1:], first)


def test_embeddings_of_another_model_never_mix(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    a, b = FakeEmbedder(revision="a"), FakeEmbedder(dim=32, revision="b")
    cache.embed(a.key, TEXTS, a.encode)
    assert cache.cached_vectors(b.key, TEXTS) is None
    vectors, computed = cache.embed(b.key, TEXTS, b.encode)
    assert computed == 2 and vectors.shape == (3, 32)
    assert cache.cached_vectors(a.key, [*TEXTS, "unseen"]) is None  # partial hits do not count as cached


def test_parsed_documents_are_keyed_by_parser_and_pdf_hash(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    doc = ParsedDoc(paper_id="p", sha256="a" * 64, n_pages=1, pages_read=1,
                    blocks=[Block(page=1, section="Abstract", kind="prose", text="We test transfer.", char_start=0)])  # fmt: skip
    cache.put_parsed("v2-abc", doc)
    assert cache.get_parsed("v2-abc", "a" * 64) == doc
    assert cache.get_parsed("v3-abc", "a" * 64) is None  # a new parser version re-parses
    cache._parsed_path("v2-abc", "a" * 64).write_text("{not json")
    assert cache.get_parsed("v2-abc", "a" * 64) is None
    with pytest.raises(ValueError):
        cache.get_parsed("v2-abc", "../../etc/passwd")


def test_index_entries_round_trip_and_damage_is_detected(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = "b" * 64
    assert cache.get_index(key) is None
    cache.put_index(key, b"\x00faiss-bytes", {"model_key": "m@1", "kind": "flat"})
    data, meta = cache.get_index(key)  # type: ignore[misc]
    assert data == b"\x00faiss-bytes" and meta["model_key"] == "m@1" and meta["bytes"] == len(data)
    cache._index_paths(key)[0].write_bytes(b"\x00fai")  # truncated by a crash or a full disk
    assert cache.get_index(key) is None


@pytest.mark.slow
def test_real_minilm_embeddings_are_cached_and_refused_by_a_fake_index(tmp_path: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    from synth.core.errors import IndexMismatchError
    from synth.core.modelref import model_key
    from synth.core.records import Chunk
    from synth.retrieval.index import PassageIndex, build_index

    assert real_embedder.key == model_key("sentence-transformers/all-MiniLM-L6-v2")  # the index stage relies on it
    cache = Cache(tmp_path)
    first, computed = cache.embed(real_embedder.key, TEXTS, real_embedder.encode)
    assert computed == 2 and first.shape == (3, 384)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    again, computed = cache.embed(real_embedder.key, TEXTS, lambda _: pytest.fail("recomputed"))
    assert computed == 0 and np.array_equal(first, again)
    fake = FakeEmbedder()
    chunks = [Chunk(id=f"p#c{i}", paper_id="p", page_start=1, page_end=1, section="s", char_start=0, char_end=1,
                    sentence_ids=[], text=t) for i, t in enumerate(TEXTS)]  # fmt: skip
    index, kind = build_index(fake.encode(TEXTS), flat_max=10)
    passages = PassageIndex(index, chunks, {"model_key": fake.key, "dim": fake.dim, "kind": kind})
    with pytest.raises(IndexMismatchError):
        passages.check(real_embedder.key, real_embedder.dim)
    with pytest.raises(IndexMismatchError):
        passages.search(first[0], 2)


# -- integrity: every entry is checked against the digest recorded when it was written ---------------------------
def _warnings(cache: Cache) -> list[str]:
    seen: list[str] = []
    cache.warn = seen.append
    return seen


def test_random_bytes_inside_a_cached_faiss_index_are_never_loaded(tmp_path: Path) -> None:
    """Same length, different bytes: the size check alone would accept it; the sha256 does not."""
    from synth.retrieval.index import build_index, serialize_index

    cache = Cache(tmp_path)
    warned = _warnings(cache)
    key = "c" * 64
    data = serialize_index(build_index(FakeEmbedder().encode([f"text {i}" for i in range(40)]), flat_max=100)[0])
    cache.put_index(key, data, {"model_key": "fake@test", "kind": "flat"})
    assert cache.get_index(key) is not None and not warned
    path = cache._index_paths(key)[0]
    damaged = bytearray(path.read_bytes())
    damaged[100:1100] = np.random.default_rng(0).bytes(1000)
    path.write_bytes(bytes(damaged))
    assert len(damaged) == len(data)
    assert cache.get_index(key) is None
    assert len(warned) == 1 and str(path) in warned[0] and "recomputing" in warned[0]
    assert not path.exists() and not cache._index_paths(key)[1].exists()  # dropped, rebuilt by the caller


def test_garbage_embedding_blobs_are_dropped_and_recomputed(tmp_path: Path) -> None:
    import sqlite3

    cache, fake = Cache(tmp_path), FakeEmbedder()
    warned = _warnings(cache)
    first, _ = cache.embed(fake.key, TEXTS, fake.encode)
    with sqlite3.connect(cache.db_path) as con:
        con.execute("UPDATE embeddings SET vector = randomblob(length(vector))")
    assert cache.cached_vectors(fake.key, TEXTS) is None
    assert len(warned) == 1 and "dropped 2 damaged embedding(s)" in warned[0] and str(cache.db_path) in warned[0]
    again, computed = cache.embed(fake.key, TEXTS, fake.encode)
    assert computed == 2 and np.isfinite(again).all() and np.array_equal(again, first)


def test_non_finite_vectors_are_never_returned_even_with_a_matching_digest(tmp_path: Path) -> None:
    import sqlite3

    from synth.core.io import sha256_bytes

    cache, fake = Cache(tmp_path), FakeEmbedder()
    cache.embed(fake.key, TEXTS, fake.encode)
    blob = np.full(fake.dim, np.nan, dtype=np.float32).tobytes()
    with sqlite3.connect(cache.db_path) as con:
        con.execute("UPDATE embeddings SET vector = ?, digest = ?", (blob, sha256_bytes(blob)))
    vectors, computed = cache.embed(fake.key, TEXTS, fake.encode)
    assert computed == 2 and np.isfinite(vectors).all()
    # a model that returns NaN is not remembered
    bad, _ = cache.embed("nan-model@1", ["x"], lambda texts: np.full((len(texts), 4), np.nan, dtype=np.float32))
    assert cache.cached_vectors("nan-model@1", ["x"]) is None


def test_rows_from_before_digests_are_kept_only_when_plausible(tmp_path: Path) -> None:
    import sqlite3

    cache, fake = Cache(tmp_path), FakeEmbedder()
    first, _ = cache.embed(fake.key, TEXTS, fake.encode)
    with sqlite3.connect(cache.db_path) as con:
        con.execute("UPDATE embeddings SET digest = NULL")
    assert np.array_equal(cache.cached_vectors(fake.key, TEXTS), first)  # type: ignore[arg-type]
    with sqlite3.connect(cache.db_path) as con:
        assert con.execute("SELECT COUNT(*) FROM embeddings WHERE digest IS NULL").fetchone() == (0,)  # sealed now
        con.execute("UPDATE embeddings SET digest = NULL, vector = ?", (np.full(fake.dim, 3.0, np.float32).tobytes(),))
    assert cache.cached_vectors(fake.key, TEXTS) is None  # not unit length: not an embedding synth wrote


def test_a_damaged_embedding_database_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    cache, fake = Cache(tmp_path), FakeEmbedder()
    warned = _warnings(cache)
    cache.embed(fake.key, TEXTS, fake.encode)
    cache.db_path.write_bytes(b"this is not a database" * 100)
    vectors, computed = cache.embed(fake.key, TEXTS, fake.encode)
    assert computed == 2 and vectors.shape == (3, 64)
    assert len(warned) == 1 and "was damaged" in warned[0] and "moved aside" in warned[0]
    assert [p.name.startswith("embeddings.sqlite.damaged-") for p in tmp_path.glob("embeddings.sqlite.*")] == [True]
    assert cache.embed(fake.key, TEXTS, fake.encode)[1] == 0  # the rebuilt one works


def test_a_truncated_cached_stage_file_is_dropped(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    warned = _warnings(cache)
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    dest.mkdir()
    (src / "chunks.jsonl").write_text('{"a": 1}\n' * 50)
    key = "d" * 64
    cache.put_files("chunks", key, src, ["chunks.jsonl"], {"chunks": 50})
    assert cache.get_files("chunks", key, dest, ["chunks.jsonl"]) == {"chunks": 50}
    cached = cache._files_dir("chunks", key) / "chunks.jsonl"
    cached.write_bytes(cached.read_bytes()[:101])
    (dest / "chunks.jsonl").unlink()
    assert cache.get_files("chunks", key, dest, ["chunks.jsonl"]) is None
    assert len(warned) == 1 and "chunks.jsonl" in warned[0]
    assert not (dest / "chunks.jsonl").exists() and not cached.parent.exists()


def test_a_tampered_parsed_document_or_pdf_is_dropped(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    warned = _warnings(cache)
    doc = ParsedDoc(paper_id="p", sha256="a" * 64, n_pages=1, pages_read=1,
                    blocks=[Block(page=1, section="Abstract", kind="prose", text="We test transfer.", char_start=0)])  # fmt: skip
    cache.put_parsed("v2-abc", doc)
    path = cache._parsed_path("v2-abc", "a" * 64)
    path.write_bytes(path.read_bytes().replace(b"We test", b"We lost"))
    assert cache.get_parsed("v2-abc", "a" * 64) is None and len(warned) == 1 and not path.exists()
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4 one\n%%EOF\n")
    sha, cached = cache.add_pdf(pdf)
    assert cache.cached_pdf(sha) == cached
    cached.write_bytes(b"%PDF-1.4 two\n%%EOF\n")
    assert cache.cached_pdf(sha) is None and len(warned) == 2 and not cached.exists()
    assert cache.add_pdf(pdf) == (sha, cached) and cached.read_bytes() == pdf.read_bytes()  # copied afresh
