"""A 3-way NLI cross-encoder behind one small interface, whatever label order the model was trained with.

``load_nli("synth/nli-minilm-l6")`` gives synth's own offline verifier; online users can name a hub model such
as ``cross-encoder/nli-deberta-v3-base``. Both go through the same code: the label order is read from
``model.config.id2label`` and the logits are permuted into :data:`LABELS` order, never assumed.

The model runs on one of the backends of :mod:`synth.core.inference`: the sentence-transformers ``CrossEncoder``
(``torch``: fp32 on CPU, fp16 on CUDA) or its ONNX export under ONNX Runtime (``onnx``, ``onnx-int8``: no torch at
run time; the tokenizer is the model's own ``tokenizer.json``, so token counts and windows are the same).

torch and sentence-transformers are imported inside functions so that ``import synth`` stays light.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from synth.core.errors import LabelMismatchError, ModelLoadError
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
from synth.core.io import sha256_text
from synth.core.modelref import model_key, model_revision, pick_device, quiet_model_libraries, resolve_model
from synth.core.records import NLI_LABELS

LABELS = NLI_LABELS  # the column order of every array this module returns


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def label_permutation(id2label: dict[Any, str], model_id: str) -> list[int]:
    """Model output columns in :data:`LABELS` order; raises LabelMismatchError unless the labels are exactly the 3."""
    names = {int(k): str(v).strip().lower() for k, v in id2label.items()}
    if sorted(names.values()) != sorted(LABELS) or len(names) != 3:
        raise LabelMismatchError(
            f"NLI model {model_id!r} has labels {sorted(names.values())}, expected exactly {{entailment, neutral, contradiction}}"
        )
    by_name = {v: k for k, v in names.items()}
    return [by_name[label] for label in LABELS]


Advance = Callable[[int], None]
Meter = Callable[[str, int], Any]  # (description, total) -> context manager yielding an Advance
#: runs planned batches somewhere (e.g. on a Ray cluster) and returns each batch's raw logits, in order
PairRunner = Callable[[list[list[tuple[str, str]]], Advance], list[np.ndarray]]
CUDA_BATCH = 256  # pairs per batch on a GPU: large, length-sorted batches keep it busy


class ScoreStore(Protocol):
    """Where scored pairs are remembered (:meth:`synth.core.cache.Cache.rows`): rows by (model key, content key)."""

    def rows(
        self, model_key: str, keys: Sequence[str], items: Sequence[Any], compute: Callable[[list[Any]], np.ndarray]
    ) -> tuple[np.ndarray, int]: ...


def pair_key(premise: str, hypothesis: str) -> str:
    """Content key of one (premise, hypothesis) pair: the sha256 of both texts, unambiguously joined."""
    return sha256_text(json.dumps([premise, hypothesis], ensure_ascii=False))


@dataclass
class NLIModel:
    """A loaded cross-encoder; arrays come back with columns ENTAILMENT, NEUTRAL, CONTRADICTION.

    ``scores``, when set, remembers every pair's logits by (:attr:`key`, premise and hypothesis), so a pair scored
    once (by an earlier question over the same papers) is read back instead of being scored again; ``meter`` is
    told after every batch how many pairs were scored.
    """

    model_id: str
    revision: str | None
    device: str
    batch_size: int
    _encoder: Any = field(repr=False)
    _columns: list[int] = field(repr=False)
    _languages: frozenset[str] | None = field(default=None, repr=False)
    backend: Backend = "torch"
    scores: ScoreStore | None = field(default=None, repr=False)
    meter: Meter | None = field(default=None, repr=False)
    runner: PairRunner | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """What caches and fingerprints record for this model: ``name@revision`` and the backend's suffix."""
        return model_key(self.model_id, self.revision, key_suffix(self.backend))

    @property
    def max_tokens(self) -> int:
        """The model's window in tokens (premise + hypothesis + special tokens)."""
        if isinstance(self._encoder, OnnxCrossEncoder):
            return self._encoder.max_length
        return int(self._encoder.max_seq_length)

    def predict_logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Raw logits, shape (n, 3), in :data:`LABELS` order.

        Pairs are scored in batches sorted by length (so padding is small) and put back in order; pairs the score
        store already holds for this model are not scored again.
        """
        if not pairs:
            return np.zeros((0, 3), dtype=np.float32)
        if self.scores is None:
            return self._logits(list(pairs))
        keys = [pair_key(p, h) for p, h in pairs]
        logits, _ = self.scores.rows(self.key, keys, list(pairs), self._logits)
        return np.asarray(logits, dtype=np.float32)

    def plan(self, pairs: list[tuple[str, str]]) -> list[list[int]]:
        """Batches of indices into ``pairs``, longest first (little padding): the batches the model runs."""
        if isinstance(self._encoder, OnnxCrossEncoder):
            lengths = self._encoder.lengths(pairs)
        else:
            lengths = [len(p) + len(h) for p, h in pairs]
        order = sorted(range(len(pairs)), key=lambda i: -lengths[i])
        return [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]

    def score_batch(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Raw logits of one batch, in the model's own column order, as one forward pass (no re-ordering)."""
        if isinstance(self._encoder, OnnxCrossEncoder):
            return self._encoder.predict(pairs)
        import torch

        logits = self._encoder.predict(
            pairs,
            batch_size=max(1, len(pairs)),
            activation_fn=torch.nn.Identity(),
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(logits, dtype=np.float32).reshape(len(pairs), -1)

    def _logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        batches = self.plan(pairs)
        groups = [[pairs[i] for i in b] for b in batches]
        if self.meter is None or len(batches) == 1:
            parts = self._run(groups, lambda n: None)
        else:
            with self.meter("NLI pairs", len(pairs)) as advance:
                parts = self._run(groups, advance)
        raw = np.zeros((len(pairs), parts[0].shape[1]), dtype=np.float32)
        for rows, part in zip(batches, parts, strict=True):
            raw[rows] = part
        return raw[:, self._columns]

    def _run(self, groups: list[list[tuple[str, str]]], advance: Advance) -> list[np.ndarray]:
        if self.runner is not None and len(groups) > 1:
            return self.runner(groups, advance)
        parts = []
        for group in groups:
            parts.append(self.score_batch(group))
            advance(len(group))
        return parts

    def predict_proba(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Softmax probabilities, shape (n, 3), rows sum to 1, in :data:`LABELS` order."""
        return _softmax(self.predict_logits(pairs))

    @property
    def languages(self) -> frozenset[str] | None:
        """Languages the model card declares (ISO 639-1), or None when it declares none (no filtering)."""
        return self._languages

    def count_tokens(self, text: str) -> int:
        """Number of word-piece tokens ``text`` takes, without special tokens."""
        if isinstance(self._encoder, OnnxCrossEncoder):
            return self._encoder.count_tokens(text)
        return len(self._encoder.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


class OnnxCrossEncoder:
    """A sequence-pair classifier exported to ONNX: logits in the model's own label order."""

    def __init__(self, path: Path, info: dict[str, Any], model_dir: Path, threads: int) -> None:
        from tokenizers import Tokenizer

        self.path, self.info, self.model_dir = path, info, model_dir
        self.session = ort_session(path, threads)
        self.max_length = int(info["max_length"])
        self.tokenizer, self.pad_id = load_tokenizer(model_dir, self.max_length)
        self.counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))  # no truncation: true lengths
        self.counter.no_truncation()
        self.counter.no_padding()
        self.inputs: list[str] = list(info["inputs"])
        self.id2label: dict[str, str] = dict(info["id2label"])

    def count_tokens(self, text: str) -> int:
        return len(self.counter.encode(text, add_special_tokens=False).ids)

    def _encode(self, pairs: list[tuple[str, str]]) -> list[Any]:
        return self.tokenizer.encode_batch([(p.strip(), h.strip()) for p, h in pairs])

    def lengths(self, pairs: list[tuple[str, str]]) -> list[int]:
        """Tokens of each pair, as the model will read it (truncated, with special tokens)."""
        return [len(e.ids) for e in self._encode(pairs)]

    def predict(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """One forward pass over ``pairs``, padded to the longest: logits in the model's own label order."""
        feed = pad_batch(self._encode(pairs), self.pad_id, self.inputs)
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)


