"""The stage runner: real PDFs through every stage up to verification with fake models; resume and caching."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.core.io import read_jsonl
from synth.core.records import Claim, Failure, Verdict
from synth.core.settings import load_settings
from synth.core.store import RunStore
from synth.core.ui import UI
from synth.pipeline import StageContext, run_stages
from synth.stages import COMMANDS, STAGES
from synth.stages.index import IndexStage

UP_TO_VERIFY = STAGES[:6]


def _context(question: str, source: Path, **overrides: object) -> StageContext:
    settings = load_settings(overrides={"search": {"source": str(source)}, **overrides})
    store = RunStore.create(settings.runs_dir, question, {"settings": settings.public_dict()})
    return StageContext(settings=settings, store=store, ui=UI(quiet=True))


def test_local_corpus_through_verification(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    ctx = _context("How well do multilingual encoders transfer across languages?", sample_corpus)
    rows = run_stages(ctx, UP_TO_VERIFY)
    assert [r["status"] for r in rows] == ["done"] * 6
    claims = read_jsonl(ctx.store.output("05_claims", "claims.jsonl"), Claim)
    verdicts = read_jsonl(ctx.store.output("06_verify", "verdicts.jsonl"), Verdict)
    assert claims and len(verdicts) == len(claims)
    for claim, verdict in zip(claims, verdicts, strict=True):
        assert claim.text.rstrip("\"')").endswith((".", "!", "?"))
        own = {s.paper_id for s in claim.sources}
        assert all(e.paper_id not in own for e in verdict.evidence)  # a paper never verifies itself
    manifest = ctx.store.manifest()
    assert set(manifest["stages"]) == {s.name for s in UP_TO_VERIFY}


def test_resume_skips_finished_stages_and_redoes_nothing(sample_corpus: Path, fake_models, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    embedder, _ = fake_models
    ctx = _context("Do multilingual word embeddings help?", sample_corpus)
    original = IndexStage.run

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # the user pressed Ctrl-C in the middle of indexing

    monkeypatch.setattr(IndexStage, "run", killed)
    with pytest.raises(KeyboardInterrupt):
        run_stages(ctx, UP_TO_VERIFY)
    assert ctx.store.stage_record("03_chunk") is not None and ctx.store.stage_record("04_index") is None
    parse_record = ctx.store.stage_record("02_parse")

    monkeypatch.setattr(IndexStage, "run", original)
    rows = run_stages(ctx, UP_TO_VERIFY)
    assert [r["status"] for r in rows] == ["reused", "reused", "reused", "done", "done", "done"]
    assert ctx.store.stage_record("02_parse") == parse_record  # untouched, not rewritten
    again = run_stages(ctx, UP_TO_VERIFY)
    assert {r["status"] for r in again} == {"reused"}


def test_changed_setting_reruns_that_stage_and_downstream_only(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    ctx = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(ctx, UP_TO_VERIFY)
    changed = StageContext(
        settings=load_settings(overrides={"search": {"source": str(sample_corpus)}, "verify": {"top_k": 2}}),
        store=ctx.store,
        ui=ctx.ui,
    )
    rows = run_stages(changed, UP_TO_VERIFY)
    assert [r["status"] for r in rows] == ["reused"] * 5 + ["done"]


def test_second_question_reuses_parse_and_embeddings(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    first = _context("Do multilingual word embeddings help?", sample_corpus)
    run_stages(first, COMMANDS["search"] + COMMANDS["ingest"])
    second = _context("Is word-in-context disambiguation hard across languages?", sample_corpus)
    rows = {r["stage"]: r for r in run_stages(second, COMMANDS["search"] + COMMANDS["ingest"])}
    assert rows["02_parse"]["counts"]["parsed"] == 0 and rows["02_parse"]["counts"]["from_cache"] == 4
    assert rows["04_index"]["counts"]["embedded"] == 0 and rows["04_index"]["counts"]["from_cache"] > 0


def test_bad_pdfs_are_skipped_and_recorded(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    import pymupdf

    (sample_corpus / "empty.pdf").write_bytes(b"")
    good = (sample_corpus / "acl_repl4nlp2017_beyond_bilingual_multisense.pdf").read_bytes()
    (sample_corpus / "truncated.pdf").write_bytes(good[: len(good) // 3])
    (sample_corpus / "page.pdf").write_bytes(b"<!DOCTYPE html><html><body>Not found</body></html>")
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret text " * 40)
    doc.save(sample_corpus / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    ctx = _context("Do multilingual word embeddings help?", sample_corpus)
    rows = run_stages(ctx, UP_TO_VERIFY)
    assert all(r["status"] == "done" for r in rows)
    failures = {Path(f.item).name if "/" in f.item else f.item: f for f in read_jsonl(ctx.store.root / "failures.jsonl", Failure)}
    messages = " ".join(f.message for f in failures.values())
    assert "empty.pdf" in failures
    for name, word in (("truncated.pdf", "truncated"), ("page.pdf", "HTML"), ("locked.pdf", "encrypted")):
        assert name.split(".")[0] in messages or word.lower() in messages.lower(), name
    assert "encrypted" in messages.lower() and "html" in messages.lower()
    assert rows[1]["counts"]["parsed"] == 4  # the good papers all made it
