"""The passage index at 10k, 100k and 1M simulated passages: exact flat, HNSW and IVF-PQ, as synth builds them.

For each size and index kind: build seconds (IVF-PQ: train + add), memory (bytes of the serialized index and the
process's RSS growth while building it), recall@10 against exact flat search, per-query latency p50/p99 (one query
at a time on one thread: wall-clock and the thread's CPU time) and batch throughput (all queries in one call, all
threads). Then an estimate for 10M passages from the measured scaling, labelled as an estimate.

Passages are simulated: 384-d unit vectors drawn around real all-MiniLM-L6-v2 embeddings (every MiniLM row in synth's
embedding cache, i.e. chunks, sentences and claims that earlier runs embedded) as a Gaussian mixture: anchor + noise
with the covariance of the real embeddings (so the noise lies along the directions real embeddings vary in), scaled
so that at 10k the nearest-neighbour cosine distribution matches the real embeddings' (both are in the JSON).
Queries come from the same mixture and are not in the index. Without a cache, anchors are random directions with the
same kind of noise (``--seed-from random``), and the JSON says so.

HNSW is built only up to ``--hnsw-max-n`` (default 100k: 38 s here; 1M would take ~8 min); above, its figures are
extrapolated from the largest measured size (build n·log n, memory linear, latency log n) and marked so.

Usage::

    python benchmarks/bench_index_scale.py [--max-n 1000000] [--queries 500] [--hnsw-max-n 100000]
        [--out reports/benchmarks/index_scale.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIM = 384
SIZES = (10_000, 100_000, 1_000_000)
NOISE_SCALE = 0.3  # matches the real embeddings' nearest-neighbour cosines at 10k (p10/p50/p90, see "data" in the JSON)
NPROBES = (8, 16, 32, 64)
K_FACTORS = (4, 8, 16)
MB = 1e6


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 3)


def _serialized_bytes(index: Any) -> int:
    """Bytes FAISS writes for ``index`` (counted as written, without holding a second copy in memory)."""
    import faiss

    total = 0

    def count(buf: bytes) -> int:
        nonlocal total
        total += len(buf)
        return len(buf)

    faiss.write_index(index, faiss.PyCallbackIOWriter(count))
    return total


def seed_anchors(source: str) -> tuple[np.ndarray, str]:
    """Real MiniLM embeddings from synth's cache (or random directions), and a line saying which."""
    if source == "cache":
        from synth.core.settings import DEFAULT_EMBEDDING_MODEL, load_settings

        db = load_settings().cache_dir / "embeddings.sqlite"
        if db.is_file():
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            rows = con.execute(
                "SELECT vector FROM embeddings WHERE model LIKE ? AND dim = ?", (DEFAULT_EMBEDDING_MODEL + "@%", DIM)
            ).fetchall()
            con.close()
            if len(rows) >= 1000:
                v = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float32).reshape(-1, DIM).copy()
                v /= np.linalg.norm(v, axis=1, keepdims=True)
                return v, f"{len(v)} real {DEFAULT_EMBEDDING_MODEL} embeddings from synth's cache ({db})"
    v = np.random.default_rng(7).standard_normal((20_000, DIM)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v, "20000 random directions (no embedding cache found): less like real embeddings"


class Mixture:
    """Unit vectors around the anchors: anchor + NOISE_SCALE x noise with the anchors' covariance, normalised."""

    def __init__(self, anchors: np.ndarray, scale: float = NOISE_SCALE) -> None:
        self.anchors = anchors
        centred = anchors - anchors.mean(0)
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        self.basis = (vt * (s / math.sqrt(len(anchors)))[:, None]).astype(np.float32)  # rows: principal axes x sd
        self.scale = scale

    def sample(self, n: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        out = np.empty((n, DIM), dtype=np.float32)
        for a in range(0, n, 100_000):
            m = min(100_000, n - a)
            z = rng.standard_normal((m, self.basis.shape[0]), dtype=np.float32) @ self.basis
            x = self.anchors[rng.integers(0, len(self.anchors), m)] + self.scale * z
            out[a : a + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
        return out


def nn_cosines(vectors: np.ndarray, probes: int = 1000) -> dict[str, float]:
    """Percentiles of the cosine of a point's nearest and 10th-nearest other point (first ``probes`` points)."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    s, _ = index.search(vectors[:probes], 11)
    p = np.percentile(s[:, 1], [10, 50, 90])
    return {"nn_p10": round(float(p[0]), 3), "nn_p50": round(float(p[1]), 3), "nn_p90": round(float(p[2]), 3),
            "nn10_p50": round(float(np.median(s[:, 10])), 3)}  # fmt: skip


def latency(index: Any, queries: np.ndarray, k: int = 10) -> dict[str, float]:
    """One query at a time on one thread (how verification searches): wall-clock and thread-CPU p50/p99."""
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    wall, cpu = [], []
    try:
        for q in queries:
            w, c = time.perf_counter(), time.thread_time()
            index.search(q.reshape(1, -1), k)
            cpu.append((time.thread_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
    finally:
        faiss.omp_set_num_threads(threads)
    return {"p50_ms": _pct(wall, 50), "p99_ms": _pct(wall, 99), "cpu_p50_ms": _pct(cpu, 50),
            "cpu_p99_ms": _pct(cpu, 99), "latency_queries": len(queries)}  # fmt: skip


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return round(float(np.mean([len(set(f) & set(t)) / t.shape[0] for f, t in zip(found, truth, strict=True)])), 4)


def _batch(index: Any, queries: np.ndarray) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    _, ids = index.search(queries, 10)
    return ids, round(len(queries) / (time.perf_counter() - t0), 1)


def bench_size(n: int, mix: Mixture, n_queries: int, hnsw_max_n: int) -> dict[str, Any]:
    import faiss

    from synth.retrieval.index import (
        HNSW_EF_SEARCH,
        IVFPQ_K_FACTOR,
        IVFPQ_NPROBE,
        build_index,
        index_kind,
        search_params,
        train_ivfpq,
    )

    t0 = time.perf_counter()
    base = mix.sample(n, seed=1)
    queries = mix.sample(n_queries, seed=2)
    out: dict[str, Any] = {"n": n, "queries": n_queries, "simulate_s": round(time.perf_counter() - t0, 1)}
    rows: dict[str, Any] = {}

    # exact flat: the ground truth (one batched search), and what it costs one query at a time
    rss0, t0 = _rss(), time.perf_counter()
    flat, _ = build_index(base, flat_max=n)
    row: dict[str, Any] = {
        "kind": "flat",
        "build_s": round(time.perf_counter() - t0, 2),
        "rss_growth_mb": round((_rss() - rss0) / MB, 1),
    }
    row["index_mb"] = round(_serialized_bytes(flat) / MB, 1)
    truth, row["batch_qps"] = _batch(flat, queries)
    row["recall_at_10"] = 1.0
    row.update(latency(flat, queries[: n_queries if n <= 100_000 else 100]))  # 100 at 1M: ~0.1-0.3 s each here
    rows["flat"] = row
    del flat
    print(f"  flat: {row}", flush=True)

    # HNSW as synth builds it between index.flat_max and index.ivfpq_min
    if n <= hnsw_max_n:
        rss0, t0 = _rss(), time.perf_counter()
        hnsw, kind = build_index(base, flat_max=0, ivfpq_min=n + 1)
        row = {"kind": kind, "build_s": round(time.perf_counter() - t0, 2), "rss_growth_mb": round((_rss() - rss0) / MB, 1)}
        row["index_mb"] = round(_serialized_bytes(hnsw) / MB, 1)
        sweep = {}
        for ef in (64, 128, HNSW_EF_SEARCH):
            hnsw.hnsw.efSearch = ef
            sweep[f"efSearch={ef}"] = recall(hnsw.search(queries, 10)[1], truth)
        hnsw.hnsw.efSearch = HNSW_EF_SEARCH
        found, row["batch_qps"] = _batch(hnsw, queries)
        row["recall_at_10"] = recall(found, truth)
        row["recall_sweep"] = sweep
        row.update(latency(hnsw, queries))
        rows["hnsw"] = row
        del hnsw
        print(f"  hnsw: {row}", flush=True)

    # IVF-PQ as synth builds it from index.ivfpq_min: train on the seeded sample, then add
    kind = index_kind(n, flat_max=0, ivfpq_min=0)
    rss0, t0 = _rss(), time.perf_counter()
    ivfpq = train_ivfpq(base)
    train_s = time.perf_counter() - t0
    ivfpq.add(base)
    row = {"kind": kind, "build_s": round(time.perf_counter() - t0, 2), "train_s": round(train_s, 2),
           "rss_growth_mb": round((_rss() - rss0) / MB, 1)}  # fmt: skip
    row["index_mb"] = round(_serialized_bytes(ivfpq) / MB, 1)
    ivf = faiss.extract_index_ivf(ivfpq)
    sweep = {}
    for nprobe in NPROBES:
        ivf.nprobe = nprobe
        sweep[f"nprobe={nprobe},unrefined"] = recall(ivfpq.base_index.search(queries, 10)[1], truth)
        for kf in K_FACTORS:
            ivfpq.k_factor = kf
            sweep[f"nprobe={nprobe},k_factor={kf}"] = recall(ivfpq.search(queries, 10)[1], truth)
    params = search_params(kind)
    assert params == {"nprobe": IVFPQ_NPROBE, "k_factor": IVFPQ_K_FACTOR}
    ivf.nprobe, ivfpq.k_factor = IVFPQ_NPROBE, IVFPQ_K_FACTOR
    found, row["batch_qps"] = _batch(ivfpq, queries)
    row["recall_at_10"] = recall(found, truth)
    row["recall_sweep"] = sweep
    row.update(latency(ivfpq, queries))
    rows["ivfpq"] = row
    del ivfpq, base
    print(f"  ivfpq: {row}", flush=True)
    out["kinds"] = rows
    return out


def extrapolate_hnsw(measured: dict[str, Any], n: int) -> dict[str, Any]:
    """HNSW at ``n`` from a measured row at n0: build ∝ n·log n, memory ∝ n, latency ∝ log n; recall not guessed."""
    n0 = measured["n"]
    r = measured["kinds"]["hnsw"]
    grow = (n / n0) * math.log(n) / math.log(n0)
    log_ratio = math.log(n) / math.log(n0)
    return {"kind": r["kind"], "extrapolated_from_n": n0, "build_s": round(r["build_s"] * grow, 0),
            "index_mb": round(r["index_mb"] * n / n0, 1), "rss_growth_mb": None, "recall_at_10": None,
            "p50_ms": round(r["p50_ms"] * log_ratio, 3), "p99_ms": round(r["p99_ms"] * log_ratio, 3),
            "cpu_p50_ms": round(r["cpu_p50_ms"] * log_ratio, 3), "cpu_p99_ms": round(r["cpu_p99_ms"] * log_ratio, 3),
            "batch_qps": round(r["batch_qps"] / log_ratio, 1)}  # fmt: skip


def estimate_10m(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    """What 10M passages would need, scaled from the largest measured size (an estimate, not a measurement)."""
    from synth.retrieval.index import ivfpq_nlist

    big = sizes[-1]
    n0, n = big["n"], 10_000_000
    f = n / n0
    k = big["kinds"]
    est: dict[str, Any] = {"n": n, "from_n": n0, "label": "ESTIMATE from measured scaling, not measured"}
    fl = k["flat"]
    est["flat"] = {"index_gb": round(fl["index_mb"] * f / 1000, 1), "build_s": round(fl["build_s"] * f, 0),
                   "cpu_p50_ms": round(fl["cpu_p50_ms"] * f, 1), "rule": "memory, build and per-query scan ∝ n"}  # fmt: skip
    hn = k["hnsw"]  # measured, or itself extrapolated by the same rule (n·log n composes)
    g = f * math.log(n) / math.log(n0)
    est["hnsw"] = {"index_gb": round(hn["index_mb"] * f / 1000, 1), "build_s": round(hn["build_s"] * g, 0),
                   "cpu_p50_ms": round(hn["cpu_p50_ms"] * math.log(n) / math.log(n0), 3),
                   "rule": "memory ∝ n, build ∝ n·log n, query ∝ log n"}  # fmt: skip
    iv = k["ivfpq"]
    nl0, nl = ivfpq_nlist(n0), ivfpq_nlist(n)
    per_vector = (iv["index_mb"] * MB - nl0 * DIM * 4) / n0  # codes + ids + SQ8 refine codes, without the centroids
    train = iv["train_s"] * (nl / nl0) ** 2  # k-means: (64·nlist sample) x nlist centroids
    add = (iv["build_s"] - iv["train_s"]) * f * nl / nl0  # assigning n vectors to nlist centroids dominates
    # query cost: the exponent of the measured growth between the two largest sizes (lists ∝ n/nlist, quantizer ∝ nlist)
    prev = sizes[-2]["kinds"]["ivfpq"] if len(sizes) > 1 else iv
    alpha = math.log(iv["cpu_p50_ms"] / prev["cpu_p50_ms"]) / math.log(n0 / sizes[-2]["n"]) if len(sizes) > 1 else 0.5
    scan = f**alpha
    est["ivfpq"] = {"index_gb": round((per_vector * n + nl * DIM * 4) / 1e9, 2), "bytes_per_vector": round(per_vector, 1),
                    "nlist": nl, "build_s": round(train + add, 0), "train_s": round(train, 0),
                    "cpu_p50_ms": round(iv["cpu_p50_ms"] * scan, 3), "query_growth_exponent": round(alpha, 2),
                    "rule": "memory ∝ n (codes + SQ8) + centroids; train ∝ nlist² (sample 64·nlist), add ∝ n·nlist; "
                    "query ∝ n^a, a fitted on the two largest sizes"}  # fmt: skip
    return est


def table(report: dict[str, Any]) -> str:
    head = (f"{'n':>9} {'kind':<6} {'build s':>8} {'MB':>8} {'RSS+MB':>8} {'recall@10':>9} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'cpu p50':>8} {'batch q/s':>9} | {'MB/flat':>7} {'flat cpu p50/x':>14}")  # fmt: skip
    lines = [head, "-" * len(head)]
    for s in report["sizes"]:
        flat = s["kinds"]["flat"]
        for name in ("flat", "hnsw", "ivfpq"):
            r = s["kinds"].get(name)
            if r is None:
                continue
            mark = "*" if r.get("extrapolated_from_n") else ""
            recall_s = "-" if r["recall_at_10"] is None else f"{r['recall_at_10']:.3f}"
            rss = "-" if r["rss_growth_mb"] is None else f"{r['rss_growth_mb']:.0f}"
            lines.append(
                f"{s['n']:>9,} {name + mark:<6} {r['build_s']:>8.1f} {r['index_mb']:>8.1f} {rss:>8} {recall_s:>9} "
                f"{r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} {r['cpu_p50_ms']:>8.3f} {r['batch_qps']:>9.0f} | "
                f"{r['index_mb'] / flat['index_mb']:>7.2f} {flat['cpu_p50_ms'] / max(r['cpu_p50_ms'], 1e-6):>14.1f}"
            )
    lines.append("* extrapolated from the largest size HNSW was built at (build n·log n, memory n, latency log n)")
    e = report["estimate_10m"]
    lines.append(f"\n{e['label']}: {e['n']:,} passages (from {e['from_n']:,})")
    for name in ("flat", "hnsw", "ivfpq"):
        r = e[name]
        lines.append(f"  {name:<6} memory {r['index_gb']:>6} GB  build {r['build_s'] / 60:>7.0f} min  "
                     f"query cpu p50 {r['cpu_p50_ms']} ms  ({r['rule']})")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-n", type=int, default=1_000_000, help="largest simulated corpus (sizes 10k, 100k, 1M)")
    parser.add_argument("--queries", type=int, default=500, help="queries for recall and latency (flat latency at 1M: 100)")
    parser.add_argument("--hnsw-max-n", type=int, default=100_000, help="largest corpus HNSW is built for (above: extrapolated)")
    parser.add_argument("--noise-scale", type=float, default=NOISE_SCALE, help="spread around the anchors (harder: 0.5)")
    parser.add_argument("--seed-from", choices=("cache", "random"), default="cache", help="mixture anchors")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks" / "index_scale.json")
    args = parser.parse_args()

    import faiss

    anchors, source = seed_anchors(args.seed_from)
    mix = Mixture(anchors, args.noise_scale)
    report: dict[str, Any] = {
        "machine": {
            "cpus_visible": os.cpu_count(),
            "faiss_threads": faiss.omp_get_max_threads(),
            "python": platform.python_version(),
            "faiss": faiss.__version__,
            "load_avg_at_start": os.getloadavg(),
            "note": "2 vCPUs shared with a training job and other sessions: wall-clock figures are pessimistic; "
            "the thread-CPU latencies are the steadier ones",
        },  # fmt: skip
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": {
            "anchors": source,
            "noise_scale": args.noise_scale,
            "dim": DIM,
            "nn_cosine_real_10k": nn_cosines(anchors[np.random.default_rng(0).permutation(len(anchors))[:10_000]]),
            "nn_cosine_simulated_10k": nn_cosines(mix.sample(10_000, seed=3)),
        },  # fmt: skip
        "sizes": [],
    }
    print(f"data: {report['data']}", flush=True)
    t_all = time.perf_counter()
    for n in [s for s in SIZES if s <= args.max_n]:
        print(f"n = {n:,}", flush=True)
        t0 = time.perf_counter()
        row = bench_size(n, mix, args.queries, args.hnsw_max_n)
        if "hnsw" not in row["kinds"]:
            measured = [s for s in report["sizes"] if not s["kinds"]["hnsw"].get("extrapolated_from_n")]
            row["kinds"]["hnsw"] = extrapolate_hnsw(measured[-1], n)
        row["wall_s"] = round(time.perf_counter() - t0, 1)
        report["sizes"].append(row)
    report["estimate_10m"] = estimate_10m(report["sizes"])
    report["wall_s"] = round(time.perf_counter() - t_all, 1)
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table(report))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
