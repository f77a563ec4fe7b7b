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