def _exporter(resolved: str) -> Callable[[Path], dict[str, Any]]:
    """The export of ``resolved`` as a picklable callable (it runs in a child process: see ``onnx_model``)."""
    return functools.partial(_export_cross_encoder, resolved)


def _export_cross_encoder(resolved: str, dest: Path) -> dict[str, Any]:
    import torch
    from sentence_transformers import CrossEncoder

    from synth.core.inference import export_onnx

    quiet_model_libraries()  # a fresh child process: the libraries' chatter is not the user's business
    encoder = CrossEncoder(resolved, device="cpu", model_kwargs={"dtype": torch.float32})
    model = encoder.model.eval()
    tokenizer = encoder.tokenizer
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]

    class _Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, *arrays: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, arrays, strict=True))).logits

    sample = tokenizer(["a premise to trace", "another one"], ["a hypothesis", "one more"], padding=True, return_tensors="pt")
    export_onnx(_Logits().eval(), {n: sample[n] for n in names}, "logits", dest)
    return {
        "max_length": int(encoder.max_seq_length),
        "inputs": names,
        "id2label": {str(k): str(v) for k, v in encoder.config.id2label.items()},
    }


def prepare_onnx(
    name_or_path: str, device: str | None, inference: str, cache_dir: Path, warn: Callable[[str], None] | None = None
) -> None:
    """Make the ONNX file :func:`load_nli` will need, without loading it (see ``core.inference.prepare_onnx``)."""
    export_ahead(name_or_path, resolve_backend(inference, device or "auto", name_or_path), cache_dir, _exporter, warn)


