"""The Ray engine: parsing, embedding and NLI scoring as Ray Data jobs, on a laptop's local cluster or on many machines.

- Parsing: one row per PDF carrying the file's bytes (workers need not see the driver's disk), mapped by
  :func:`synth.ingest.parallel.parse_one` as Ray tasks, one CPU each.
- Embedding and NLI scoring: the driver plans the batches (its own copy of the model sorts by length and cuts the
  batches, exactly as the local engine would), one row per batch; ``map_batches`` over an actor pool whose actors
  each hold the model (loaded once per job with the run's settings: model, backend, threads) runs every batch as one
  forward pass. The same batches give the same numbers, so a run on Ray writes the same files as a local run.
- Results stream back in order (``preserve_order``) and are written by the driver into the run directory and the
  shared cache, so every other command (``report``, ``table``, ``audit``, ``check``) works unchanged.

The cluster: ``ray_address`` (setting), else ``RAY_ADDRESS``, else a local cluster started for the command and
stopped at its end. A Ray session that is already initialised (a notebook, a test) is used as it is. Workers import
synth: on a real cluster, install it on every node (or give a ``runtime_env``); exported ONNX files are made once
per node, in the configured cache when a worker can reach it, else in its temporary directory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.core.errors import ConfigError
from synth.ingest.parallel import ParseJob, ParseOutcome, parse_one

if TYPE_CHECKING:
    from synth.core.settings import SynthSettings
    from synth.core.ui import UI

Advance = Callable[[int], None]


@dataclass
class RayStats:
    """What ran on Ray (for tests and the curious): jobs and the items they carried."""

    parse_jobs: int = 0
    pdfs: int = 0
    model_jobs: dict[str, int] = field(default_factory=dict)
    batches: dict[str, int] = field(default_factory=dict)


class RayEngine:
    name = "ray"

    def __init__(self, settings: SynthSettings, ui: UI | None = None) -> None:
        self.settings = settings
        self.ui = ui
        self.stats = RayStats()
        self._owns_cluster = False

    # -- the cluster -------------------------------------------------------------------------------
    def _ray(self) -> Any:
        try:
            import ray
        except ImportError as err:
            raise ConfigError(
                "engine = 'ray' needs Ray, which is not installed",
                hint="Install the extra: pip install 'synth[ray]' (or set engine = 'local').",
            ) from err
        if not ray.is_initialized():
            address = self.settings.ray_address or os.environ.get("RAY_ADDRESS") or None
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
            if address:
                ray.init(address=address, **kwargs)
            else:
                ray.init(**kwargs)
                self._owns_cluster = True
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows come back in the order they were planned
        context.enable_progress_bars = False  # synth reports progress itself, per batch
        return ray

    def close(self) -> None:
        if self._owns_cluster:
            import ray

            ray.shutdown()
            self._owns_cluster = False

    def _cpus(self) -> int:
        ray = self._ray()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def _gpus(self) -> int:
        ray = self._ray()
        return int(ray.cluster_resources().get("GPU", 0))

    # -- parsing -----------------------------------------------------------------------------------
    def parse(self, jobs: list[ParseJob], done: Callable[[ParseOutcome], None] | None = None) -> list[ParseOutcome]:
        if not jobs:
            return []
        ray = self._ray()
        rows = [
            {"i": i, "paper_id": j.paper_id, "name": Path(j.path).name, "path": j.path, "sha256": j.sha256,
             "max_pages": j.max_pages, "data": Path(j.path).read_bytes()}
            for i, j in enumerate(jobs)
        ]  # fmt: skip
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            _parse_rows, batch_size=1, num_cpus=1, batch_format="pandas"
        )
        outcomes: dict[int, ParseOutcome] = {}
        for row in dataset.iter_rows():
            outcome = _outcome(row)
            outcomes[int(row["i"])] = outcome
            if done is not None:
                done(outcome)
        self.stats.parse_jobs += 1
        self.stats.pdfs += len(jobs)
        return [outcomes[i] for i in range(len(jobs))]

    # -- models ------------------------------------------------------------------------------------
    def attach(self, model: Any) -> None:
        """Give ``model`` a runner that sends its planned batches to an actor pool holding the same model."""
        from synth.retrieval.embedding import Embedder
        from synth.verification.nli import NLIModel

        s = self.settings
        if isinstance(model, Embedder):
            spec = _ModelSpec("embed", s.embedding_model, s.inference, s.device, model.batch_size, s.threads, str(s.cache_dir))
            model.runner = lambda groups, advance: self._run_batches(spec, [{"texts": g} for g in groups], advance)
        elif isinstance(model, NLIModel):
            spec = _ModelSpec("nli", s.nli_model, s.inference, s.device, model.batch_size, s.threads, str(s.cache_dir))
            model.runner = lambda groups, advance: self._run_batches(
                spec, [{"premises": [p for p, _ in g], "hypotheses": [h for _, h in g]} for g in groups], advance
            )

    def _run_batches(self, spec: _ModelSpec, rows: list[dict[str, Any]], advance: Advance) -> list[np.ndarray]:
        ray = self._ray()
        gpus = self._gpus() if spec.device != "cpu" else 0
        threads = spec.threads or 1
        if gpus:
            size, resources = gpus, {"num_gpus": 1, "num_cpus": 1}
        else:
            size, resources = max(1, self._cpus() // threads), {"num_cpus": threads}
        size = min(size, len(rows))
        items = [{"i": i, **row} for i, row in enumerate(rows)]
        dataset = ray.data.from_items(items, override_num_blocks=min(len(items), 4 * size)).map_batches(
            _ModelActor,
            fn_constructor_kwargs={"spec": spec},
            batch_size=1,
            batch_format="pandas",
            compute=ray.data.ActorPoolStrategy(size=size),
            **resources,
        )
        out: dict[int, np.ndarray] = {}
        for row in dataset.iter_rows():
            part = np.frombuffer(row["out"], dtype=np.float32).reshape(int(row["n"]), int(row["d"]))
            out[int(row["i"])] = part
            advance(int(row["n"]))
        self.stats.model_jobs[spec.kind] = self.stats.model_jobs.get(spec.kind, 0) + 1
        self.stats.batches[spec.kind] = self.stats.batches.get(spec.kind, 0) + len(rows)
        return [out[i] for i in range(len(rows))]


@dataclass(frozen=True)
class _ModelSpec:
    """How an actor loads the run's model: the same name, backend and batch size as the driver's copy."""

    kind: str  # "embed" or "nli"
    name: str
    inference: str
    device: str
    batch_size: int
    threads: int | None
    cache_dir: str


def _worker_cache(cache_dir: str) -> Path:
    """The configured cache when this worker can write it (a local cluster), else a cache in its temporary directory."""
    path = Path(cache_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / "synth-cache"


class _ModelActor:
    """An actor holding one model; each input row is one planned batch, run as one forward pass."""

    def __init__(self, spec: _ModelSpec) -> None:
        self.spec = spec
        cache = _worker_cache(spec.cache_dir)
        device = spec.device
        threads = spec.threads or 1
        if spec.kind == "embed":
            from synth.retrieval.embedding import load_embedder

            self.model: Any = load_embedder(spec.name, device, spec.batch_size, spec.inference, cache, threads)
        else:
            from synth.verification.nli import load_nli

            self.model = load_nli(
                spec.name, None if device == "auto" else device, spec.batch_size, spec.inference, cache, threads
            )

    def __call__(self, batch: Any) -> Any:
        import pandas as pd

        rows = []
        for _, row in batch.iterrows():
            if self.spec.kind == "embed":
                part = self.model.encode_batch([str(t) for t in row["texts"]])
            else:
                pairs = [(str(p), str(h)) for p, h in zip(row["premises"], row["hypotheses"], strict=True)]
                part = self.model.score_batch(pairs)
            part = np.ascontiguousarray(part, dtype=np.float32)
            rows.append({"i": int(row["i"]), "n": part.shape[0], "d": part.shape[1], "out": part.tobytes()})
        return pd.DataFrame(rows)


def _parse_rows(batch: Any) -> Any:
    """Ray task: parse each PDF of the batch from its bytes (written under its own name, so messages name it)."""
    import pandas as pd

    rows = []
    for _, row in batch.iterrows():
        with tempfile.TemporaryDirectory(prefix="synth-parse-") as tmp:
            path = Path(tmp) / str(row["name"])
            path.write_bytes(bytes(row["data"]))
            outcome = parse_one(ParseJob(str(row["paper_id"]), str(path), str(row["sha256"]), int(row["max_pages"])))
        message = outcome.message.replace(str(path), str(row["path"])) if outcome.message else None
        rows.append(
            {
                "i": int(row["i"]),
                "paper_id": outcome.paper_id,
                "doc": outcome.doc.model_dump_json() if outcome.doc is not None else None,
                "error": outcome.error,
                "message": message,
            }
        )
    return pd.DataFrame(rows)


def _outcome(row: dict[str, Any]) -> ParseOutcome:
    from synth.core.records import ParsedDoc

    doc = ParsedDoc.model_validate_json(row["doc"]) if row.get("doc") else None
    return ParseOutcome(str(row["paper_id"]), doc=doc, error=row.get("error") or None, message=row.get("message") or None)
