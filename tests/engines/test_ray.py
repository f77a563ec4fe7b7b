"""The Ray engine on a local 2-CPU cluster: the same run directory, file for file, as the local engine.

Needs the ``ray`` extra (part of ``.[test]``, so CI runs it); skipped with the reason where Ray is not installed.
"""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pytest

from tests.paths import SAMPLE

ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra: pip install -e '.[ray]' (CI installs .[test])")

QUESTION = "How well do multilingual encoders transfer across languages without parallel data?"
SAME_FILES = [
    "02_parse/docs.jsonl",
    "03_chunk/sentences.jsonl",
    "03_chunk/chunks.jsonl",
    "04_index/index.faiss",
    "05_claims/claims.jsonl",
    "06_verify/verdicts.jsonl",
    "07_synthesis/synthesis.json",
    "08_report/claims.csv",
    "08_report/references.bib",
]


@pytest.fixture(scope="module")
def local_cluster():  # type: ignore[no-untyped-def]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def _run(home: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> dict:  # type: ignore[type-arg]
    """`synth run … --engine ENGINE` as a user starts it, with its own empty cache under ``home``; its JSON summary."""
    from typer.testing import CliRunner

    from synth.cli.app import app

    monkeypatch.setenv("SYNTH_HOME", str(home))
    args = ["run", QUESTION, "--source", str(SAMPLE), "--engine", engine, "--json", "--quiet"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _report(path: Path, run_id: str) -> str:
    return path.read_text(encoding="utf-8").replace(run_id, "RUN")


@pytest.mark.slow
def test_the_ray_engine_writes_the_same_run_as_the_local_engine(
    local_cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from synth.cli.app import app
    from synth.engines import ray as ray_engine

    local = _run(tmp_path / "local", "local", monkeypatch)
    engines: list[ray_engine.RayEngine] = []
    monkeypatch.setattr(ray_engine.RayEngine, "close", lambda self: engines.append(self))  # keep its stats to read
    on_ray = _run(tmp_path / "ray", "ray", monkeypatch)  # its own empty cache: everything is computed on Ray
    stats = engines[0].stats
    assert stats.pdfs == 4 and stats.model_jobs.get("embed", 0) >= 1 and stats.model_jobs.get("nli", 0) >= 1, stats
    a, b = Path(local["path"]), Path(on_ray["path"])
    different = [name for name in SAME_FILES if not filecmp.cmp(a / name, b / name, shallow=False)]
    assert not different, different
    assert _report(a / "08_report/report.md", local["run"]) == _report(b / "08_report/report.md", on_ray["run"])
    verdicts = [json.loads(line) for line in (b / "06_verify/verdicts.jsonl").read_text().splitlines()]
    assert verdicts and all(v["model_id"] == "synth/nli-minilm-l6" for v in verdicts)
    # every other command reads the Ray run as it reads a local one
    result = CliRunner().invoke(app, ["table", str(b), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == len(verdicts)
