"""End to end with the real CLI, real PDFs and the real small models (MiniLM embeddings, synth's shipped verifier)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.core.io import read_jsonl
from synth.core.records import Claim, Verdict

pytestmark = pytest.mark.slow
QUESTION = "How well do multilingual encoders transfer across languages without parallel data?"


def test_run_on_sample_corpus_then_table_on_moved_run(
    sample_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["run", QUESTION, "--source", str(sample_corpus), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    run = Path(summary["path"])
    report = run / "08_report" / "report.md"
    assert report.is_file() and summary["report"] == str(report)
    text = report.read_text()
    for heading in ("Abstract", "Introduction", "Method", "Results", "Limitations", "Claims", "References"):
        assert heading in text, heading

    claims = read_jsonl(run / "05_claims" / "claims.jsonl", Claim)
    verdicts = {v.claim_id: v for v in read_jsonl(run / "06_verify" / "verdicts.jsonl", Verdict)}
    assert len(claims) >= 5 and set(verdicts) == {c.id for c in claims}
    for claim in claims:
        assert claim.text.rstrip("\"')").endswith((".", "!", "?")), claim.text
        verdict = verdicts[claim.id]
        assert 0.0 <= verdict.confidence <= 1.0
        own = {s.paper_id for s in claim.sources}
        assert verdict.evidence or verdict.reason  # no passage is said, with why (e.g. a claim longer than the window)
        assert all(e.paper_id not in own for e in verdict.evidence)
        if verdict.label != "not_enough_evidence":
            assert verdict.confidence >= (verdict.operating_point or 0.0)  # nothing printed below the operating point
        assert verdict.model_id == "synth/nli-minilm-l6"
    assert "logistic regression" in next(iter(verdicts.values())).calibration  # the shipped aggregator

    # a second question over the same PDFs re-parses and re-embeds nothing
    result = runner.invoke(
        app,
        ["run", "Do multi-sense word embeddings benefit from multilingual context?", "--source", str(sample_corpus), "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    stages = {row["stage"]: row for row in json.loads(result.stdout)["stages"]}
    assert stages["02_parse"]["counts"]["parsed"] == 0 and stages["02_parse"]["counts"]["from_cache"] == 4
    assert stages["04_index"]["counts"]["embedded"] == 0

    # the claims table works from the files alone: copied elsewhere, with no model loadable
    moved = tmp_path / "elsewhere" / run.name
    shutil.copytree(run, moved)
    monkeypatch.setenv("SYNTH_NLI_MODEL", "/nonexistent")
    monkeypatch.setenv("SYNTH_EMBEDDING_MODEL", "/nonexistent")
    result = runner.invoke(app, ["table", str(moved), "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == len(claims) + 1
