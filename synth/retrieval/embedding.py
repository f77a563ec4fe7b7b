"""Sentence embeddings, normalised so inner product is cosine similarity.

One interface, three backends (:mod:`synth.core.inference`): the sentence-transformers model itself (``torch``:
fp32 on CPU, fp16 on CUDA), or its ONNX export run by ONNX Runtime (``onnx``, ``onnx-int8``), which needs neither
torch nor sentence-transformers at run time. Texts are embedded in batches sorted by length (little padding) and
put back in order; ``progress`` (if given) is told after every batch how many texts were done.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.errors import ModelLoadError
from synth.core.inference import (
    Backend,
    export_ahead,
    key_suffix,
    load_tokenizer,
    local_files,
    onnx_model,
    ort_session,
    pad_batch,
    resolve_backend,
    set_torch_threads,
    threads_for,
)
from synth.core.modelref import model_key, model_revision, pick_device, quiet_model_libraries, resolve_model

Advance = Callable[[int], None]
Meter = Callable[[str, int], Any]  # (description, total) -> context manager yielding an Advance
#: runs planned batches somewhere (e.g. on a Ray cluster) and returns each batch's rows, in order
BatchRunner = Callable[[list[list[str]], Advance], list[np.ndarray]]
CUDA_BATCH = 256  # texts per batch on a GPU: large, length-sorted batches keep it busy


@dataclass
class Embedder:
    """A sentence-embedding model; :meth:`encode` plans length-sorted batches and runs each through
    :meth:`encode_batch`, here or through ``runner`` (the Ray engine), which gives the same rows: a text's vector
    can depend on the batch it is in (int8 activations are quantised per batch), so the batches are planned once."""

    model_id: str
    revision: str | None
    dim: int
    device: str
    _model: Any
    batch_size: int = 64
    backend: Backend = "torch"
    meter: Meter | None = field(default=None, repr=False)
    runner: BatchRunner | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """Cache key of this model's vectors (:func:`synth.core.modelref.model_key`, with the backend's suffix)."""
        return model_key(self.model_id, self.revision, key_suffix(self.backend))

    def plan(self, texts: list[str]) -> list[list[int]]:
        """Batches of indices into ``texts``, longest first (little padding): the batches :meth:`encode` runs."""
        if isinstance(self._model, OnnxSentenceEncoder):
            lengths = self._model.lengths(texts)
        else:
            lengths = [len(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        return [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 rows of one batch, run as one forward pass (no re-ordering)."""
        if isinstance(self._model, OnnxSentenceEncoder):
            vectors = self._model.encode(texts)
        else:
            vectors = self._model.encode(
                texts, batch_size=max(1, len(texts)), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def encode(self, texts: list[str], advance: Advance | None = None) -> np.ndarray:
        """Unit-length float32 rows, one per text, in order; ``advance`` (else the model's meter) is told per batch."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = self.plan(texts)
        groups = [[texts[i] for i in b] for b in batches]
        if advance is not None:
            parts = self._run(groups, advance)
        elif self.meter is None or len(batches) == 1:
            parts = self._run(groups, lambda n: None)
        else:
            with self.meter("embedding", len(texts)) as step:
                parts = self._run(groups, step)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows, part in zip(batches, parts, strict=True):
            out[rows] = part
        return out

    def _run(self, groups: list[list[str]], advance: Advance) -> list[np.ndarray]:
        if self.runner is not None and len(groups) > 1:
            return self.runner(groups, advance)
        parts = []
        for group in groups:
            parts.append(self.encode_batch(group))
            advance(len(group))
        return parts


class OnnxSentenceEncoder:
    """A sentence-transformers model exported to ONNX (transformer, pooling and normalisation in one graph)."""

    def __init__(self, path: Path, info: dict[str, Any], model_dir: Path, threads: int) -> None:
        self.path, self.info, self.model_dir = path, info, model_dir
        self.session = ort_session(path, threads)
        self.tokenizer, self.pad_id = load_tokenizer(model_dir, int(info["max_length"]))
        self.inputs: list[str] = list(info["inputs"])
        self.lowercase = bool(info.get("lowercase"))
        self.dim = int(info["dim"])

    def _prepare(self, texts: list[str]) -> list[str]:
        return [t.strip().lower() if self.lowercase else t.strip() for t in texts]

    def lengths(self, texts: list[str]) -> list[int]:
        """Tokens of each text, as the model will read it (truncated)."""
        return [len(e.ids) for e in self.tokenizer.encode_batch(self._prepare(texts))]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One forward pass over ``texts``, padded to the longest."""
        feed = pad_batch(self.tokenizer.encode_batch(self._prepare(texts)), self.pad_id, self.inputs)
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)


