"""Identity of a model (id and revision) so caches and fingerprints change when the weights do."""

from __future__ import annotations

import hashlib
from pathlib import Path

_WEIGHTS = ("model.safetensors", "pytorch_model.bin", "model.onnx")


def model_revision(resolved: str) -> str | None:
    """A short digest of a local model's config and weights (size + first MiB); None for a hub name."""
    path = Path(resolved)
    if not path.is_dir():
        return None
    h = hashlib.sha256()
    for name in ("config.json", *_WEIGHTS):
        file = path / name
        if file.is_file():
            h.update(name.encode())
            h.update(str(file.stat().st_size).encode())
            with file.open("rb") as f:
                h.update(f.read(1 << 20))
    return h.hexdigest()[:16]


def pick_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def model_key(name: str) -> str:
    """``name@revision``: what caches and fingerprints record for a model, without loading it."""
    from synth.resolve import resolve_model

    return f"{name}@{model_revision(resolve_model(name)) or 'hub'}"


def quiet_model_libraries() -> None:
    """Silence load-time chatter (weight-loading bars, deprecation notes, length warnings) that users cannot act on.

    Real failures still raise; this only keeps synth's own progress and messages readable.
    """
    import os
    import warnings

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(transformers|sentence_transformers)(\..*)?")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"synth\..*")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers is a dependency
        pass
