"""Shared helpers for the report, table, audit and quality tests (the fixture run and a mini CLI)."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

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
