"""Shared helpers for the report, table, audit and quality tests (the fixture run and a mini CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer

from synth.core.records import Synthesis
from tests.paths import FIXTURES, TESTS

FIXTURE = FIXTURES / "run_fixture"
LABELS_CSV = FIXTURES / "run_fixture_labels.csv"
GOLDEN = TESTS / "golden" / "report.md"


def copy_run(dest: Path) -> Path:
    """A writable copy of the fixture run (tests must never write into the committed fixture)."""
    target = dest / "copied-run"
    shutil.copytree(FIXTURE, target)
    return target


def mini_app() -> typer.Typer:
    """The report commands on their own, as the CLI mounts them (without the other sub-apps)."""
    from synth.cli import report_cmds as commands

    app = typer.Typer()
    app.command("table")(commands.table)
    app.command("audit")(commands.audit)
    return app


# the fixture run's synthesis: made by the real synthesis code with the fake embedder (tests/conftest.py) and
# thresholds suited to its bag-of-words similarities; test_fixture_synthesis_is_what_the_code_makes checks the file
FIXTURE_SYNTHESIS_SETTINGS = {
    "paper_threshold": 0.15,
    "claim_threshold": 0.2,
    "facet_threshold": 0.2,
    "claim_facet_threshold": 0.5,
}
AGGREGATOR_EXAMPLE = FIXTURES / "aggregator.json"  # the figures part of an aggregator.json the calibration wrote


def fixture_synthesis() -> Synthesis:
    """The fixture run's synthesis, computed afresh (no chunks in the fixture: titles and abstracts are the passages)."""
    from synth.core.settings import SynthesisSettings
    from synth.report.data import load_run
    from synth.synthesis.synthesize import RunRecords, synthesize
    from synth.synthesis.verifier import figures_from
    from tests.conftest import FakeEmbedder

    data = load_run(FIXTURE)
    embedder = FakeEmbedder()
    figures = figures_from(
        json.loads(AGGREGATOR_EXAMPLE.read_text(encoding="utf-8")), "synth/nli-minilm-l6", "synth/nli-minilm-l6/aggregator.json"
    )
    run = RunRecords(data.question, data.papers or [], [], data.claims or [], data.verdict_map())
    return synthesize(run, SynthesisSettings(**FIXTURE_SYNTHESIS_SETTINGS), embedder.encode, embedder.key, figures)


def write_fixture_synthesis() -> Path:
    """(Re)write the fixture's 07_synthesis/synthesis.json and its _stage.json, after a deliberate change:
    ``python -c 'from tests.report_helpers import write_fixture_synthesis as w; w()'``."""
    from synth.core.io import write_json
    from synth.core.store import dir_digest

    out = FIXTURE / "07_synthesis"
    out.mkdir(exist_ok=True)
    write_json(out / "synthesis.json", fixture_synthesis().model_dump(mode="json"))
    record = {
        "stage": "07_synthesis",
        "version": "1",
        "fingerprint": "fixture-07_synthesis",
        "upstream": {},
        "inputs": {},
        "counts": {},
        "started": "2026-11-20T10:15:00+00:00",
        "duration_s": 0.5,
        "output_digest": dir_digest(out),
    }
    write_json(out / "_stage.json", record)
    return out / "synthesis.json"
