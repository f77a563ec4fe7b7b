"""The one error policy of every `synth` command, sub-commands of extras included.

A :class:`~synth.core.errors.SynthError` prints ``Error: … / Hint: …`` and exits with its code; anything else
prints one line and the path of a log holding the traceback (llm's CLI boundary, with an explicit ``--debug``
flag or ``SYNTH_RAISE_ERRORS=1`` instead of detecting tests).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from synth import __version__
from synth.core.errors import SynthError
from synth.core.ui import UI

F = TypeVar("F", bound=Callable[..., Any])

_state: dict[str, Any] = {"debug": False}


def set_debug(debug: bool) -> None:
    """``--debug`` (or ``SYNTH_RAISE_ERRORS=1``): re-raise errors with their traceback."""
    _state["debug"] = debug or os.environ.get("SYNTH_RAISE_ERRORS") == "1"


def guard(fn: F) -> F:
    """Turn errors into `Error: … / Hint: …` and an exit code; unexpected ones into one line plus a log file."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SynthError as err:
            if _state["debug"] or os.environ.get("SYNTH_RAISE_ERRORS") == "1":
                raise
            ui = UI()
            ui.err.print(f"[bold red]Error:[/bold red] {err}", highlight=False, markup=True, soft_wrap=True)
            ui.err.print(f"[bold]Hint:[/bold] {err.hint}", highlight=False, soft_wrap=True)
            raise typer.Exit(err.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - the CLI boundary: one line for the user, the traceback to a file
            if _state["debug"] or os.environ.get("SYNTH_RAISE_ERRORS") == "1":
                raise
            path = _log_crash()
            UI().err.print(
                f"Error: unexpected {type(err).__name__}: {err} (details: {path}; re-run with --debug)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def guard_app(app: typer.Typer) -> typer.Typer:
    """Wrap every command of ``app`` (and of its sub-apps) in :func:`guard`."""
    for command in app.registered_commands:
        if command.callback is not None and not getattr(command.callback, "__wrapped__", None):
            command.callback = guard(command.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            guard_app(group.typer_instance)
    return app


def _log_crash() -> Path:
    from synth.core.settings import SynthSettings

    home = Path(os.environ.get("SYNTH_HOME") or SynthSettings.model_fields["home"].default)
    path = home / "logs" / "errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(
                f"--- {dt.datetime.now(dt.UTC).isoformat()} synth {__version__}: {' '.join(sys.argv)}\n{traceback.format_exc()}\n"
            )
    except OSError:
        return Path("(could not write a log)")
    return path
