"""synth.retrieval.embedding: the three backends of the default embedder, batches planned once, progress per batch."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest

from synth.core.modelref import resolve_model
from synth.retrieval.embedding import load_embedder
from tests.paths import SAMPLE

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    from synth.ingest.chunking import chunks_of, sentences_of
    from synth.ingest.pdf import parse_pdf

    pdf = sorted(SAMPLE.glob("*.pdf"))[0]
    sentences = sentences_of(parse_pdf(pdf, "p", "0" * 64), 200)
    chunks = [c.text for c in chunks_of(sentences, 200, 1)]
    return chunks[:40] + [s.text for s in sentences[:40]] + ["  Naïve café ", "x" * 3000]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.mark.slow
def test_onnx_backends_reproduce_the_sentence_transformers_vectors(real_embedder, texts, onnx_cache) -> None:
    fp32 = load_embedder(MINILM, "cpu", inference="onnx", cache_dir=onnx_cache)
    int8 = load_embedder(MINILM, "cpu", inference="onnx-int8", cache_dir=onnx_cache)
    ref = real_embedder.encode(texts)
    assert ((fp32.encode(texts) * ref).sum(1) > 0.9999).all()
    cos = (int8.encode(texts) * ref).sum(1)[:-1]  # the last "text" is 3,000 x's: a tokenizer test, not prose
    assert cos.min() >= 0.99 and cos.mean() >= 0.995, (cos.min(), cos.mean())  # the recipe's promise, per text
    assert np.allclose(np.linalg.norm(int8.encode(texts), axis=1), 1, atol=1e-5)
    assert {real_embedder.key, fp32.key, int8.key} == {
        real_embedder.key,
        real_embedder.key + "+onnx",
        real_embedder.key + "+onnx-int8",
    }
    assert fp32.dim == int8.dim == real_embedder.dim == 384


@pytest.mark.slow
def test_the_tokenizer_json_gives_the_hugging_face_ids(texts, onnx_cache) -> None:
    from transformers import AutoTokenizer

    encoder = load_embedder(MINILM, "cpu", inference="onnx", cache_dir=onnx_cache)._model
    reference = AutoTokenizer.from_pretrained(resolve_model(MINILM))
    for text in texts:
        want = reference(text.strip(), truncation=True, max_length=encoder.info["max_length"])["input_ids"]
        assert encoder.tokenizer.encode(text.strip()).ids == want


@pytest.mark.slow
def test_progress_per_batch_and_a_runner_gets_the_planned_batches(texts, onnx_cache) -> None:
    embedder = load_embedder(MINILM, "cpu", batch_size=16, inference="onnx-int8", cache_dir=onnx_cache)
    batches = embedder.plan(texts)
    lengths = embedder._model.lengths(texts)
    assert [len(b) for b in batches] == [16] * (len(texts) // 16) + ([len(texts) % 16] if len(texts) % 16 else [])
    assert all(lengths[a[-1]] >= lengths[b[0]] for a, b in zip(batches, batches[1:], strict=False))  # longest first
    local = embedder.encode(texts)
    steps: list[int] = []

    @contextlib.contextmanager
    def meter(description, total):  # type: ignore[no-untyped-def]
        assert total == len(texts)
        yield steps.append

    embedder.meter = meter
    seen: list[list[str]] = []

    def runner(groups, advance):  # type: ignore[no-untyped-def]
        seen.extend(groups)
        out = [embedder.encode_batch(g) for g in groups]
        for g in groups:
            advance(len(g))
        return out

    embedder.runner = runner
    np.testing.assert_array_equal(embedder.encode(texts), local)
    assert seen == [[texts[i] for i in b] for b in batches]
    assert steps == [len(b) for b in batches]
    given: list[int] = []
    embedder.encode(texts, advance=given.append)  # the caller's meter instead of the model's
    assert given == [len(b) for b in batches]
