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
from rich.text import Text

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
            # messages quote file names, titles and ids: printed as plain text, never as console markup
            ui.err.print(Text.assemble(("Error:", "bold red"), " ", _one_line(str(err))), highlight=False, soft_wrap=True)
            ui.err.print(Text.assemble(("Hint:", "bold"), " ", _one_line(err.hint)), highlight=False, soft_wrap=True)
            raise typer.Exit(err.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - the CLI boundary: one line for the user, the traceback to a file
            if _state["debug"] or os.environ.get("SYNTH_RAISE_ERRORS") == "1":
                raise
            path = _log_crash()
            what = _one_line(f"unexpected {type(err).__name__}: {err}")
            filename = getattr(err, "filename", None)
            if isinstance(err, OSError) and filename and str(filename) not in what:
                what += f" ({filename})"  # an OSError always names its file
            UI().err.print(f"Error: {what} (details: {path}; re-run with --debug)", highlight=False, markup=False, soft_wrap=True)
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


def _one_line(text: str) -> str:
    from synth.core.text import sanitize

    return sanitize(text, keep_newlines=False)


def _crash_home() -> Path:
    """Where the crash log goes: the configured home (synth.toml and SYNTH_HOME included), else the default one."""
    from synth.core.settings import SynthSettings, load_settings

    try:
        return load_settings().home
    except Exception:  # noqa: BLE001 - the settings themselves may be what is broken
        return Path(os.environ.get("SYNTH_HOME", "").strip() or SynthSettings.model_fields["home"].default)


def _log_crash() -> Path:
    path = _crash_home() / "logs" / "errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(
                f"--- {dt.datetime.now(dt.UTC).isoformat()} synth {__version__}: {' '.join(sys.argv)}\n{traceback.format_exc()}\n"
            )
    except OSError:
        return Path("(could not write a log)")
    return path
