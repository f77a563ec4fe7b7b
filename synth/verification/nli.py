"""A 3-way NLI cross-encoder behind one small interface, whatever label order the model was trained with.

``load_nli("synth/nli-minilm-l6")`` gives synth's own offline verifier; online users can name a hub model such
as ``cross-encoder/nli-deberta-v3-base``. Both go through the same code: the label order is read from
``model.config.id2label`` and the logits are permuted into :data:`LABELS` order, never assumed.

torch and sentence-transformers are imported inside functions so that ``import synth`` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.errors import LabelMismatchError, ModelLoadError
from synth.core.modelref import model_revision, pick_device, resolve_model
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


@dataclass
class NLIModel:
    """A loaded cross-encoder; arrays come back with columns ENTAILMENT, NEUTRAL, CONTRADICTION."""

    model_id: str
    revision: str | None
    device: str
    batch_size: int
    _encoder: Any = field(repr=False)
    _columns: list[int] = field(repr=False)
    _languages: frozenset[str] | None = field(default=None, repr=False)

    @property
    def max_tokens(self) -> int:
        """The model's window in tokens (premise + hypothesis + special tokens)."""
        return int(self._encoder.max_seq_length)

    def predict_logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Raw logits, shape (n, 3), in :data:`LABELS` order.

        Batches are sorted by length inside ``CrossEncoder.predict`` (so padding is small) and put back in order.
        """
        if not pairs:
            return np.zeros((0, 3), dtype=np.float32)
        import torch

        logits = self._encoder.predict(
            [(p, h) for p, h in pairs],
            batch_size=self.batch_size,
            activation_fn=torch.nn.Identity(),
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        logits = np.asarray(logits, dtype=np.float32).reshape(len(pairs), -1)
        return logits[:, self._columns]

    def predict_proba(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Softmax probabilities, shape (n, 3), rows sum to 1, in :data:`LABELS` order."""
        return _softmax(self.predict_logits(pairs))

    @property
    def languages(self) -> frozenset[str] | None:
        """Languages the model card declares (ISO 639-1), or None when it declares none (no filtering)."""
        return self._languages

    def count_tokens(self, text: str) -> int:
        """Number of word-piece tokens ``text`` takes, without special tokens."""
        return len(self._encoder.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


def load_nli(name_or_path: str, device: str | None = None, batch_size: int = 32) -> NLIModel:
    """Load a 3-way NLI cross-encoder from a directory, a model synth ships or a hub name.

    Args:
        name_or_path: e.g. ``synth/nli-minilm-l6`` (shipped), a local directory, or a hub id.
        device: ``"cuda"``/``"cpu"``; default CUDA (fp16) when available, else CPU (fp32).
        batch_size: pairs per forward pass.

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
    try:
        import torch
        from sentence_transformers import CrossEncoder

        device = pick_device(device or "auto")
        # fp16 only on CUDA; on CPU always fp32, even though the shipped weights are stored in fp16.
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        encoder = CrossEncoder(resolved, device=device, model_kwargs={"dtype": dtype})
    except Exception as exc:  # any failure to load is the same thing to the user
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelLoadError(f"could not load NLI model {name_or_path!r} ({type(exc).__name__}: {first_line})") from exc
    columns = label_permutation(encoder.config.id2label, name_or_path)
    encoder.eval()
    revision = model_revision(str(local)) if local.exists() else getattr(encoder.config, "_commit_hash", None)
    languages = card_languages(local / "README.md") if local.exists() else None
    return NLIModel(name_or_path, revision, device, batch_size, encoder, columns, languages)


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
