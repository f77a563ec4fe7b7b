"""The command line as a user meets it: clear one-line errors with hints and exit codes, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth import __version__
from synth.cli import app

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused(question: str, sample_corpus: Path) -> None:
    result = invoke("run", question, "--source", str(sample_corpus))
    assert result.exit_code == 2
    assert "Error: the research question is empty" in result.output and "Hint:" in result.output
    assert "Traceback" not in result.output


def test_missing_source_folder(tmp_path: Path) -> None:
    result = invoke("run", "Does X help?", "--source", str(tmp_path / "nowhere"))
    assert result.exit_code == 3
    assert "does not exist" in result.output and "nowhere" in result.output


def test_folder_without_pdfs(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = invoke("run", "Does X help?", "--source", str(tmp_path))
    assert result.exit_code == 3 and "no PDF files" in result.output


def test_unloadable_embedding_model_names_it(sample_corpus: Path) -> None:
    result = invoke("run", "Does X help?", "--source", str(sample_corpus), "--embedding-model", "/nonexistent/model")
    assert result.exit_code == 5
    assert "/nonexistent/model" in result.output and "Hint:" in result.output and "Traceback" not in result.output


def test_unloadable_nli_model_names_it(sample_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import synth.retrieval.embedding
    from tests.conftest import FakeEmbedder

    monkeypatch.setattr(synth.retrieval.embedding, "load_embedder", lambda *a, **k: FakeEmbedder())
    monkeypatch.setattr(synth.retrieval.embedding, "prepare_onnx", lambda *a, **k: None)  # no export for a fake
    result = invoke("run", "Do multilingual embeddings help?", "--source", str(sample_corpus), "--nli-model", "/missing/nli")
    assert result.exit_code == 5 and "/missing/nli" in result.output


def test_unknown_run_is_a_usage_error() -> None:
    result = invoke("verify", "no-such-run")
    assert result.exit_code == 2 and "no run 'no-such-run'" in result.output


def test_stage_command_before_its_input_exists(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    result = invoke("search", "Do multilingual embeddings help?", "--source", str(sample_corpus), "--json")
    assert result.exit_code == 0
    run_path = json.loads(result.stdout)["path"]
    result = invoke("verify", run_path)
    assert result.exit_code == 7 and "Hint:" in result.output


def test_runs_lists_past_runs_as_json(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    invoke("search", "Do multilingual embeddings help?", "--source", str(sample_corpus))
    rows = json.loads(invoke("runs", "--json").stdout)
    assert [r["question"] for r in rows] == ["Do multilingual embeddings help?"]


def test_unexpected_error_is_one_line_with_log(sample_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.stages.search import SearchStage

    def boom(*args: object) -> None:
        raise ValueError("something odd")

    monkeypatch.setattr(SearchStage, "run", boom)
    result = invoke("run", "Does X help?", "--source", str(sample_corpus))
    assert result.exit_code == 1
    assert "unexpected ValueError: something odd" in result.output and "errors.log" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(ValueError):
        runner.invoke(app, ["--debug", "run", "Does X help?", "--source", str(sample_corpus)], catch_exceptions=False)
