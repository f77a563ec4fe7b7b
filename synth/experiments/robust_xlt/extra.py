"""Registers the robust-xlt experiment with synth: the ``synth experiment`` commands and its results reader."""

from __future__ import annotations

from pathlib import Path

from synth.extras import Extra


def _app():  # -> typer.Typer
    from synth.experiments.robust_xlt.cli import app

    return app


def _remeasurer(path: Path):  # -> Remeasurer
    from synth.experiments.robust_xlt.link import RobustXltRemeasurer

    return RobustXltRemeasurer(path)


def extra() -> Extra:
    return Extra(
        name="robust-xlt",
        command="experiment",
        help="Re-run published experiments to check numeric claims.",
        app=_app,
        experiment="robust-xlt",
        remeasurer=_remeasurer,
    )
