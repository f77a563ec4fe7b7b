"""How a model runs on this machine: the inference backend, the thread count, and the ONNX files a backend needs.

Backends (``inference`` setting):

- ``torch``: the model as loaded by sentence-transformers, fp32 on CPU; on CUDA it runs in fp16 (``torch-fp16``);
- ``onnx``: the same weights exported once with ``torch.onnx.export`` and run by ONNX Runtime (fp32, CPU);
- ``onnx-int8``: that export with its weights quantised to int8 per output channel (ONNX Runtime's dynamic
  quantisation: activations are quantised per batch at run time), CPU;
- ``auto`` (default): ``torch-fp16`` where CUDA is present; on CPU ``onnx-int8`` for the models whose int8 quality
  was measured (:data:`INT8_MEASURED`: the default embedder and synth's verifier; the fastest that kept quality, see
  ``benchmarks/bench_speed.py``), fp32 ``torch`` for any other model.

A backend that changes the numbers changes the model's identity: :func:`key_suffix` is appended to the
``name@revision`` key of every cache entry, index and stage fingerprint, so vectors and scores of two backends
never mix. The exported files are made once per (model identity, backend, :data:`RECIPE`) and kept in the shared
cache (``cache/onnx/``), each checked against the sha256 recorded when it was written; the ONNX path then needs
neither torch nor sentence-transformers at run time (importing them costs seconds per process).

Threads: by default the CPUs this process may use (its affinity mask, capped by a cgroup CPU quota), divided
among the processes that share them. ONNX Runtime's worker threads do not spin while waiting: on a machine shared
with other jobs a spinning thread burns the core the thread it waits for needs (measured: 2 spinning threads ran
int8 NLI at 0.6x the speed of 2 waiting ones under load).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, cast

from synth.core.errors import ModelLoadError
from synth.core.io import sha256_file, sha256_text, write_json
from synth.core.modelref import cuda_available

Inference = Literal["auto", "torch", "onnx", "onnx-int8"]
Backend = Literal["torch", "torch-fp16", "onnx", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = ("torch", "torch-fp16", "onnx", "onnx-int8")
#: the export and quantisation recipe: bump it whenever either changes what an exported model computes
RECIPE = "1"
_SUFFIX: dict[str, str] = {"torch": "", "torch-fp16": "+fp16", "onnx": "+onnx", "onnx-int8": "+onnx-int8"}


#: models whose int8 export was measured against fp32 (``benchmarks/bench_speed.py``, ``bench_verifier.py``): ``auto``
#: runs these as ``onnx-int8`` on CPU; any other model stays on fp32 torch unless a backend is asked for by name
INT8_MEASURED = frozenset({"sentence-transformers/all-MiniLM-L6-v2", "synth/nli-minilm-l6"})


def resolve_backend(inference: str, device: str = "auto", model: str | None = None) -> Backend:
    """The backend ``model`` runs on.

    ``auto``: fp16 torch where CUDA is (or is asked for); on CPU ``onnx-int8`` for the models in
    :data:`INT8_MEASURED`, fp32 torch for any other. ``torch`` on CUDA means fp16 (as synth always ran it there);
    the ONNX backends run on CPU whatever ``device`` says.
    """
    if inference not in ("auto", "torch", "onnx", "onnx-int8"):
        raise ValueError(f"unknown inference backend {inference!r}")
    if inference in ("onnx", "onnx-int8"):
        return cast(Backend, inference)
    on_cuda = device.startswith("cuda") or (device == "auto" and cuda_available())
    if on_cuda:
        return "torch-fp16"
    return "onnx-int8" if inference == "auto" and model in INT8_MEASURED else "torch"


def key_suffix(backend: str) -> str:
    """What a backend adds to a model's ``name@revision`` key (nothing for fp32 torch, the reference)."""
    return _SUFFIX[backend]


def split_key(key: str) -> tuple[str, Backend]:
    """``name@rev+onnx-int8`` -> (``name@rev``, ``onnx-int8``); a key without a suffix is fp32 torch."""
    for backend, suffix in _SUFFIX.items():
        if suffix and key.endswith(suffix):
            return key[: -len(suffix)], cast(Backend, backend)
    return key, "torch"


