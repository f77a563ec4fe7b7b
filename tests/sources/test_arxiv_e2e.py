"""End to end: the real `synth` CLI with `--source arxiv` against the local arXiv-compatible server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.arxiv_server import ArxivTestServer, free_port
from tests.conftest_arxiv import TEST_INTERVAL_S, arxiv_server_fixture  # noqa: F401 - fixture

ZERO_QUESTION = "Which superconducting qubits decohere fastest under cosmic rays?"
QUESTION = "Do multilingual word embeddings capture cross-lingual semantic similarity?"
TARGET = "1708.00103v1"  # SemEval-2017 Task 2 (multilingual word similarity), under the test server's id


def _env(monkeypatch: pytest.MonkeyPatch, home: Path, api: str, pdf: str) -> None:
    monkeypatch.setenv("SYNTH_HOME", str(home))
    monkeypatch.setenv("SYNTH_SEARCH__ARXIV_API_URL", api)
    monkeypatch.setenv("SYNTH_SEARCH__ARXIV_PDF_URL", pdf)
    monkeypatch.setenv("SYNTH_SEARCH__REQUEST_INTERVAL_S", str(TEST_INTERVAL_S))
    monkeypatch.setenv("SYNTH_SEARCH__TIMEOUT_S", "5")


def _app():  # type: ignore[no-untyped-def]
    from synth.cli import app

    return app


def _run_dir(home: Path) -> Path:
    (run,) = [p for p in (home / "runs").iterdir() if (p / "manifest.json").is_file()]
    return run


def _check_search(run: Path, server: ArxivTestServer, kept: int) -> dict:  # type: ignore[type-arg]
    manifest = json.loads((run / "manifest.json").read_text())
    plan = manifest["search_plan"]
    assert plan == json.loads((run / "01_search" / "plan.json").read_text())
    assert plan["source"] == "arxiv" and plan["location"] == server.api_url
    sent = [r.query["search_query"][0] for r in server.requests if r.route == "api"]
    assert [q["query"] for q in plan["queries"]] == sent and sent
    assert plan["arxiv"]["ranked_by"].startswith("embedding similarity")
    papers = [json.loads(line) for line in (run / "01_search" / "papers.jsonl").read_text().splitlines()]
    assert 1 <= len(papers) <= kept
    sims = [p["similarity"] for p in papers]
    assert sims == sorted(sims, reverse=True)
    assert TARGET in [p["id"] for p in papers]
    for p in papers:
        assert Path(p["pdf_path"]).read_bytes()[:5] == b"%PDF-" and manifest["corpus"][p["id"]] == p["sha256"]
    times = server.times()
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= TEST_INTERVAL_S
    return plan


@pytest.mark.slow
def test_synth_run_against_local_arxiv(arxiv_server: ArxivTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Retrieve, rank (real MiniLM), download, ingest, verify and report; one paper fails to download and is named.

    The NLI model is the deterministic fake: verification is not what this test is about, and the ranking by the
    real embedding model is.
    """
    import synth.verification.nli
    from tests.conftest import FakeNLI

    monkeypatch.setattr(synth.verification.nli, "load_nli", lambda *a, **k: FakeNLI())
    monkeypatch.setattr(synth.verification.nli, "prepare_onnx", lambda *a, **k: None)  # no export for a fake
    home = tmp_path / "home"
    _env(monkeypatch, home, arxiv_server.api_url, arxiv_server.pdf_url)
    arxiv_server.pdf_faults["1708.00102v1"] = "html"  # found and ranked, but its download returns a web page
    result = CliRunner().invoke(
        _app(), ["run", QUESTION, "--source", "arxiv", "--max-papers", "4", "--max-claims", "6"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    run = _run_dir(home)
    plan = _check_search(run, arxiv_server, kept=4)
    failures = [json.loads(line) for line in (run / "failures.jsonl").read_text().splitlines()]
    if "1708.00102v1" in [c["id"] for c in plan["arxiv"]["ranking"][:4]]:
        assert any(f["item"] == "1708.00102v1" and f["stage"] == "search" for f in failures)
    manifest = json.loads((run / "manifest.json").read_text())
    assert all(s["status"] == "done" for s in manifest["stages"].values()), manifest["stages"]
    report = next((run / "08_report").glob("*.md")).read_text()
    assert plan["queries"][0]["query"] in report  # the method section states the queries sent
    for f in failures:
        assert f["item"] in report  # failed downloads are named in the report
    # a second question over the same papers downloads nothing again
    seen = len(arxiv_server.requests)
    again = CliRunner().invoke(_app(), ["search", QUESTION, "--max-papers", "4"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    new_pdf = [r for r in arxiv_server.requests[seen:] if r.route == "pdf"]
    assert all(r.fault == "html" for r in new_pdf), [
        r.path for r in new_pdf
    ]  # only the paper that never arrived is asked for again


def test_synth_search_and_ingest_with_fake_models(
    arxiv_server: ArxivTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_models: tuple
) -> None:
    home = tmp_path / "home"
    _env(monkeypatch, home, arxiv_server.api_url, arxiv_server.pdf_url)
    app = _app()
    result = CliRunner().invoke(app, ["search", QUESTION, "--max-papers", "3"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    run = _run_dir(home)
    _check_search(run, arxiv_server, kept=3)
    result = CliRunner().invoke(app, ["ingest", str(run)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (run / "04_index").is_dir()


def test_unreachable_arxiv_is_one_error_line_and_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    _env(monkeypatch, tmp_path / "home", f"http://127.0.0.1:{port}/api/query", f"http://127.0.0.1:{port}/pdf/")
    t0 = time.monotonic()
    result = CliRunner().invoke(_app(), ["run", QUESTION, "--source", "arxiv"])
    assert time.monotonic() - t0 < 10
    assert result.exit_code == 4
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: arXiv cannot be reached at 127.0.0.1:{port}")
    assert any(ln.startswith("Hint:") and "--source PATH" in ln for ln in lines)
    assert "Traceback" not in result.output


def test_zero_results_search_says_so(arxiv_server: ArxivTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    _env(monkeypatch, home, arxiv_server.api_url, arxiv_server.pdf_url)
    result = CliRunner().invoke(_app(), ["search", ZERO_QUESTION], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    run = _run_dir(home)
    plan = json.loads((run / "manifest.json").read_text())["search_plan"]
    assert plan["candidates"] == 0 and plan["arxiv"]["note"].startswith("no results") and "No paper matched" in plan["summary"]
    assert (run / "01_search" / "papers.jsonl").read_text() == ""


def test_zero_results_run_reports_it(
    arxiv_server: ArxivTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_models: tuple
) -> None:
    home = tmp_path / "home"
    _env(monkeypatch, home, arxiv_server.api_url, arxiv_server.pdf_url)
    result = CliRunner().invoke(_app(), ["run", ZERO_QUESTION], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = next((_run_dir(home) / "08_report").glob("*.md")).read_text()
    assert "No paper matched" in report or "no results" in report.lower()
