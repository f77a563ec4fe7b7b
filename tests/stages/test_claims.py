"""The claims stage: ranking, merging of near-duplicates across papers, budgets, NoClaims failures, LLM errors."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from synth.core.errors import SynthError
from synth.core.io import read_jsonl, write_json, write_jsonl
from synth.core.records import Block, Claim, Failure, Paper, ParsedDoc, Sentence
from synth.core.settings import load_settings
from synth.core.store import STAGE_FILE, RunStore, dir_digest
from synth.core.ui import UI
from synth.pipeline import StageContext, run_stages
from synth.stages.claims import ClaimsStage
from tests.paths import FIXTURES

claims_stage = ClaimsStage()

QUESTION = "Does robust training improve zero-shot cross-lingual transfer?"


class BagOfWordsEmbedder:
    """Deterministic fake embedder: hashed bag of words, L2-normalised (near-identical texts → cosine ≈ 1)."""

    key = "fake-bow@1"
    dim = 256

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for w in re.findall(r"[a-z0-9]+", text.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


PAPERS = {
    "2104.08645v1": (
        "Improving Zero-Shot Cross-Lingual Transfer via Robust Training",
        [
            "We propose RobustXLT, a robust training method for zero-shot cross-lingual transfer.",
            "Robust training improves zero-shot cross-lingual transfer accuracy by 2.1 points on PAWS-X.",
            "Randomized smoothing outperforms adversarial training on XNLI for most languages.",
            "However, robust training fails to improve XNLI transfer to languages with a different script.",
            "We train all models for ten epochs.",
        ],
    ),
    "2005.00396v3": (
        "Identifying Elements Essential for BERT's Multilinguality",
        [
            "Robust training improves zero-shot cross-lingual transfer accuracy by 2.1 points on PAWS-X.",  # a duplicate claim
            "Shared position embeddings are essential for multilinguality in BERT.",
        ],
    ),
    "1111.2011v2": (
        "Quantum Criticality on a Bethe Lattice",
        [
            "Let g denote the coupling and N the number of nodes.",
            "Table 1 lists the parameters of the model.",
        ],
    ),
}


def make_run(tmp_path: Path, **claims_settings: object) -> StageContext:
    settings = load_settings(None, {"home": str(tmp_path / "home"), "claims": claims_settings})
    store = RunStore.create(settings.runs_dir, QUESTION, {"settings": settings.public_dict()})
    papers, docs, sentences = [], [], []
    for pid, (title, texts) in PAPERS.items():
        papers.append(Paper(id=pid, title=title, source="arxiv", authors=["A. Author", "B. Author", "C. Author"], year=2021))
        docs.append(
            ParsedDoc(
                paper_id=pid,
                sha256="0" * 64,
                n_pages=1,
                pages_read=1,
                blocks=[Block(page=1, section="Front matter", kind="prose", text=title, char_start=0)],
            )
        )
        pos = 100
        for i, text in enumerate(texts):
            sentences.append(
                Sentence(
                    id=f"{pid}#s{i}",
                    paper_id=pid,
                    page=2,
                    section="5 Results",
                    char_start=pos,
                    char_end=pos + len(text),
                    text=text,
                )
            )
            pos += len(text) + 1
    for name, filename, rows in (
        ("01_search", "papers.jsonl", papers),
        ("02_parse", "docs.jsonl", docs),
        ("03_chunk", "sentences.jsonl", sentences),
    ):
        with store.writing_stage(name) as out:
            write_jsonl(out / filename, rows)
            write_json(out / STAGE_FILE, {"stage": name, "output_digest": dir_digest(out)})
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
    ctx._embedder = BagOfWordsEmbedder()  # type: ignore[assignment]
    return ctx


def test_claims_are_ranked_typed_traceable_and_merged(tmp_path: Path) -> None:
    ctx = make_run(tmp_path, min_similarity=-1.0)  # the fake embedder's cosines say nothing about relevance
    (row,) = run_stages(ctx, [claims_stage])
    claims = read_jsonl(ctx.store.output("05_claims", "claims.jsonl"), Claim)
    assert row["counts"]["merged_duplicates"] == 1
    assert [c.relevance for c in claims] == sorted((c.relevance for c in claims), reverse=True)
    top = claims[0]
    assert (
        top.kind == "numeric"
        and top.text == "Robust training improves zero-shot cross-lingual transfer accuracy by 2.1 points on PAWS-X."
    )
    assert {s.paper_id for s in top.sources} == {"2104.08645v1", "2005.00396v3"}  # merged across papers, every source kept
    assert (top.numbers[0].dataset, top.numbers[0].direction) == ("PAWS-X", "increase")
    for c in claims:
        assert c.text.endswith(".") and c.extractor == "rules"
        src = c.sources[0]
        assert src.page == 2 and src.char_end - src.char_start == len(src.original)
        assert Claim.model_validate_json(c.model_dump_json()) == c  # round trip
    assert {c.kind for c in claims} >= {"numeric", "comparative", "limitation"}
    assert not any("ten epochs" in c.text for c in claims)


def test_paper_without_claims_is_a_NoClaims_failure(tmp_path: Path) -> None:
    ctx = make_run(tmp_path)
    run_stages(ctx, [claims_stage])
    failures = [f for f in ctx.store.failures() if f.stage == "claims"]
    assert failures == [
        Failure(
            stage="claims",
            item="1111.2011v2",
            error="NoClaims",
            message="1111.2011v2: no sentence qualifies as a checkable claim",
        )
    ]


def test_budgets(tmp_path: Path) -> None:
    ctx = make_run(tmp_path, max_claims=2, per_paper=1)
    run_stages(ctx, [claims_stage])
    claims = read_jsonl(ctx.store.output("05_claims", "claims.jsonl"), Claim)
    assert len(claims) == 2 and len({c.paper_id for c in claims}) == 2


def test_rerun_is_skipped_and_a_changed_budget_reruns(tmp_path: Path) -> None:
    ctx = make_run(tmp_path)
    assert run_stages(ctx, [claims_stage])[0]["status"] == "done"
    assert run_stages(ctx, [claims_stage])[0]["status"] == "reused"
    ctx2 = StageContext(
        settings=load_settings(None, {"home": str(tmp_path / "home"), "claims": {"max_claims": 3}}),
        store=ctx.store,
        ui=UI(quiet=True),
    )
    ctx2._embedder = BagOfWordsEmbedder()  # type: ignore[assignment]
    assert run_stages(ctx2, [claims_stage])[0]["status"] == "done"


def _fake_llm():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("llm_server", FIXTURES / "llm_server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FakeLLM()


def test_llm_extractor_through_the_stage(tmp_path: Path) -> None:
    with _fake_llm() as server:
        ctx = make_run(tmp_path, extractor="llm", llm_url=server.url, min_similarity=-1.0)
        (row,) = run_stages(ctx, [claims_stage])
    claims = read_jsonl(ctx.store.output("05_claims", "claims.jsonl"), Claim)
    assert claims and all(c.extractor == "llm" for c in claims)
    assert row["counts"]["rejected"]["not_grounded"] >= 1


def test_llm_server_error_stops_the_stage_with_a_clear_message(tmp_path: Path) -> None:
    with _fake_llm() as server:
        server.mode = "http500"
        ctx = make_run(tmp_path, extractor="llm", llm_url=server.url)
        with pytest.raises(SynthError, match="answered HTTP 500"):
            run_stages(ctx, [claims_stage])
    assert ctx.store.stage_record("05_claims") is None  # nothing half-written
