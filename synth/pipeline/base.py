"""The stage contract and what a stage may use while it runs.

A stage reads the records earlier stages wrote into the run directory, calls domain code, and writes its own
records into the folder it is given; it never imports another stage. Its fingerprint is built from ``name``,
``version``, :meth:`Stage.inputs` and the output digests of its ``upstream`` stages (see :mod:`synth.pipeline.runner`),
so bump ``version`` whenever the meaning of its output changes. Modelled on datatrove's ``PipelineStep``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from synth.core.cache import Cache
from synth.core.settings import SynthSettings
from synth.core.store import RunStore
from synth.core.ui import UI

if TYPE_CHECKING:
    from synth.engines import Engine
    from synth.retrieval.embedding import Embedder
    from synth.verification.nli import NLIModel
    from synth.verification.remeasure import Remeasurer


class Stage(ABC):
    """One step of the pipeline; ``synth run`` runs them in order, ``synth <command>`` a few of them."""

    name: ClassVar[str]  # a stage id from synth.core.stage_ids: the folder it writes
    version: ClassVar[str]
    upstream: ClassVar[tuple[str, ...]] = ()

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        """Everything besides upstream outputs that decides this stage's output (settings, model identities)."""
        return {}

    @abstractmethod
    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        """Write the stage's records into ``out``; return counts for the manifest and the summary."""


@dataclass
class StageContext:
    """What a stage may use: settings, its run, the shared cache, the console, and models loaded once."""

    settings: SynthSettings
    store: RunStore
    ui: UI
    # a whole run exports its models' ONNX files just before this stage runs (see ``prepare_models``); None: never
    prepare_models_at: str | None = None
    cache: Cache = field(init=False)
    _embedder: Embedder | None = field(default=None, init=False, repr=False)
    _nli: NLIModel | None = field(default=None, init=False, repr=False)
    _remeasurer: Remeasurer | None = field(default=None, init=False, repr=False)
    _engine: Engine | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.cache = Cache(self.settings.cache_dir, warn=self.ui.warn)

    @property
    def question(self) -> str:
        return self.store.question

    @property
    def embedding_key(self) -> str:
        """The embedding model's identity as caches and fingerprints record it (no model is loaded)."""
        from synth.core.inference import key_suffix, resolve_backend
        from synth.core.modelref import model_key

        s = self.settings
        return model_key(s.embedding_model, suffix=key_suffix(resolve_backend(s.inference, s.device, s.embedding_model)))

    @property
    def nli_key(self) -> str:
        """The NLI model's identity as caches and fingerprints record it (no model is loaded)."""
        from synth.core.inference import key_suffix, resolve_backend
        from synth.core.modelref import model_key

        s = self.settings
        return model_key(s.nli_model, suffix=key_suffix(resolve_backend(s.inference, s.device, s.nli_model)))

    def embedder(self) -> Embedder:
        """The run's sentence-embedding model, loaded on first use; it reports progress per batch."""
        if self._embedder is None:
            from synth.retrieval.embedding import Embedder, load_embedder

            s = self.settings
            self._embedder = load_embedder(
                s.embedding_model, s.device, s.index.batch_size, inference=s.inference, cache_dir=s.cache_dir,
                threads=s.threads, warn=self.ui.warn,
            )  # fmt: skip
            if isinstance(self._embedder, Embedder):
                self._embedder.meter = self.ui.meter
                self.engine().attach(self._embedder)
        return self._embedder

    def nli(self) -> NLIModel:
        """The run's NLI cross-encoder, loaded on first use; pairs it scored once (in any run) are read back from the
        shared cache, and it reports progress per batch."""
        if self._nli is None:
            from synth.core.modelref import quiet_model_libraries
            from synth.verification.nli import NLIModel, load_nli

            quiet_model_libraries()
            s = self.settings
            device = None if s.device == "auto" else s.device
            self._nli = load_nli(
                s.nli_model, device=device, batch_size=s.verify.batch_size, inference=s.inference, cache_dir=s.cache_dir,
                threads=s.threads, warn=self.ui.warn,
            )  # fmt: skip
            if isinstance(self._nli, NLIModel):
                self._nli.scores = self.cache
                self._nli.meter = self.ui.meter
                self.engine().attach(self._nli)
        return self._nli

    def prepare_models(self) -> None:
        """Export the models' ONNX files (once per model and backend) before the run grows; see ``prepare_onnx``."""
        from synth.retrieval.embedding import prepare_onnx as prepare_embedder
        from synth.verification.nli import prepare_onnx as prepare_nli

        s = self.settings
        prepare_embedder(s.embedding_model, s.device, s.inference, s.cache_dir, self.ui.warn)
        prepare_nli(s.nli_model, None if s.device == "auto" else s.device, s.inference, s.cache_dir, self.ui.warn)

    def engine(self) -> Engine:
        """Where parsing, embedding and NLI scoring run (``engine`` setting: this machine, or a Ray cluster)."""
        if self._engine is None:
            from synth.engines import get_engine

            self._engine = get_engine(self.settings, self.ui)
        return self._engine

    def close(self) -> None:
        """Release what the engine holds (a local Ray cluster it started); the context stays usable."""
        if self._engine is not None:
            self._engine.close()

    def remeasurer(self) -> Remeasurer | None:
        """Re-measured figures for numeric claims, from the results file ``verify.remeasurements`` names (or None)."""
        path = self.settings.verify.remeasurements
        if self._remeasurer is None and path is not None:
            from synth.extras import remeasurer_for

            self._remeasurer = remeasurer_for(Path(path).expanduser())
        return self._remeasurer
