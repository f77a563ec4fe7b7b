"""The `synth` command line: one Typer app, one error guard on every command, extras mounted from one registry.

Kept thin: flags become settings (:mod:`synth.cli.options`), stages do the work.
"""

from __future__ import annotations

from typing import Annotated

import typer

from synth import __version__
from synth.cli import check_cmds, inspect_cmds, pipeline_cmds, report_cmds
from synth.cli.guard import guard, guard_app, set_debug

app = typer.Typer(
    name="synth",
    help="Search the literature, extract checkable claims, verify them against evidence, and write a scored report.",
    no_args_is_help=True,
    add_completion=True,  # `synth --install-completion` / `--show-completion` for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synth {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Re-raise unexpected errors with their traceback.")] = False,
) -> None:
    set_debug(debug)


for _name, _fn in pipeline_cmds.COMMANDS.items():
    app.command(_name)(guard(_fn))
app.command("check")(guard(check_cmds.check))
app.command("table")(guard(report_cmds.table))
app.command("audit")(guard(report_cmds.audit))
app.command("search-passages")(guard(inspect_cmds.search_passages))
runs_app = typer.Typer(help="List past runs, or remove them (`synth runs rm RUN`).")
runs_app.callback(invoke_without_command=True)(guard(inspect_cmds.runs))
runs_app.command("rm")(guard(inspect_cmds.runs_rm))
app.add_typer(runs_app, name="runs")

config_app = typer.Typer(help="Inspect the resolved configuration.", no_args_is_help=True)
config_app.command("show")(guard(inspect_cmds.config_show))
app.add_typer(config_app, name="config")


def _mount_extras() -> None:
    """Command groups of the extras (the verifier recipe, experiments), under the same error guard."""
    from synth.extras import extras

    for extra in extras():
        if extra.command and extra.app is not None:
            app.add_typer(guard_app(extra.app()), name=extra.command, help=extra.help)


_mount_extras()


def main() -> None:
    app()
