"""The parse stage around the parser: a partly readable PDF is kept and named as partial, a PDF replaced since the
search is a failure, parsed text carries no control characters, and every failure leaves the others parsed."""

from __future__ import annotations

from pathlib import Path

from synth.core.io import read_jsonl
from synth.core.records import Failure, ParsedDoc
from synth.core.settings import load_settings
from synth.core.store import RunStore
from synth.core.ui import UI
from synth.pipeline import StageContext, run_stages
from synth.stages import COMMANDS

SEARCH_PARSE = COMMANDS["search"] + COMMANDS["ingest"][:1]


def _run(source: Path) -> StageContext:
    settings = load_settings(overrides={"search": {"source": str(source)}})
    store = RunStore.create(settings.runs_dir, "Do multilingual word embeddings help?", {"settings": settings.public_dict()})
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
    run_stages(ctx, SEARCH_PARSE)
    return ctx


def test_a_truncated_pdf_given_an_eof_is_kept_and_named_as_partial(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    whole = (sample_corpus / "acl_semeval2021_task2_mcl_wic.pdf").read_bytes()
    (sample_corpus / "cut.pdf").write_bytes(whole[: int(len(whole) * 0.6)] + b"\n%%EOF\n")
    ctx = _run(sample_corpus)
    failures = read_jsonl(ctx.store.root / "failures.jsonl", Failure)
    (partial,) = [f for f in failures if f.error == "PartialPDF"]
    assert "cut.pdf was parsed only partly" in partial.message and "may be incomplete" in partial.message
    docs = read_jsonl(ctx.store.output("02_parse", "docs.jsonl"), ParsedDoc)
    assert len(docs) == 5  # the partial paper is kept, with its warning; the others are whole
    (doc,) = [d for d in docs if d.paper_id == partial.item]
    assert any("damaged PDF" in w for w in doc.warnings)
    assert all(not any("damaged PDF" in w for w in d.warnings) for d in docs if d is not doc)
    # the same file again (a new run, parsed document from the cache) is still named as partial
    again = _run(sample_corpus)
    assert [f for f in read_jsonl(again.store.root / "failures.jsonl", Failure) if f.error == "PartialPDF"]


def test_a_pdf_replaced_after_the_search_is_a_failure(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(overrides={"search": {"source": str(sample_corpus)}})
    store = RunStore.create(settings.runs_dir, "Do multilingual word embeddings help?", {"settings": settings.public_dict()})
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
    run_stages(ctx, COMMANDS["search"])
    target = sample_corpus / "acl_semeval2017_task2_multilingual_word_similarity.pdf"
    target.write_bytes(target.read_bytes() + b"\n% replaced\n")
    run_stages(ctx, COMMANDS["ingest"][:1])
    failures = read_jsonl(store.root / "failures.jsonl", Failure)
    (changed,) = [f for f in failures if f.error == "ChangedFile"]
    assert str(target) in changed.message and "changed since the search" in changed.message
    assert len(read_jsonl(store.output("02_parse", "docs.jsonl"), ParsedDoc)) == 3