def load_nli(
    name_or_path: str,
    device: str | None = None,
    batch_size: int = 32,
    inference: str = "torch",
    cache_dir: Path | None = None,
    threads: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> NLIModel:
    """Load a 3-way NLI cross-encoder from a directory, a model synth ships or a hub name.

    Args:
        name_or_path: e.g. ``synth/nli-minilm-l6`` (shipped), a local directory, or a hub id.
        device: ``"cuda"``/``"cpu"``; default CUDA (fp16) when available, else CPU (fp32).
        batch_size: pairs per forward pass (at least :data:`CUDA_BATCH` on a GPU).
        inference: the backend (:mod:`synth.core.inference`): ``torch``, ``onnx``, ``onnx-int8`` or ``auto``.
        cache_dir: where exported ONNX files are kept (default: the configured cache).
        threads: CPU threads (default: the CPUs this process may use).
        warn: told about a damaged exported file that was made again.

    Raises:
        ModelLoadError: the model is missing or cannot be loaded.
        LabelMismatchError: its ``config.id2label`` is not exactly entailment / neutral / contradiction.
    """
    resolved = resolve_model(name_or_path)
    local = Path(resolved)
    if (name_or_path.startswith(("/", ".", "~")) or name_or_path.endswith("/")) and not local.exists():
        raise ModelLoadError(f"NLI model {name_or_path!r} not found: no such directory {resolved}")
    if local.exists() and not (local / "config.json").is_file():
        raise ModelLoadError(f"NLI model {name_or_path!r}: {resolved} has no config.json")
    backend = resolve_backend(inference, device or "auto", name_or_path)
    quiet_model_libraries()
    n_threads = threads_for(threads)
    languages = card_languages(local / "README.md") if local.exists() else None
    if backend in ("onnx", "onnx-int8"):
        files = local_files(name_or_path, resolved)
        revision = model_revision(resolved)  # a hub model keeps the key it has under torch ("@hub")
        root = cache_dir if cache_dir is not None else _default_cache()
        path, info = onnx_model(root, model_key(name_or_path, revision), backend, _exporter(str(files)), warn, isolate=True)
        columns = label_permutation(info["id2label"], name_or_path)
        try:
            encoder = OnnxCrossEncoder(path, info, files, n_threads)
        except Exception as exc:  # any failure to load is the same thing to the user
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise ModelLoadError(
                f"could not load NLI model {name_or_path!r} ({backend}: {type(exc).__name__}: {first_line})"
            ) from exc
        return NLIModel(name_or_path, revision, "cpu", batch_size, encoder, columns, languages, backend)
    try:
        import torch
        from sentence_transformers import CrossEncoder

        device = pick_device(device or "auto")
        if device == "cpu":
            set_torch_threads(n_threads)
        # fp16 only on CUDA; on CPU always fp32, even though the shipped weights are stored in fp16.
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        encoder = CrossEncoder(resolved, device=device, model_kwargs={"dtype": dtype})
    except Exception as exc:  # any failure to load is the same thing to the user
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelLoadError(f"could not load NLI model {name_or_path!r} ({type(exc).__name__}: {first_line})") from exc
    columns = label_permutation(encoder.config.id2label, name_or_path)
    encoder.eval()
    revision = model_revision(str(local)) if local.exists() else getattr(encoder.config, "_commit_hash", None)
    if device.startswith("cuda"):
        backend, batch_size = "torch-fp16", max(batch_size, CUDA_BATCH)
    return NLIModel(name_or_path, revision, device, batch_size, encoder, columns, languages, backend)


def _default_cache() -> Path:
    from synth.core.settings import load_settings

    return load_settings().cache_dir


def card_languages(card: Path) -> frozenset[str] | None:
    """The ``language:`` of a Hugging Face model card's YAML front matter (a code or a list of codes), if any."""
    import yaml  # PyYAML: a dependency of transformers

    if not card.is_file():
        return None
    text = card.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    try:
        front = yaml.safe_load(text.split("---", 2)[1]) or {}
    except yaml.YAMLError:
        return None
    value = front.get("language") if isinstance(front, dict) else None
    codes = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return frozenset(str(c) for c in codes if c) or None
