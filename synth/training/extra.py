"""Registers the verifier's training recipe with synth: the ``synth verifier`` commands."""

from __future__ import annotations

from synth.extras import Extra


def _app():  # -> typer.Typer
    from synth.training.cli import app

    return app


def extra() -> Extra:
    return Extra(name="verifier", command="verifier", help="Train and calibrate synth's offline NLI verifier.", app=_app)
