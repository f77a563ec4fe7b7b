"""The one registration point for optional parts: the verifier's training recipe and re-run experiments.

An extra is a module exposing ``extra() -> Extra``. synth finds the built-in ones by name (so nothing in the
core imports them) and any others through the ``synth.extras`` entry-point group, the way llm's
``register_commands`` hook lets plugins add commands. An extra may add a command group to the CLI and may turn a
results file into a :class:`~synth.verification.remeasure.Remeasurer` for ``synth verify``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.core.errors import ConfigError

if TYPE_CHECKING:
    import typer

    from synth.verification.remeasure import Remeasurer

GROUP = "synth.extras"
BUILTIN = ("synth.training.extra:extra", "synth.experiments.robust_xlt.extra:extra")


@dataclass(frozen=True)
class Extra:
    """What an extra adds: a command group (``synth <command> …``) and/or a reader of its results files."""

    name: str
    command: str | None = None
    help: str = ""
    app: Callable[[], typer.Typer] | None = None  # built on demand: importing a recipe may be slow
    experiment: str | None = None  # the "experiment" field of the results files it reads
    remeasurer: Callable[[Path], Remeasurer] | None = None


def _load(spec: str) -> Extra:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)()


def extras() -> list[Extra]:
    """Built-in extras, then any installed through entry points (one per name)."""
    specs = list(BUILTIN)
    specs += [f"{ep.value}" for ep in entry_points(group=GROUP) if ep.value not in specs]
    found: dict[str, Extra] = {}
    for spec in specs:
        extra = _load(spec)
        found.setdefault(extra.name, extra)
    return list(found.values())


def remeasurer_for(path: Path) -> Remeasurer:
    """The remeasurer of the extra whose results file ``path`` is (its ``experiment`` field says which)."""
    try:
        doc: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read re-measurements {path}: {err}") from None
    kind = doc.get("experiment") if isinstance(doc, dict) else None
    for extra in extras():
        if extra.remeasurer is not None and extra.experiment == kind:
            return extra.remeasurer(path)
    raise ConfigError(f"{path} is not a results file of any installed experiment (experiment = {kind!r})")