def _exporter(resolved: str) -> Callable[[Path], dict[str, Any]]:
    """The export of ``resolved`` as a picklable callable (it runs in a child process: see ``onnx_model``)."""
    return functools.partial(_export_sentence_encoder, resolved)


def _export_sentence_encoder(resolved: str, dest: Path) -> dict[str, Any]:
    import torch
    from sentence_transformers import SentenceTransformer

    from synth.core.inference import export_onnx

    quiet_model_libraries()  # a fresh child process: the libraries' chatter is not the user's business
    model = SentenceTransformer(resolved, device="cpu").eval()
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in model.tokenizer.model_input_names]

    class _Sentence(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, *arrays: torch.Tensor) -> torch.Tensor:
            return self.inner(dict(zip(names, arrays, strict=True)))["sentence_embedding"]

    sample = model.tokenizer(["a sentence to trace", "another"], padding=True, return_tensors="pt")
    export_onnx(_Sentence().eval(), {n: sample[n] for n in names}, "sentence_embedding", dest)
    get_dim = getattr(model, "get_embedding_dimension", None) or getattr(model, "get_sentence_embedding_dimension", None)
    dim = get_dim() if get_dim else None
    first = model[0]
    return {
        "max_length": int(model.max_seq_length or model.tokenizer.model_max_length),
        "inputs": names,
        "dim": int(dim or model.encode(["x"]).shape[1]),
        "lowercase": bool(getattr(first, "do_lower_case", False)),
    }


def load_embedder(
    name: str,
    device: str = "auto",
    batch_size: int = 64,
    inference: str = "torch",
    cache_dir: Path | None = None,
    threads: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> Embedder:
    """Load a sentence-embedding model to run on ``inference``'s backend (see :mod:`synth.core.inference`).

    ``cache_dir`` holds exported ONNX files (default: the configured cache); ``threads`` defaults to the CPUs this
    process may use.
    """
    resolved = resolve_model(name)
    backend = resolve_backend(inference, device, name)
    revision = model_revision(resolved)
    n_threads = threads_for(threads)
    quiet_model_libraries()
    if backend in ("onnx", "onnx-int8"):
        files = local_files(name, resolved)
        root = cache_dir if cache_dir is not None else _default_cache()
        path, info = onnx_model(root, model_key(name, revision), backend, _exporter(str(files)), warn, isolate=True)
        try:
            encoder = OnnxSentenceEncoder(path, info, files, n_threads)
        except ModelLoadError:
            raise
        except Exception as err:  # noqa: BLE001 - any loader failure is reported as one line naming the model
            raise ModelLoadError(
                f"cannot load embedding model '{name}' ({backend}): {type(err).__name__}: {str(err)[:200]}"
            ) from err
        return Embedder(name, revision, encoder.dim, "cpu", encoder, batch_size, backend)
    try:
        from sentence_transformers import SentenceTransformer

        dev = pick_device(device)
        if dev == "cpu":
            set_torch_threads(n_threads)
        model = SentenceTransformer(resolved, device=dev)
        if backend == "torch-fp16":
            model.half()
            batch_size = max(batch_size, CUDA_BATCH)
    except Exception as err:  # noqa: BLE001 - any loader failure is reported as one line naming the model
        raise ModelLoadError(f"cannot load embedding model '{name}': {type(err).__name__}: {str(err)[:200]}") from err
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dim = get_dim() or int(model.encode(["x"]).shape[1])
    return Embedder(
        model_id=name, revision=revision, dim=int(dim), device=dev, _model=model, batch_size=batch_size, backend=backend
    )


def prepare_onnx(name: str, device: str, inference: str, cache_dir: Path, warn: Callable[[str], None] | None = None) -> None:
    """Make the ONNX file :func:`load_embedder` will need, without loading it (see ``core.inference.prepare_onnx``)."""
    export_ahead(name, resolve_backend(inference, device, name), cache_dir, _exporter, warn)


def _default_cache() -> Path:
    from synth.core.settings import load_settings

    return load_settings().cache_dir
