"""The verify stage: evidence only from other papers, re-ranked windows, and no verdict without evidence."""

from __future__ import annotations

import shutil
from pathlib import Path

from synth.core.io import read_jsonl
from synth.core.records import Verdict
from synth.core.settings import load_settings
from synth.core.store import RunStore
from synth.core.ui import UI
from synth.pipeline import StageContext, run_stages
from synth.stages import STAGES


def _run(source: Path, **overrides: object) -> StageContext:
    # the fake embedder's cosines say nothing about relevance: no claim is cut for being off the question
    settings = load_settings(overrides={"search": {"source": str(source)}, "claims": {"min_similarity": -1.0}, **overrides})
    store = RunStore.create(settings.runs_dir, "Do multilingual word embeddings help?", {})
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
    run_stages(ctx, STAGES[:6])
    return ctx


def test_single_paper_corpus_has_no_evidence_and_no_support(sample_corpus: Path, tmp_path: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(sample_corpus / "acl_repl4nlp2017_beyond_bilingual_multisense.pdf", alone)
    ctx = _run(alone)
    verdicts = read_jsonl(ctx.store.output("06_verify", "verdicts.jsonl"), Verdict)
    assert verdicts, "claims were extracted"
    for v in verdicts:
        assert v.label == "not_enough_evidence" and v.evidence == []  # its own paper is never evidence
        assert v.stated_by == 1


def test_nli_sees_at_most_the_budgeted_windows(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    ctx = _run(sample_corpus, verify={"windows_per_claim": 3, "top_k": 4})
    verdicts = read_jsonl(ctx.store.output("06_verify", "verdicts.jsonl"), Verdict)
    pairs = (ctx.store.stage_record("06_verify") or {})["counts"]["pairs"]  # the claims stage's rewrite checks not counted
    assert 0 < pairs <= 3 * len(verdicts)
    for v in verdicts:
        assert len(v.evidence) <= 3
        # re-rank score: 2·cos − hub + 0.3·overlap, so within [-3, 3.3]
        assert all(-3.0 <= e.retrieval_score <= 3.3 for e in v.evidence)


def test_without_calibration_the_confidence_says_so(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    ctx = _run(sample_corpus, nli_model="fake/uncalibrated")
    verdicts = read_jsonl(ctx.store.output("06_verify", "verdicts.jsonl"), Verdict)
    assert verdicts and all(v.calibration.startswith("uncalibrated") for v in verdicts)
    assert all(v.confidence == v.raw_score for v in verdicts)
