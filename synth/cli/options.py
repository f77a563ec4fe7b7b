"""Command-line options, and how flags become settings.

A flag that sets a setting is declared once in :data:`SETTING_FLAGS` (parameter name -> settings path); its
``--help`` text is the settings field's description, and :func:`overrides_from` turns a command's parameters into
nested settings overrides, so no command maps flags to settings by hand. A test checks every path exists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel

from synth.core.settings import SynthSettings

# parameter name -> dotted settings path
SETTING_FLAGS: dict[str, str] = {
    "source": "search.source",
    "max_papers": "search.max_papers",
    "since": "search.since",
    "until": "search.until",
    "category": "search.categories",
    "paper": "search.papers",
    "max_claims": "claims.max_claims",
    "embedding_model": "embedding_model",
    "nli_model": "nli_model",
    "remeasurements": "verify.remeasurements",
    "engine": "engine",
}


def field_of(path: str) -> Any:
    """The pydantic field a dotted settings path names (KeyError if there is none)."""
    model: type[BaseModel] = SynthSettings
    *sections, name = path.split(".")
    for section in sections:
        model = model.model_fields[section].annotation  # type: ignore[assignment]
    return model.model_fields[name]


def setting(param: str, *names: str, **kwargs: Any) -> Any:
    """A ``typer.Option`` for the setting ``param`` maps to, documented by that setting's description."""
    flag = names or ("--" + param.replace("_", "-"),)
    return typer.Option(*flag, help=field_of(SETTING_FLAGS[param]).description, show_default=False, **kwargs)


def overrides_from(params: dict[str, Any]) -> dict[str, Any]:
    """Nested settings overrides from a command's parameters; unset flags are left to lower-precedence sources."""
    out: dict[str, Any] = {}
    for param, value in params.items():
        if param not in SETTING_FLAGS or value is None or value == [] or value == ():
            continue
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, tuple):
            value = list(value)
        *sections, name = SETTING_FLAGS[param].split(".")
        target = out
        for section in sections:
            target = target.setdefault(section, {})
        target[name] = value
    return out


ConfigOpt = Annotated[Path | None, typer.Option("--config", help="A synth.toml to read (default: ./synth.toml if present).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout for scripts.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Redo even if up to date.")]
RunArg = Annotated[str, typer.Argument(help="A run directory, a run id under $SYNTH_HOME/runs, or 'latest'.")]
QuestionArg = Annotated[str, typer.Argument(help="The research question.")]
SourceOpt = Annotated[str | None, setting("source")]
MaxPapersOpt = Annotated[int | None, setting("max_papers")]
SinceOpt = Annotated[dt.datetime | None, setting("since", formats=["%Y-%m-%d"])]
UntilOpt = Annotated[dt.datetime | None, setting("until", formats=["%Y-%m-%d"])]
CategoryOpt = Annotated[list[str] | None, setting("category", "--category")]
PaperOpt = Annotated[list[str] | None, setting("paper", "--paper")]
MaxClaimsOpt = Annotated[int | None, setting("max_claims")]
EngineOpt = Annotated[str | None, setting("engine")]
EmbeddingModelOpt = Annotated[str | None, setting("embedding_model")]
NliModelOpt = Annotated[str | None, setting("nli_model")]
RemeasurementsOpt = Annotated[str | None, setting("remeasurements")]
