"""The synthesis stage over the sample corpus with the fake models: the answer section is pinned by a golden file,
an off-topic question yields no finding and a low score, and claims.jsonl keeps every extracted claim."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from synth.core.io import read_jsonl
from synth.core.records import Claim, Synthesis
from synth.core.settings import load_settings
from synth.core.store import RunStore
from synth.core.ui import UI
from synth.pipeline import StageContext, run_stages
from synth.stages import STAGES
from tests.paths import TESTS

ON_TOPIC = "How well do cross-lingual systems perform on multilingual word similarity and word-in-context disambiguation?"
OFF_TOPIC = "Does intermittent fasting improve insulin sensitivity in adults?"
GOLDEN_ANSWER = TESTS / "golden" / "answer_sample.md"
# the fake embedder's hashed bag of words (64 dimensions, stop words included) gives every text some similarity: over
# the sample it puts the off-topic question at most 0.37 from a paper and the on-topic one up to 0.44; facets count
# only where a claim names them
FAKE_SETTINGS = {"paper_threshold": 0.4, "claim_threshold": 0.3, "facet_threshold": 0.2, "claim_facet_threshold": 0.6}


def _run(source: Path, question: str) -> StageContext:
    settings = load_settings(overrides={"search": {"source": str(source)}, "synthesis": FAKE_SETTINGS})
    store = RunStore.create(settings.runs_dir, question, {})
    ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
    run_stages(ctx, STAGES)
    return ctx


def _answer_section(report_md: str) -> str:
    start = report_md.index("## 1 Answer")
    return report_md[start : report_md.index("## 2 Introduction")]


@pytest.fixture(scope="module")
def on_topic(tmp_path_factory: pytest.TempPathFactory) -> StageContext:
    from tests.conftest import SAMPLE

    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("home")
    mp.setenv("SYNTH_HOME", str(home))
    import synth.retrieval.embedding
    import synth.verification.nli
    from tests.conftest import FakeEmbedder, FakeNLI

    embedder, nli = FakeEmbedder(), FakeNLI()
    mp.setattr(synth.retrieval.embedding, "load_embedder", lambda *a, **k: embedder)
    mp.setattr(synth.retrieval.embedding, "prepare_onnx", lambda *a, **k: None)  # no export for a fake
    mp.setattr(synth.verification.nli, "load_nli", lambda *a, **k: nli)
    mp.setattr(synth.verification.nli, "prepare_onnx", lambda *a, **k: None)  # no export for a fake
    try:
        yield _run(SAMPLE, ON_TOPIC)
    finally:
        mp.undo()


def test_golden_answer_section(on_topic: StageContext) -> None:
    """Pins the answer on the sample; regenerate with UPDATE_GOLDEN=1 after a deliberate change."""
    text = _answer_section((on_topic.store.root / "08_report" / "report.md").read_text(encoding="utf-8"))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN_ANSWER.write_text(text, encoding="utf-8")
    assert text == GOLDEN_ANSWER.read_text(encoding="utf-8")


def test_every_answer_sentence_traces_to_a_claim_a_passage_and_a_reference(on_topic: StageContext) -> None:
    root = on_topic.store.root
    report = json.loads((root / "08_report" / "report.json").read_text(encoding="utf-8"))
    claims = {c.id: c for c in read_jsonl(root / "05_claims" / "claims.jsonl", Claim)}
    references = next(s for s in report["sections"] if s["kind"] == "references")["references"]
    assert report["answer"], "the on-topic question gets an answer"
    for part in report["answer"]:
        assert set(part) >= {"facet", "sentences"}
        for sentence in part["sentences"]:
            assert set(sentence) >= {"text", "claims", "references"}
            assert all(1 <= n <= len(references) for n in sentence["references"])
            if sentence["status"] in ("supported", "refuted", "not_verified"):
                [cid] = sentence["claims"]
                claim = claims[cid]
                assert sentence["text"] == claim.text  # extractive: the finding's own words
                assert claim.sources[0].original  # the passage it was read from, with page and span
                assert references[sentence["references"][0] - 1]["id"] == claim.paper_id
    assert [set(row) >= {"facet", "addressed", "papers", "claims"} for row in report["coverage"]]


def test_synthesis_json_keeps_every_score(on_topic: StageContext) -> None:
    root = on_topic.store.root
    synthesis = Synthesis.model_validate_json((root / "07_synthesis" / "synthesis.json").read_text(encoding="utf-8"))
    papers = read_jsonl(root / "01_search" / "papers.jsonl", __import__("synth.core.records", fromlist=["Paper"]).Paper)
    assert {p.paper_id for p in synthesis.papers} == {p.id for p in papers}
    assert [c.claim_id for c in synthesis.claims] == [c.id for c in read_jsonl(root / "05_claims" / "claims.jsonl", Claim)]
    assert synthesis.paper_threshold == FAKE_SETTINGS["paper_threshold"]
    record = on_topic.store.stage_record("07_synthesis") or {}
    assert record["counts"]["findings"] == sum(c.finding for c in synthesis.claims)


def test_an_off_topic_question_presents_no_finding_and_scores_low(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    ctx = _run(sample_corpus, OFF_TOPIC)
    root = ctx.store.root
    assert read_jsonl(root / "05_claims" / "claims.jsonl", Claim), "claims.jsonl keeps what was extracted"
    synthesis = Synthesis.model_validate_json((root / "07_synthesis" / "synthesis.json").read_text(encoding="utf-8"))
    assert not synthesis.on_topic and not any(c.finding for c in synthesis.claims) and synthesis.answer == []
    md = (root / "08_report" / "report.md").read_text(encoding="utf-8")
    opening = md.split("## Abstract")[0]
    assert "do not address the question" in opening  # the report opens by saying so
    assert "| C0" not in md  # no claim presented as a finding
    report = json.loads((root / "08_report" / "report.json").read_text(encoding="utf-8"))
    quality = next(s for s in report["sections"] if s["kind"] == "results")["quality"]
    assert quality["overall"] <= 3.0 and quality["cap_reason"] == "no paper bears on the question"


def test_the_llm_writer_keeps_only_entailed_sentences_and_the_report_counts_the_rest(
    sample_corpus: Path, fake_models, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """With ``synthesis.writer = "llm"``, every kept sentence passed the run's verifier against its passages."""
    import synth.synthesis.writer

    def fake_chat_client(settings, timeout_s: float = 120.0):  # type: ignore[no-untyped-def]
        def chat(messages: list[dict[str, str]]) -> str:
            ids = [line.split("]")[0].lstrip("[") for line in messages[-1]["content"].splitlines() if line.startswith("[C")]
            first = next(line for line in messages[-1]["content"].splitlines() if line.startswith("[C"))
            text = first.split(") ", 1)[1]  # the finding's own words: entailed by its source sentence
            return json.dumps(
                {"sentences": [{"text": text, "claims": ids[:1]}, {"text": "Nothing like this was said.", "claims": ids[:1]}]}
            )

        return chat

    monkeypatch.setattr(synth.synthesis.writer, "chat_client", fake_chat_client)
    settings = load_settings(
        overrides={"search": {"source": str(sample_corpus)}, "synthesis": {**FAKE_SETTINGS, "writer": "llm"}}
    )
    store = RunStore.create(settings.runs_dir, ON_TOPIC, {})
    run_stages(StageContext(settings=settings, store=store, ui=UI(quiet=True)), STAGES)
    synthesis = Synthesis.model_validate_json((store.root / "07_synthesis" / "synthesis.json").read_text(encoding="utf-8"))
    assert synthesis.writer == "llm" and synthesis.answer
    assert synthesis.dropped_sentences >= 1  # the invented sentence never survives
    kept = [s for p in synthesis.answer for s in p.sentences if s.entailment is not None]
    assert kept and all(s.entailment >= 0.5 for s in kept)  # type: ignore[operator]
    md = (store.root / "08_report" / "report.md").read_text(encoding="utf-8")
    assert "Nothing like this was said" not in md and "the verifier did not find them entailed" in md
