"""Shared fixtures: an isolated SYNTH_HOME per test, deterministic fake models, the real small models once per session.

The fakes (in the style of llm's EmbedDemo) make pipeline and CLI tests fast and exact; the real models
(MiniLM from its PyPI package, synth's shipped verifier) are loaded once and used by the tests marked slow.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.paths import REPO, SAMPLE, SHARED, SHARED_PDFS  # noqa: F401 - re-exported for the tests

# property-based and fuzz tests: bounded so CI stays fast (each test sets its own max_examples where it costs more),
# no example database written into the checkout; HYPOTHESIS_PROFILE=thorough runs many more examples locally
# CI: the same examples every run (derandomize) and no per-example deadline (a loaded machine must not fail a test);
# exploring new examples is what HYPOTHESIS_PROFILE=thorough is for
hypothesis_settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile("thorough", max_examples=2000, deadline=None, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own SYNTH_HOME and no SYNTH_* settings leaking in from the developer's shell."""
    for key in list(os.environ):
        if key.startswith("SYNTH_"):
            monkeypatch.delenv(key)
    home = tmp_path / "synth-home"
    monkeypatch.setenv("SYNTH_HOME", str(home))
    monkeypatch.chdir(tmp_path)  # no stray synth.toml from the working directory
    return home


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@dataclass
class FakeEmbedder:
    """Hashed bag of words, normalised: texts sharing words are close, deterministic across runs."""

    dim: int = 64
    model_id: str = "fake-embedder"
    revision: str | None = "test"
    device: str = "cpu"
    calls: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.model_id}@{self.revision}"

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in _tokens(text):
                out[i, int(hashlib.md5(tok.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@dataclass
class FakeNLI:
    """Word-overlap NLI: entailment when the premise covers the hypothesis, contradiction when it also negates."""

    model_id: str = "fake-nli"
    revision: str | None = "test"
    device: str = "cpu"
    labels: tuple[str, ...] = ("entailment", "neutral", "contradiction")
    pairs_seen: int = 0
    max_tokens: int = 256
    languages: frozenset[str] | None = frozenset({"en"})

    def count_tokens(self, text: str) -> int:
        return len(_tokens(text))

    def predict_proba(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        self.pairs_seen += len(pairs)
        out = np.zeros((len(pairs), 3), dtype=np.float32)
        for i, (premise, hypothesis) in enumerate(pairs):
            p, h = set(_tokens(premise)), set(_tokens(hypothesis))
            cover = len(p & h) / max(1, len(h))
            negated = bool({"not", "no", "never", "fails"} & (p - h))
            if cover > 0.7 and negated:
                out[i] = (0.05, 0.1, 0.85)
            elif cover > 0.7:
                out[i] = (0.85, 0.1, 0.05)
            else:
                out[i] = (0.1, 0.8, 0.1)
        return out


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeEmbedder, FakeNLI]:
    """Route synth's model loaders to the fakes (the loaders are looked up at call time by the pipeline)."""
    import synth.retrieval.embedding
    import synth.verification.nli

    embedder, nli = FakeEmbedder(), FakeNLI()
    # the fake embedder's cosines say nothing about relevance: no claim is cut for being off the question
    monkeypatch.setenv("SYNTH_CLAIMS__MIN_SIMILARITY", "-1")
    monkeypatch.setattr(synth.retrieval.embedding, "load_embedder", lambda *a, **k: embedder)
    monkeypatch.setattr(synth.retrieval.embedding, "prepare_onnx", lambda *a, **k: None)  # no export for a fake
    monkeypatch.setattr(synth.verification.nli, "load_nli", lambda *a, **k: nli)
    monkeypatch.setattr(synth.verification.nli, "prepare_onnx", lambda *a, **k: None)  # no export for a fake
    return embedder, nli


@pytest.fixture
def sample_corpus(tmp_path: Path) -> Path:
    """A writable copy of the shipped sample corpus (tests add bad files to it)."""
    dest = tmp_path / "corpus"
    shutil.copytree(SAMPLE, dest)
    for p in dest.iterdir():
        p.chmod(0o644)
    return dest


@pytest.fixture(scope="session")
def real_embedder():
    from synth.retrieval.embedding import load_embedder

    return load_embedder("sentence-transformers/all-MiniLM-L6-v2", "cpu")
