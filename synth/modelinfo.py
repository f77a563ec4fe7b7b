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