def cpu_budget() -> int:
    """CPUs this process may use: its affinity mask, capped by a cgroup v2/v1 CPU quota when one is set."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        n = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        n = min(n, max(1, math.ceil(quota)))
    return max(1, n)


def _cgroup_quota() -> float | None:
    try:
        text = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def threads_for(setting: int | None, workers: int = 1) -> int:
    """Threads one model may use: the setting when given, else this process's CPUs shared among ``workers``."""
    if setting:
        return setting
    return max(1, cpu_budget() // max(1, workers))


def set_torch_threads(threads: int) -> None:
    """Intra-op threads of torch (a process-wide setting); a no-op where torch is not imported yet and never will be."""
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def ort_session(path: Path, threads: int) -> Any:
    """An ONNX Runtime CPU session over ``path`` with ``threads`` intra-op threads that wait without spinning."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: ORT's notes on unused initialisers are not the user's business
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def export_onnx(module: Any, inputs: dict[str, Any], output: str, dest: Path) -> None:
    """Export a torch ``module(**inputs) -> tensor`` to ``dest`` with dynamic batch and sequence axes (opset 17).

    The TorchScript exporter (``dynamo=False``): it needs only ``onnx``, and traces BERT-style encoders exactly.
    """
    import warnings

    import torch

    names = list(inputs)
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "sequence"} for name in names}
    axes[output] = {0: "batch"}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer notes about Python control flow on shapes: the axes are declared
        torch.onnx.export(
            module,
            tuple(inputs[n] for n in names),
            str(dest),
            input_names=names,
            output_names=[output],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def quantize_int8(src: Path, dest: Path) -> None:
    """int8 weights per output channel, activations quantised per batch at run time (``quantize_dynamic``), except
    the down-projections (weights with more inputs than outputs: each feed-forward block's second matrix and the
    classifier), which stay fp32.

    Measured on MiniLM-L6 (``benchmarks/bench_speed.py``): quantising every weight matrix, per channel, ran 1.9x ONNX
    fp32 but left sentence embeddings at cosine 0.98 to fp32 for the worst text and the verifier's labels at 0.977
    agreement; the feed-forward output follows a GELU, whose outliers one int8 scale per row cannot hold. Keeping
    those six matrices in fp32 gives cosine >= 0.99 for every text and 0.99 label agreement at 1.45x ONNX fp32.
    """
    import logging

    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(src))
    weights = {w.name: numpy_helper.to_array(w).shape for w in model.graph.initializer}
    keep_fp32 = []
    for node in model.graph.node:
        if node.op_type not in ("MatMul", "Gemm"):
            continue
        shape = next((weights[i] for i in node.input[1:2] if i in weights), None)
        if shape is None or len(shape) != 2:
            continue
        transposed = any(a.name == "transB" and a.i == 1 for a in node.attribute)  # Gemm weights stored (out, in)
        n_in, n_out = (shape[1], shape[0]) if transposed else shape
        if n_in > n_out:
            keep_fp32.append(node.name)
    del model
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # "consider pre-processing" chatter
    quantize_dynamic(
        str(src),
        str(dest),
        weight_type=QuantType.QInt8,
        per_channel=True,
        nodes_to_exclude=keep_fp32,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def local_files(name: str, resolved: str) -> Path:
    """The directory holding ``name``'s files: the local copy, or a hub model's snapshot (downloaded if need be)."""
    if Path(resolved).is_dir():
        return Path(resolved)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(resolved))
    except Exception as err:  # noqa: BLE001 - offline, unknown name, gated model: one line naming the model
        raise ModelLoadError(
            f"cannot export {name!r} to ONNX: no local copy and the hub did not give one ({type(err).__name__})",
            hint='Give a local directory, or run it with inference = "torch" (SYNTH_INFERENCE=torch).',
        ) from err


Exporter = Callable[[Path], dict[str, Any]]  # writes fp32 ``model.onnx`` at the path; returns what loading needs


def onnx_model(
    root: Path,
    model_key: str,
    backend: Backend,
    export: Exporter,
    warn: Callable[[str], None] | None = None,
    isolate: bool = False,
) -> tuple[Path, dict[str, Any]]:
    """The ONNX file of ``model_key`` for ``backend`` and its metadata, exported (and quantised) on first use.

    ``isolate``: export in a child process (``export`` must then be picklable: a module-level function or a
    ``functools.partial`` of one). Exporting loads torch and the model and traces it (~1.2 GB resident for MiniLM);
    in a child that memory is returned when it exits, and the run itself never imports torch (~150 MB warm).

    Kept under ``root/onnx/<digest of key, backend, recipe>/``; the metadata records the file's sha256, checked on
    every use: a damaged file is exported again (and named through ``warn``). One process exports at a time.
    """
    from filelock import FileLock

    if backend not in ("onnx", "onnx-int8"):
        raise ValueError(f"{backend!r} is not an ONNX backend")
    folder = root / "onnx" / sha256_text(f"{model_key}|{backend}|{RECIPE}")[:32]
    found = _read_entry(folder, warn)
    if found is not None:
        return found
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock", timeout=1800):
        found = _read_entry(folder, None)
        if found is not None:
            return found
        work = folder.with_name(folder.name + ".incomplete")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            final = work / "model.onnx"
            if isolate:
                info = _in_child(_prepare, export, work, backend)
            else:
                info = _prepare(export, work, backend)
            meta: dict[str, Any] = {
                "model_key": model_key,
                "backend": backend,
                "recipe": RECIPE,
                "versions": _versions(),
                "info": info,
                "bytes": final.stat().st_size,
                "sha256": sha256_file(final),
            }
            write_json(work / "meta.json", meta)
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(work, folder)
        except Exception as err:
            shutil.rmtree(work, ignore_errors=True)
            if isinstance(err, ModelLoadError):
                raise
            raise ModelLoadError(
                f"cannot export {model_key} to ONNX ({backend}): {type(err).__name__}: {' '.join(str(err).split())[:200]}",
                hint='Use inference = "torch" (SYNTH_INFERENCE=torch) to run the model without ONNX.',
            ) from err
    return folder / "model.onnx", meta["info"]


def export_ahead(
    name: str, backend: Backend, cache_dir: Path, exporter: Callable[[str], Exporter], warn: Callable[[str], None] | None
) -> None:
    """Make the ONNX file a loader will need for ``name`` on ``backend``, without loading it (nothing for torch).

    A run calls this before its index stage, while it is small: the export's child process (~1.2 GB) then adds to a
    process of ~0.2 GB instead of one holding parsed papers and an index. ``exporter(files)`` gives the export of the
    model's local files. Errors are left to the loader, which reports them at its stage.
    """
    from synth.core.errors import SynthError
    from synth.core.modelref import model_key, model_revision, resolve_model

    if backend not in ("onnx", "onnx-int8"):
        return
    try:
        resolved = resolve_model(name)
        files = local_files(name, resolved)
        onnx_model(cache_dir, model_key(name, model_revision(resolved)), backend, exporter(str(files)), warn, isolate=True)
    except SynthError:
        return


def _in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``fn(*args)`` in a fresh (spawned) process that is let finish, not terminated: a terminated child leaves
    semaphores that Python names in a warning when the run exits."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _prepare(export: Exporter, work: Path, backend: Backend) -> dict[str, Any]:
    """Export to ``work/fp32.onnx``, then quantise or rename it to ``work/model.onnx``; what loading needs."""
    fp32 = work / "fp32.onnx"
    info = export(fp32)
    if backend == "onnx-int8":
        quantize_int8(fp32, work / "model.onnx")
        fp32.unlink()
    else:
        fp32.rename(work / "model.onnx")
    return info


def _read_entry(folder: Path, warn: Callable[[str], None] | None) -> tuple[Path, dict[str, Any]] | None:
    meta_path, model = folder / "meta.json", folder / "model.onnx"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        ok = model.is_file() and model.stat().st_size == meta["bytes"] and sha256_file(model) == meta["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        ok, meta = False, {}
    if ok:
        return model, dict(meta["info"])
    if warn is not None:
        why = "it does not match the sha256 recorded when it was written"
        warn(f"dropped a damaged exported model {model} ({why}); exporting it again")
    meta_path.unlink(missing_ok=True)
    return None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for package in ("torch", "onnx", "onnxruntime", "transformers", "sentence-transformers"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            continue
    return out


def pad_batch(encodings: list[Any], pad_id: int, names: list[str]) -> dict[str, Any]:
    """Right-padded int64 arrays (``input_ids``, ``attention_mask``, ``token_type_ids`` as ``names`` asks) of one
    batch of ``tokenizers`` encodings, as long as its longest member."""
    import numpy as np

    width = max((len(e.ids) for e in encodings), default=0)
    n = len(encodings)
    ids = np.full((n, width), pad_id, dtype=np.int64)
    mask = np.zeros((n, width), dtype=np.int64)
    types = np.zeros((n, width), dtype=np.int64)
    for i, e in enumerate(encodings):
        m = len(e.ids)
        ids[i, :m] = e.ids
        mask[i, :m] = 1
        types[i, :m] = e.type_ids
    arrays = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    return {name: arrays[name] for name in names}


def load_tokenizer(model_dir: Path, max_length: int) -> tuple[Any, int]:
    """The fast tokenizer of ``model_dir`` (its ``tokenizer.json``) truncating to ``max_length``, and its pad id.

    The same file the Hugging Face tokenizer reads, loaded by the ``tokenizers`` library alone (no transformers or
    torch import); a test checks it gives the same ids as ``AutoTokenizer`` for both shipped models.
    """
    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise ModelLoadError(f"{model_dir} has no tokenizer.json, which the ONNX backends need")
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    pad = "[PAD]"
    config = model_dir / "tokenizer_config.json"
    if config.is_file():
        raw = json.loads(config.read_text(encoding="utf-8")).get("pad_token", pad)
        pad = raw.get("content", pad) if isinstance(raw, dict) else str(raw)
    pad_id = tokenizer.token_to_id(pad)
    return tokenizer, int(pad_id if pad_id is not None else 0)
