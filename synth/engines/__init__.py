"""Where the heavy, embarrassingly parallel work of a run is done: parsing PDFs, embedding texts, scoring NLI pairs.

An engine changes where the work runs, never what it computes: every stage reads and writes the same run
directory and the same shared cache, and the batches a model runs are planned by the model itself
(:meth:`synth.retrieval.embedding.Embedder.plan`, :meth:`synth.verification.nli.NLIModel.plan`), so the numbers do
not depend on the engine.

- ``local`` (default): a process pool over this machine's cores for parsing (:mod:`synth.ingest.parallel`); the
  models run in this process, on as many threads as it may use.
- ``ray``: Ray Data jobs on a Ray cluster (:mod:`synth.engines.ray`): parsing as tasks, embedding and NLI scoring
  as ``map_batches`` over actor pools that hold the models. Needs the ``ray`` extra (``pip install 'synth[ray]'``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from synth.core.inference import cpu_budget
from synth.ingest.parallel import ParseJob, ParseOutcome, parse_many

if TYPE_CHECKING:
    from synth.core.settings import SynthSettings
    from synth.core.ui import UI

Done = Callable[[ParseOutcome], None]


class Engine(Protocol):
    """What a stage asks of an engine."""

    name: str

    def parse(self, jobs: list[ParseJob], done: Done | None = None) -> list[ParseOutcome]:
        """Every job's outcome, in job order; ``done`` is told of each as it ends."""
        ...

    def attach(self, model: Any) -> None:
        """Let ``model`` (an Embedder or NLIModel) run its large requests on this engine (nothing for ``local``)."""
        ...

    def close(self) -> None:
        """Release what the engine holds (actor pools, a local cluster it started)."""
        ...


class LocalEngine:
    """This machine: a process pool of ``workers`` for parsing; models run in this process."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or cpu_budget()

    def parse(self, jobs: list[ParseJob], done: Done | None = None) -> list[ParseOutcome]:
        return parse_many(jobs, self.workers, done)

    def attach(self, model: Any) -> None:
        return None

    def close(self) -> None:
        return None


def get_engine(settings: SynthSettings, ui: UI | None = None) -> Engine:
    """The engine ``settings.engine`` names."""
    if settings.engine == "ray":
        from synth.engines.ray import RayEngine

        return RayEngine(settings, ui)
    return LocalEngine(settings.workers)
