"""Sentence embeddings (sentence-transformers), normalised so inner product is cosine similarity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synth.core.errors import ModelLoadError
from synth.core.modelref import model_key, model_revision, pick_device, quiet_model_libraries, resolve_model


@dataclass
class Embedder:
    model_id: str
    revision: str | None
    dim: int
    device: str
    _model: Any
    batch_size: int = 64

    @property
    def key(self) -> str:
        """Cache key of this model's vectors (:func:`synth.core.modelref.model_key`)."""
        return model_key(self.model_id, self.revision)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def load_embedder(name: str, device: str = "auto", batch_size: int = 64) -> Embedder:
    resolved = resolve_model(name)
    quiet_model_libraries()
    try:
        from sentence_transformers import SentenceTransformer

        dev = pick_device(device)
        model = SentenceTransformer(resolved, device=dev)
        if dev == "cuda":
            model.half()
    except Exception as err:  # noqa: BLE001 - any loader failure is reported as one line naming the model
        raise ModelLoadError(f"cannot load embedding model '{name}': {type(err).__name__}: {str(err)[:200]}") from err
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dim = get_dim() or int(model.encode(["x"]).shape[1])
    return Embedder(
        model_id=name, revision=model_revision(resolved), dim=int(dim), device=dev, _model=model, batch_size=batch_size
    )
