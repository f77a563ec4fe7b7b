"""The passage index: FAISS inner product over normalised embeddings, with its chunks beside it (JSONL, never pickle).

Used by verification (evidence per claim) and by `synth search-passages`. An index remembers the embedding
model and dimension that built it and refuses queries embedded by another model or of another dimension.

Which index (the rule; ``index_kind`` names the choice, recorded in the stage counts and the manifest):

- up to ``index.flat_max`` vectors (100k): exact ``IndexFlatIP``. A query scans all n·d floats: 5.1 ms of CPU at
  100k × 384, 52 ms at 1M, so flat stops at 100k;
- up to ``index.ivfpq_min`` (1M): HNSW (``IndexHNSWFlat``, M=32, efConstruction 80, efSearch 256): recall@10 ~1.0,
  0.4-0.5 ms CPU a query, no training; but it keeps every fp32 vector plus its graph (1.8 KB a vector at 384 dims:
  1.8 GB at 1M, 18 GB at 10M) and builds at ~2,600 vectors/s here (38 s at 100k; ~8 min at 1M, ~1.5 h at 10M);
- from ``index.ivfpq_min``: IVF-PQ, ``IVF{nlist},PQ{d/8}x4fs`` with the k·8 shortlist re-scored from 8-bit scalar
  codes (``IndexRefine`` over SQ8), trained on a random sample of 64·nlist vectors (seeded: a rebuild is the same
  index), nlist the power of two at or below 4·sqrt(n) (2048 at 1M). nprobe 32 and k_factor 8 are kept in
  ``index.json`` and re-applied on load, as HNSW's efSearch is. 417 B a vector (24 B PQ codes, 8 B id, 384 B SQ8):
  420 MB at 1M, a quarter of HNSW's; build 70 s at 1M (38 s of it training); 0.14 ms CPU a query.

Measured by benchmarks/bench_index_scale.py (reports/benchmarks/index_scale.json; 2 shared vCPUs) on simulated
passages around real MiniLM embeddings, 500 queries, recall@10 against exact search:

    n      kind    build s   MB     recall@10  CPU p50 / p99 ms (1 thread)
    100k   flat        0.3    154   1          5.1 / 6.3
    100k   hnsw       37.9    181   0.9998     0.43 / 0.69
    100k   ivfpq      15.9     44   0.972      0.08 / 0.20
    1M     flat        1.0   1536   1          52 / 66
    1M     hnsw      ~455*  1808*   -          ~0.52*
    1M     ivfpq      69.8    420   0.970      0.14 / 0.22      (* extrapolated from 100k)

The PQ codes alone find only 0.51-0.76 of the top 10; the SQ8 re-scoring is what brings recall to 0.97, and it is
most of IVF-PQ's memory (re-scoring from fp32 ``IndexRefineFlat`` would cost 1.5 KB a vector, as much as flat).
Recall at 1M hardly moves with nprobe (8 to 64): the shortlist length (k_factor), not the lists visited, bounds it.
The simulated 1M corpus is ~27 points around each of 37k real anchors, tighter than a real one may be; on a
noisier mixture (``--noise-scale 0.5``, index_scale_noise0.5.json) IVF-PQ's recall@10 is 0.915 / 0.951 / 0.981 at
10k / 100k / 1M, still above 0.9.
Why 1M for ``ivfpq_min``: below it HNSW's memory (< 1.8 GB) and build (< 8 min) are affordable and its recall is
higher; above it they grow to 18 GB and ~1.5 h at 10M while IVF-PQ stays at ~4.2 GB and ~30 min (estimates in
the benchmark's JSON). IVF-PQ needs at least ``IVFPQ_MIN_TRAIN`` vectors to train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.errors import IndexMismatchError
from synth.core.io import atomic_write_with, read_json, read_jsonl, write_json
from synth.core.records import Chunk

HNSW_M = 32  # graph degree; the graph adds n × 32 × 2 × 4 B (256 MB at 1M) to the vectors
HNSW_EF_CONSTRUCTION = 80  # build effort (faiss's default is 40); build time grows about linearly with it
HNSW_EF_SEARCH = 256  # query effort (recall 0.995 vs 0.97 at 128 on 100k); kept in the index metadata, re-applied on load

IVFPQ_MIN = 1_000_000  # default of ``index.ivfpq_min`` (core/settings.py repeats it; a test keeps the two equal)
IVFPQ_PQ_DIMS = 8  # dimensions per PQ sub-quantizer: 48 sub-quantizers of 4 bits at 384 dims (24 B a vector)
IVFPQ_REFINE = "SQ8"  # the shortlist re-scored from 8-bit scalar-quantized vectors (384 B a vector at 384 dims)
IVFPQ_K_FACTOR = 8  # shortlist = k x this, re-scored by the refine stage; kept in the index metadata
IVFPQ_NPROBE = 32  # inverted lists visited per query; kept in the index metadata, re-applied on load
IVFPQ_TRAIN_PER_LIST = 64  # training sample = this x nlist vectors (all of them for a small corpus)
IVFPQ_MIN_TRAIN = 1_000  # fewer vectors cannot train the lists and codes: such a corpus never gets IVF-PQ
IVFPQ_SEED = 0  # seeds the training sample and k-means, so a rebuild over the same vectors is the same index


def ivfpq_nlist(n: int) -> int:
    """Inverted lists for ``n`` vectors: the power of two at or below 4·sqrt(n), with at least 64 training vectors
    a list (so a small corpus gets few lists, trained without faiss's too-few-points warning)."""
    target = max(1, min(4 * math.isqrt(max(n, 1)), n // IVFPQ_TRAIN_PER_LIST))
    return 1 << (target.bit_length() - 1)


def ivfpq_m(d: int) -> int:
    """PQ sub-quantizers for dimension ``d``: the largest divisor of ``d`` at or below d/8 (48 at 384 dims)."""
    return max(m for m in range(1, max(1, d // IVFPQ_PQ_DIMS) + 1) if d % m == 0)


def index_kind(n: int, flat_max: int, ivfpq_min: int = IVFPQ_MIN) -> str:
    """The index an ``n``-vector corpus gets, as recorded in the stage counts and the manifest.

    Exact flat when ``n <= flat_max`` (this rule comes first), IVF-PQ when ``n >= ivfpq_min`` (and at least
    ``IVFPQ_MIN_TRAIN``), HNSW in between.
    """
    if n <= flat_max:
        return "flat"
    if n >= max(ivfpq_min, IVFPQ_MIN_TRAIN):
        nlist = ivfpq_nlist(n)
        sample = min(n, IVFPQ_TRAIN_PER_LIST * nlist)
        return (
            f"ivfpq(IVF{nlist},PQ(d/{IVFPQ_PQ_DIMS})x4fs,Refine({IVFPQ_REFINE}),nprobe={IVFPQ_NPROBE},k_factor={IVFPQ_K_FACTOR},"
            f"train={sample},seed={IVFPQ_SEED})"
        )
    return f"hnsw(M={HNSW_M},efConstruction={HNSW_EF_CONSTRUCTION},efSearch={HNSW_EF_SEARCH})"


def search_params(kind: str) -> dict[str, int]:
    """The query-time settings of an index of ``kind``, written into its metadata and re-applied on load
    (FAISS's own files keep some of them, but not every version and wrapper does)."""
    if kind.startswith("hnsw"):
        return {"ef_search": HNSW_EF_SEARCH}
    if kind.startswith("ivfpq"):
        return {"nprobe": IVFPQ_NPROBE, "k_factor": IVFPQ_K_FACTOR}
    return {}


def apply_search_params(index: Any, meta: dict[str, Any]) -> None:
    """Set ``ef_search`` / ``nprobe`` / ``k_factor`` from ``meta`` on ``index`` (each only where it applies)."""
    if meta.get("ef_search") and hasattr(index, "hnsw"):
        index.hnsw.efSearch = int(meta["ef_search"])
    if meta.get("nprobe") or meta.get("k_factor"):
        import faiss

        ivf = faiss.try_extract_index_ivf(index)
        if ivf is not None and meta.get("nprobe"):
            ivf.nprobe = int(meta["nprobe"])
        if meta.get("k_factor") and hasattr(index, "k_factor"):
            index.k_factor = float(meta["k_factor"])


def build_index(vectors: np.ndarray, flat_max: int, dim: int | None = None, ivfpq_min: int = IVFPQ_MIN) -> tuple[Any, str]:
    """An inner-product index over ``vectors`` (rows normalised): exact flat up to ``flat_max`` rows, IVF-PQ from
    ``ivfpq_min`` rows, HNSW in between.

    Args:
        vectors: float32 array of shape (n, dim); may be empty.
        flat_max: largest corpus that still gets an exact flat index.
        dim: the embedding dimension; needed when ``vectors`` is empty.
        ivfpq_min: smallest corpus that gets IVF-PQ (trained on a seeded sample of ``vectors``).

    Returns:
        The FAISS index and its kind (``index_kind``).
    """
    import faiss

    n = int(vectors.shape[0]) if vectors.ndim == 2 else 0
    d = int(vectors.shape[1]) if n else int(dim or (vectors.shape[1] if vectors.ndim == 2 else 0))
    if d <= 0:
        raise ValueError("cannot build an index of unknown dimension (no vectors and no dim)")
    kind = index_kind(n, flat_max, ivfpq_min)
    index: Any
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif kind.startswith("ivfpq"):
        index = train_ivfpq(np.ascontiguousarray(vectors, dtype=np.float32))
    else:
        index = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index, kind


def train_ivfpq(vectors: np.ndarray) -> Any:
    """An empty IVF-PQ index over inner product, its shortlist re-scored from SQ8 codes, trained on a seeded
    random sample of ``vectors`` (``IVFPQ_TRAIN_PER_LIST`` x nlist rows, or all of a small corpus)."""
    import faiss

    n, d = vectors.shape
    nlist = ivfpq_nlist(n)
    index = faiss.index_factory(d, f"IVF{nlist},PQ{ivfpq_m(d)}x4fs,Refine({IVFPQ_REFINE})", faiss.METRIC_INNER_PRODUCT)
    ivf = faiss.extract_index_ivf(index)
    ivf.cp.seed = IVFPQ_SEED
    ivf.cp.niter = 10  # k-means iterations; faiss's default (25) costs 2.5x the training time for no recall here
    rows = np.random.default_rng(IVFPQ_SEED).choice(n, size=min(n, IVFPQ_TRAIN_PER_LIST * nlist), replace=False)
    index.train(vectors[np.sort(rows)])
    apply_search_params(index, search_params("ivfpq"))
    return index


def serialize_index(index: Any) -> bytes:
    """The index as FAISS's own portable binary format (what ``write_index`` writes), for the shared cache."""
    import faiss

    return bytes(faiss.serialize_index(index).tobytes())


def deserialize_index(data: bytes) -> Any:
    import faiss

    return faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))


@dataclass
class Hit:
    chunk: Chunk
    score: float


class PassageIndex:
    """A FAISS index and the chunks its rows stand for, plus the model that embedded them."""

    def __init__(self, index: Any, chunks: list[Chunk], meta: dict[str, Any]) -> None:
        if int(index.ntotal) != len(chunks):
            raise IndexMismatchError(f"index holds {index.ntotal} vectors but {len(chunks)} chunks were given")
        if "dim" in meta and int(index.d) != int(meta["dim"]):
            raise IndexMismatchError(f"index dimension {index.d} differs from its metadata ({meta['dim']})")
        self.index = index
        self.chunks = chunks
        self.meta = meta
        apply_search_params(index, meta)

    @property
    def model_key(self) -> str:
        return str(self.meta["model_key"])

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @classmethod
    def save(cls, folder: Path, index: Any, chunks: list[Chunk], meta: dict[str, Any]) -> None:
        """Write ``index.faiss`` and ``index.json`` (metadata and the chunk id of each row) into ``folder``."""
        import faiss

        if int(index.ntotal) != len(chunks):
            raise IndexMismatchError(f"index holds {index.ntotal} vectors but {len(chunks)} chunks were given")
        atomic_write_with(folder / "index.faiss", lambda tmp: faiss.write_index(index, str(tmp)))
        write_json(folder / "index.json", {**meta, "chunk_ids": [c.id for c in chunks]})

    @classmethod
    def load(cls, index_dir: Path, chunks_path: Path) -> PassageIndex:
        import faiss

        meta = read_json(index_dir / "index.json")
        by_id = {c.id: c for c in read_jsonl(chunks_path, Chunk)}
        ids = meta.pop("chunk_ids")
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise IndexMismatchError(
                f"{index_dir}: index rows name {len(missing)} chunks absent from {chunks_path.name}, e.g. {missing[0]}"
            )
        return cls(faiss.read_index(str(index_dir / "index.faiss")), [by_id[i] for i in ids], meta)

    def check(self, model_key: str, dim: int) -> None:
        """Raise IndexMismatchError unless queries from ``model_key`` with dimension ``dim`` fit this index."""
        if model_key != self.model_key or dim != self.dim:
            raise IndexMismatchError(
                f"index was built with {self.model_key} (dim {self.dim}); query embedded with {model_key} (dim {dim})"
            )

    def search(self, query: np.ndarray, k: int, exclude_papers: set[str] | None = None) -> list[Hit]:
        """Top-k chunks for one normalised query vector, skipping chunks of ``exclude_papers``."""
        q = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, -1))
        if q.shape[1] != self.dim:
            raise IndexMismatchError(
                f"query has dimension {q.shape[1]}, index {self.dim} (built with {self.meta.get('model_key')})"
            )
        if not self.chunks or k <= 0:
            return []
        exclude = exclude_papers or set()
        fetch = min(len(self.chunks), max(k * 4, k + 20)) if exclude else min(len(self.chunks), k)
        while True:
            scores, ids = self.index.search(q, fetch)
            hits = [Hit(self.chunks[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
            kept = [h for h in hits if h.chunk.paper_id not in exclude]
            if len(kept) >= k or fetch >= len(self.chunks):
                return kept[:k]
            fetch = min(len(self.chunks), fetch * 4)
