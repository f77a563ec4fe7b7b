"""Benchmark ingest (parse → chunk → embed → index) on the shared corpus, and the index at 100k / 1M vectors.

Measures, on whatever cores the machine gives (the figures in reports/ were taken on 2 CPU cores shared with
another job, so they are noisy):

- parse: pages per second of synth's parser (``synth.ingest.pdf.parse_pdf``: layout, roles, sections, references)
  against ``pypdf``'s plain ``extract_text`` and PyMuPDF's plain ``get_text`` on the same files; the ratio;
- parse + chunk of all PDFs (target < 10 s);
- embed: chunks per second with MiniLM (``synth.retrieval.embedding.load_embedder``), and the model load time;
- index on the real chunks: build time, top-10 query latency p50/p99;
- re-ingest: the ingest stages of a second run over the same PDFs through the shared cache (target < 1 s);
- scale: synthetic 384-d normalised vectors (a Gaussian mixture, closer to sentence embeddings than uniform
  noise) at 100k and 1M: build time, top-10 query p50/p99 one query at a time, memory, and recall@10 of HNSW
  against exact flat search (targets at 1M: p99 < 20 ms, recall@10 ≥ 0.95).

Usage::

    python benchmarks/bench_ingest.py [--pdfs ../shared/data/pdfs] [--scale 100000,1000000] [--no-embed]
        [--out reports/benchmarks/ingest.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
IVF_NPROBES = (16, 64, 256)


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def bench_parse(pdfs: list[Path]) -> dict[str, Any]:
    import pymupdf
    import pypdf

    from synth.ingest.chunking import chunks_of, sentences_of
    from synth.ingest.pdf import parse_pdf

    out: dict[str, Any] = {"files": len(pdfs)}
    t0, c0 = time.perf_counter(), time.process_time()
    docs = [parse_pdf(p, p.stem, "0" * 64) for p in pdfs]
    parse_s, parse_cpu = time.perf_counter() - t0, time.process_time() - c0
    pages = sum(d.pages_read for d in docs)
    t1, c1 = time.perf_counter(), time.process_time()
    chunks = []
    n_sent = 0
    for d in docs:
        sents = sentences_of(d, 200)
        n_sent += len(sents)
        chunks.extend(chunks_of(sents, 200, 1))
    chunk_s, chunk_cpu = time.perf_counter() - t1, time.process_time() - c1

    t2, c2 = time.perf_counter(), time.process_time()
    pypdf_pages = 0
    for p in pdfs:
        reader = pypdf.PdfReader(p)
        for page in reader.pages:
            page.extract_text()
            pypdf_pages += 1
    pypdf_s, pypdf_cpu = time.perf_counter() - t2, time.process_time() - c2

    t3, c3 = time.perf_counter(), time.process_time()
    raw_pages = 0
    for p in pdfs:
        with pymupdf.open(p) as doc:
            for page in doc:
                page.get_text()
                raw_pages += 1
    raw_s, raw_cpu = time.perf_counter() - t3, time.process_time() - c3

    out.update(
        pages=pages,
        synth_parse_s=round(parse_s, 3),
        synth_pages_per_s=round(pages / parse_s, 1),
        pypdf_s=round(pypdf_s, 3),
        pypdf_pages_per_s=round(pypdf_pages / pypdf_s, 1),
        speedup_vs_pypdf=round((pages / parse_s) / (pypdf_pages / pypdf_s), 2),
        pymupdf_plain_pages_per_s=round(raw_pages / raw_s, 1),
        # CPU seconds: what the work costs, whatever else the shared cores are doing at the time
        synth_parse_cpu_s=round(parse_cpu, 3),
        synth_pages_per_cpu_s=round(pages / parse_cpu, 1),
        pypdf_pages_per_cpu_s=round(pypdf_pages / pypdf_cpu, 1),
        speedup_vs_pypdf_cpu=round((pages / parse_cpu) / (pypdf_pages / pypdf_cpu), 2),
        pymupdf_plain_pages_per_cpu_s=round(raw_pages / raw_cpu, 1),
        parse_plus_chunk_cpu_s=round(parse_cpu + chunk_cpu, 3),
        chunk_s=round(chunk_s, 3),
        sentences=n_sent,
        chunks=len(chunks),
        parse_plus_chunk_s=round(parse_s + chunk_s, 3),
        target_parse_plus_chunk_s=10.0,
    )
    out["_chunks"] = chunks
    return out


def bench_embed_and_index(chunks: list[Any]) -> dict[str, Any]:
    from synth.retrieval.embedding import load_embedder
    from synth.retrieval.index import build_index

    t0 = time.perf_counter()
    embedder = load_embedder(MODEL, "cpu")
    load_s = time.perf_counter() - t0
    texts = [c.text for c in chunks]
    embedder.encode(texts[:16])  # warm-up
    t1 = time.perf_counter()
    vectors = embedder.encode(texts)
    embed_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    index, kind = build_index(vectors, flat_max=200_000)
    build_s = time.perf_counter() - t2
    queries = embedder.encode([c.text[:200] for c in chunks[:: max(1, len(chunks) // 200)]])
    lat = []
    for q in queries:
        s = time.perf_counter()
        index.search(q.reshape(1, -1), 10)
        lat.append((time.perf_counter() - s) * 1000)
    return {
        "model": MODEL,
        "device": embedder.device,
        "model_load_s": round(load_s, 2),
        "chunks": len(texts),
        "embed_s": round(embed_s, 2),
        "chunks_per_s": round(len(texts) / embed_s, 1),
        "index_kind": kind,
        "index_build_ms": round(build_s * 1000, 2),
        "query_top10_p50_ms": round(_pct(lat, 50), 3),
        "query_top10_p99_ms": round(_pct(lat, 99), 3),
    }


def bench_reingest(pdfs: list[Path], embed: bool) -> dict[str, Any]:
    """Two runs over the same folder with one SYNTH_HOME: the second ingest should only read caches."""
    from synth.core.settings import load_settings
    from synth.core.store import RunStore
    from synth.core.ui import UI
    from synth.pipeline import StageContext, run_stages
    from synth.stages import COMMANDS, STAGES

    home = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    corpus = home / "corpus"
    corpus.mkdir()
    for p in pdfs:
        os.symlink(p.resolve(), corpus / p.name)
    old = os.environ.get("SYNTH_HOME")
    os.environ["SYNTH_HOME"] = str(home)
    try:
        overrides: dict[str, Any] = {"search": {"source": str(corpus), "max_papers": 1000}}
        if not embed:
            overrides["embedding_model"] = "fake-embedder"
            import synth.retrieval.embedding

            synth.retrieval.embedding.load_embedder = lambda *a, **k: _HashEmbedder()  # type: ignore[assignment]
        timings = []
        counts = []
        for _ in range(2):
            settings = load_settings(overrides=overrides)
            store = RunStore.create(settings.runs_dir, "cross-lingual sentence embeddings", {"settings": settings.public_dict()})
            ctx = StageContext(settings=settings, store=store, ui=UI(quiet=True))
            run_stages(ctx, [STAGES[0]])
            t0 = time.perf_counter()
            rows = run_stages(ctx, COMMANDS["ingest"])
            timings.append(time.perf_counter() - t0)
            counts.append({r["stage"]: {**r["counts"], "duration_s": r["duration_s"]} for r in rows})
    finally:
        if old is None:
            os.environ.pop("SYNTH_HOME", None)
        else:
            os.environ["SYNTH_HOME"] = old
        shutil.rmtree(home, ignore_errors=True)
    return {
        "embedder": MODEL if embed else "hash-bow-64 (--no-embed)",
        "first_ingest_s": round(timings[0], 3),
        "second_ingest_s": round(timings[1], 3),
        "target_second_ingest_s": 1.0,
        "second_run_counts": counts[1],
    }


class _HashEmbedder:
    """Stand-in when --no-embed: hashed bag of words (64-d), keyed like a hub model named fake-embedder."""

    dim = 64
    key = "fake-embedder@hub"
    device = "cpu"

    def encode(self, texts: list[str]) -> np.ndarray:
        import hashlib
        import re

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for tok in re.findall(r"[a-z0-9]+", t.lower()):
                out[i, int(hashlib.md5(tok.encode()).hexdigest(), 16) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def _latent(n: int, dim: int, rng: np.random.Generator, mix: np.ndarray) -> np.ndarray:
    """Vectors of low intrinsic dimension (like sentence embeddings): a 48-d Gaussian through a fixed linear map
    to ``dim``, plus isotropic noise, normalised. (Uniform noise on the 384-d sphere is adversarial for any
    approximate index, and unlike embeddings: HNSW recall@10 there is ~0.67 at efSearch 128 on 20k points.)"""
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for s in range(0, n, step):
        m = min(step, n - s)
        block = rng.standard_normal((m, mix.shape[0]), dtype=np.float32) @ mix
        block += 0.35 * rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(dim)
        out[s : s + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def _latency(index: Any, queries: np.ndarray, k: int = 10) -> dict[str, float]:
    """Top-k latency of one query at a time (how verification searches), on one thread: wall-clock p50/p99 and
    the thread's CPU time p50/p99 (on an oversubscribed machine wall-clock p99 is mostly time spent descheduled)."""
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # one query cannot use two threads; OpenMP fan-out only adds jitter
    try:
        wall, cpu = [], []
        for q in queries:
            w, c = time.perf_counter(), time.thread_time()
            index.search(q.reshape(1, -1), k)
            cpu.append((time.thread_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
    finally:
        faiss.omp_set_num_threads(threads)
    return {
        "query_p50_ms": round(_pct(wall, 50), 3),
        "query_p99_ms": round(_pct(wall, 99), 3),
        "query_cpu_p50_ms": round(_pct(cpu, 50), 3),
        "query_cpu_p99_ms": round(_pct(cpu, 99), 3),
    }


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return round(float(np.mean([len(set(found[i]) & set(truth[i])) / truth.shape[1] for i in range(len(truth))])), 4)


def bench_scale(n: int, dim: int = 384, n_queries: int = 200, hnsw_budget_s: float = 600.0) -> dict[str, Any]:
    """Flat, HNSW (the product's configuration) and IVF at ``n`` vectors.

    The HNSW build is bounded: vectors are added in slices of 50k until ``hnsw_budget_s`` is spent; if it
    stops early, the row says how many vectors went in, the measured insert rate and the extrapolated full build
    time, and recall is measured against exact search over the same vectors.
    """
    import faiss

    from synth.retrieval.index import HNSW_EF_CONSTRUCTION, HNSW_M, build_index

    rng = np.random.default_rng(0)
    mix = rng.standard_normal((48, dim), dtype=np.float32) / np.sqrt(48)
    base = _latent(n, dim, rng, mix)
    queries = _latent(n_queries, dim, rng, mix)
    row: dict[str, Any] = {"n": n, "dim": dim, "data": "48-d latent Gaussian → 384-d + noise, normalised", "queries": n_queries}

    # exact flat: ground truth (batched) and single-query latency
    t0 = time.perf_counter()
    flat, _ = build_index(base, flat_max=n)
    row["flat_build_s"] = round(time.perf_counter() - t0, 2)
    row["flat_memory_mib"] = round(n * dim * 4 / 2**20, 1)
    t0 = time.perf_counter()
    _, truth = flat.search(queries, 10)
    row["flat_batch_search_s"] = round(time.perf_counter() - t0, 2)
    row.update({f"flat_{k}": v for k, v in _latency(flat, queries[:100]).items()})
    del flat

    # IVF-Flat: cheap to build on few cores (k-means on a sample, then one matrix product per slice)
    nlist = min(1024, max(64, int(4 * np.sqrt(n))))  # bounded: k-means cost grows with nlist x sample size
    t0 = time.perf_counter()
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.niter = 10
    ivf.train(base[rng.choice(n, size=min(n, 30 * nlist), replace=False)])
    ivf.add(base)
    row["ivf"] = f"IVF{nlist},Flat"
    row["ivf_build_s"] = round(time.perf_counter() - t0, 1)
    row["ivf_memory_mib"] = round((n * (dim * 4 + 8) + nlist * dim * 4) / 2**20, 1)
    for nprobe in IVF_NPROBES:
        ivf.nprobe = nprobe
        _, found = ivf.search(queries, 10)
        row[f"ivf_nprobe{nprobe}"] = {"recall_at_10": _recall(found, truth), **_latency(ivf, queries)}
    del ivf, quantizer

    # HNSW as synth builds it above index.flat_max, within a time budget
    index, kind = build_index(base[:0], flat_max=-1, dim=dim)
    row["hnsw"] = kind
    rss0 = _rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    added = 0
    while added < n and time.perf_counter() - t0 < hnsw_budget_s:
        index.add(base[added : added + 10_000])
        added = int(index.ntotal)
    build_s = time.perf_counter() - t0
    row["hnsw_build_cpu_s"] = round(time.process_time() - c0, 1)
    row["hnsw_vectors_built"] = added
    row["hnsw_build_s"] = round(build_s, 1)
    row["hnsw_inserts_per_s"] = round(added / build_s, 1)
    row["hnsw_build_complete"] = added == n
    if added < n:
        row["hnsw_build_s_extrapolated"] = round(n / (added / build_s), 0)
    row["hnsw_memory_mib_rss_delta"] = round(_rss_mib() - rss0, 1)
    row["hnsw_memory_mib_estimate"] = round(n * (dim * 4 + HNSW_M * 2 * 4 * 1.05) / 2**20, 1)
    row["hnsw_efConstruction"] = HNSW_EF_CONSTRUCTION
    if added < n:  # recall against exact search over the vectors that are in
        sub = faiss.IndexFlatIP(dim)
        sub.add(base[:added])
        _, truth = sub.search(queries, 10)
        del sub
    for ef in (64, 128, 256):
        index.hnsw.efSearch = ef
        _, found = index.search(queries, 10)
        row[f"hnsw_ef{ef}"] = {"recall_at_10": _recall(found, truth), **_latency(index, queries)}
    del index, base
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdfs", type=Path, default=ROOT.parent / "shared" / "data" / "pdfs")
    parser.add_argument("--scale", default="100000,1000000", help="comma-separated corpus sizes ('' to skip)")
    parser.add_argument("--no-embed", action="store_true", help="skip MiniLM (re-ingest uses a hash embedder)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks" / "ingest.json")
    parser.add_argument("--only", default="parse,embed,reingest,scale", help="sections to measure")
    parser.add_argument("--merge", action="store_true", help="keep the other sections of an existing --out file")
    parser.add_argument("--hnsw-budget-s", type=float, default=600.0, help="time allowed for one HNSW build")
    args = parser.parse_args()
    only = set(args.only.split(","))

    import faiss
    import torch

    pdfs = sorted(args.pdfs.glob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDFs under {args.pdfs}")
    report: dict[str, Any] = json.loads(args.out.read_text()) if args.merge and args.out.is_file() else {}
    report["machine"] = {
        "cpus_visible": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "faiss_threads": faiss.omp_get_max_threads(),
        "python": platform.python_version(),
        "faiss": faiss.__version__,
        "load_avg_at_start": os.getloadavg(),
        "note": "2 vCPUs shared with a training job and other sessions (load average 7-11): timings are pessimistic",
    }
    report["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    chunks: list[Any] = []
    if "parse" in only or "embed" in only:
        parse = bench_parse(pdfs)
        chunks = parse.pop("_chunks")
        report["parse"] = parse
        print(f"parse: {parse['pages']} pages in {parse['synth_parse_s']} s = {parse['synth_pages_per_s']} p/s "
              f"(pypdf {parse['pypdf_pages_per_s']} p/s, ratio {parse['speedup_vs_pypdf']}x); "
              f"parse+chunk {parse['parse_plus_chunk_s']} s, {parse['chunks']} chunks")  # fmt: skip
    if "embed" in only and not args.no_embed:
        report["embed_index"] = bench_embed_and_index(chunks)
        print("embed/index:", report["embed_index"])
    if "reingest" in only:
        report["reingest"] = bench_reingest(pdfs, embed=not args.no_embed)
        print(f"re-ingest: first {report['reingest']['first_ingest_s']} s, second {report['reingest']['second_ingest_s']} s")
    if "scale" in only:
        sizes = [int(x) for x in args.scale.split(",") if x.strip()]
        report["scale"] = [r for r in report.get("scale", []) if r["n"] not in sizes]  # --merge keeps other sizes
        for n in sizes:
            t0 = time.perf_counter()
            row = bench_scale(n, hnsw_budget_s=args.hnsw_budget_s)
            row["wall_s"] = round(time.perf_counter() - t0, 1)
            report["scale"].append(row)
            print("scale:", json.dumps(row), flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, indent=2) + "\n")  # keep what is measured if a later size is killed
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    _table(report)
    print(f"wrote {args.out}")


def _table(r: dict[str, Any]) -> None:
    rows: list[tuple[str, Any, str]] = []
    p = r.get("parse")
    if p:
        rows += [
            ("pages parsed/s (synth)", p["synth_pages_per_s"], ""),
            ("pages parsed/s (pypdf extract_text)", p["pypdf_pages_per_s"], f"synth/pypdf = {p['speedup_vs_pypdf']}x"),
            ("pages/s (PyMuPDF plain get_text)", p["pymupdf_plain_pages_per_s"], ""),
            ("parse + chunk, all PDFs (s)", p["parse_plus_chunk_s"], f"target < 10; CPU {p['parse_plus_chunk_cpu_s']} s"),
            (
                "pages per CPU-second: synth / pypdf",
                f"{p['synth_pages_per_cpu_s']} / {p['pypdf_pages_per_cpu_s']}",
                f"ratio {p['speedup_vs_pypdf_cpu']}x",
            ),
        ]
    if "embed_index" in r:
        e = r["embed_index"]
        rows += [
            ("chunks embedded/s (MiniLM, " + e["device"] + ")", e["chunks_per_s"], f"{e['chunks']} chunks"),
            ("index build (ms, " + e["index_kind"] + ")", e["index_build_ms"], ""),
            ("query top-10 p50 / p99 (ms)", f"{e['query_top10_p50_ms']} / {e['query_top10_p99_ms']}", ""),
        ]
    ri = r.get("reingest", {"first_ingest_s": "-", "second_ingest_s": "-", "embedder": "not measured"})
    rows += [
        ("first ingest (s)", ri["first_ingest_s"], ri["embedder"]),
        ("second ingest through cache (s)", ri["second_ingest_s"], "target < 1"),
    ]
    for s in r.get("scale", []):
        n = f"{s['n']:,}"
        rows.append(
            (
                f"{n}: flat query p50 / p99 (ms)",
                f"{s['flat_query_p50_ms']} / {s['flat_query_p99_ms']}",
                f"cpu {s['flat_query_cpu_p50_ms']} / {s['flat_query_cpu_p99_ms']}; {s['flat_memory_mib']} MiB",
            )
        )
        rows.append((f"{n}: {s['ivf']} build (s)", s["ivf_build_s"], f"~{s['ivf_memory_mib']} MiB"))
        for nprobe in [x for x in IVF_NPROBES if f"ivf_nprobe{x}" in s]:
            v = s[f"ivf_nprobe{nprobe}"]
            rows.append(
                (
                    f"{n}: IVF nprobe={nprobe} p50 / p99 (ms)",
                    f"{v['query_p50_ms']} / {v['query_p99_ms']}",
                    f"cpu {v['query_cpu_p50_ms']} / {v['query_cpu_p99_ms']}; recall@10 {v['recall_at_10']}",
                )
            )
        built = (
            ""
            if s["hnsw_build_complete"]
            else f" ({s['hnsw_vectors_built']:,} in budget; full ≈ {s['hnsw_build_s_extrapolated']:.0f} s)"
        )
        rows.append(
            (
                f"{n}: HNSW build (s)",
                s["hnsw_build_s"],
                f"CPU {s.get('hnsw_build_cpu_s', '?')} s; ~{s['hnsw_memory_mib_estimate']} MiB{built}",
            )
        )
        for ef in (64, 128, 256):
            h = s[f"hnsw_ef{ef}"]
            rows.append(
                (
                    f"{n}: HNSW efSearch={ef} p50 / p99 (ms)",
                    f"{h['query_p50_ms']} / {h['query_p99_ms']}",
                    f"cpu {h['query_cpu_p50_ms']} / {h['query_cpu_p99_ms']}; recall@10 {h['recall_at_10']}",
                )
            )
    width = max(len(a) for a, _, _ in rows)
    print()
    for a, b, c in rows:
        print(f"{a:<{width}}  {b!s:>16}  {c}")


if __name__ == "__main__":
    main()
