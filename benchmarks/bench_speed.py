"""Speed of synth on one machine against the machine's bound, alternatives side by side in one run (issue 17).

Sections (``--only``, comma-separated; all by default), written to ``reports/benchmarks/speed.json``:

- ``peak``: what the cores can do: fp32 GFLOP/s (torch matmul 1024³) and int8 GOP/s (ONNX Runtime
  ``MatMulInteger`` 1024³, the VNNI path int8 inference uses), on 1 thread and on all this process may use.
- ``backends``: the embedding model (MiniLM-L6, real chunks of ``--pdfs``) and the verifier (synth/nli-minilm-l6,
  real SciFact claim/evidence pairs) as fp32 PyTorch, PyTorch ``quantize_dynamic`` int8, ONNX Runtime fp32, ONNX
  Runtime int8 as synth ships it (down-projections fp32) and ONNX Runtime int8 of every weight matrix, on 1 thread
  and on all; rounds interleaved (every configuration once per round, the median kept), so a burst of load from
  another job hits all of them alike. Per configuration: items/s, the ratio to fp32 PyTorch on the same threads,
  FLOPs per item (from the model's shape and the real token counts, padding included), the achieved fraction of
  the measured peak, and quality against fp32 PyTorch: embedding cosine (min, 1st percentile, mean) and top-10
  neighbour overlap; NLI label agreement and probability differences.
- ``verifier``: the verifier's claim-level figures (``benchmarks/bench_verifier.py``: SciFact eval with oracle and
  retrieved evidence, and the real-run gold set) with the NLI model on each backend; the macro-F1 change.
- ``pipeline``: ``synth run`` end to end on ``--pdfs``, cold (empty SYNTH_HOME) and then a second question over
  the same papers (warm), for the code before this work (a git worktree of ``--before``, if given) and for the
  current tree; wall and CPU seconds, peak RSS of the whole process tree, per-stage seconds.
- ``gpu``: the device; fp16 CUDA throughput of both models where a GPU is present (none here: not measured).

The machine these figures were taken on has 2 vCPUs shared with a training job and other sessions: absolute
times are noisy, ratios measured in one run are what to read. Usage::

    python benchmarks/bench_speed.py [--pdfs ../shared/data/pdfs] [--only peak,backends,verifier,pipeline,gpu]
        [--before 9b3c597] [--rounds 3] [--out reports/benchmarks/speed.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"
VERIFIER = "synth/nli-minilm-l6"
QUESTIONS = (
    "How well do multilingual encoders transfer across languages without parallel data?",
    "Do multilingual word embeddings help semantic similarity across languages?",
)
BACKENDS = ("torch", "torch-int8", "onnx", "onnx-int8", "onnx-int8-all")


# ---------------------------------------------------------------------------------------------- machine / peak
def machine() -> dict[str, Any]:
    import onnxruntime
    import torch

    from synth.core.inference import cpu_budget

    flags = set()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    return {
        "cpus_visible": os.cpu_count(),
        "cpu_budget": cpu_budget(),
        "cpu": platform.processor() or platform.machine(),
        "isa": sorted(f for f in flags if f in {"avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"}),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "cuda": torch.cuda.is_available(),
        "note": "2 vCPUs shared with a training job and other sessions: absolute timings are noisy; read the ratios",
    }


def _best_rate(run: Callable[[], Any], work: float, repeats: int = 5, inner: int = 4) -> float:
    run()
    best = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            run()
        best = max(best, work * inner / (time.perf_counter() - t))
    return best


def peak(threads: list[int]) -> dict[str, Any]:
    """Best fp32 GFLOP/s (the better of torch's and ONNX Runtime's matmul) and int8 GOP/s (ORT MatMulInteger)."""
    import onnxruntime as ort
    import torch
    from onnx import TensorProto, helper, numpy_helper

    n = 1024
    rng = np.random.default_rng(0)
    a, b = torch.randn(n, n), torch.randn(n, n)

    def model(op: str, a_type: int, b_array: np.ndarray, y_type: int) -> bytes:
        graph = helper.make_graph(
            [helper.make_node(op, ["A", "B"], ["Y"])],
            op,
            [helper.make_tensor_value_info("A", a_type, [n, n])],
            [helper.make_tensor_value_info("Y", y_type, [n, n])],
            [numpy_helper.from_array(b_array, "B")],
        )
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        m.ir_version = 8
        return m.SerializeToString()

    int8_model = model("MatMulInteger", TensorProto.UINT8, rng.integers(-127, 127, (n, n)).astype(np.int8), TensorProto.INT32)
    fp32_model = model("MatMul", TensorProto.FLOAT, rng.standard_normal((n, n)).astype(np.float32), TensorProto.FLOAT)
    a8 = rng.integers(0, 255, (n, n)).astype(np.uint8)
    a32 = rng.standard_normal((n, n)).astype(np.float32)
    out: dict[str, Any] = {"matrix": n}
    for t in threads:
        torch.set_num_threads(t)
        options = ort.SessionOptions()
        options.intra_op_num_threads = t
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        s8 = ort.InferenceSession(int8_model, options, providers=["CPUExecutionProvider"])
        s32 = ort.InferenceSession(fp32_model, options, providers=["CPUExecutionProvider"])
        torch_fp32 = _best_rate(lambda: a @ b, 2 * n**3) / 1e9
        ort_fp32 = _best_rate(lambda s32=s32: s32.run(None, {"A": a32}), 2 * n**3) / 1e9
        int8 = _best_rate(lambda s8=s8: s8.run(None, {"A": a8}), 2 * n**3) / 1e9
        out[f"threads_{t}"] = {
            "fp32_gflops": round(max(torch_fp32, ort_fp32), 1),
            "fp32_gflops_torch": round(torch_fp32, 1),
            "fp32_gflops_onnxruntime": round(ort_fp32, 1),
            "int8_gops": round(int8, 1),
        }
    return out


def best_peak(*peaks: dict[str, Any]) -> dict[str, Any]:
    """The best of several peak measurements (taken before and after the runs: load from other jobs only lowers them)."""
    out = dict(peaks[0])
    for key in out:
        if key.startswith("threads_"):
            out[key] = {k: max(p[key][k] for p in peaks) for k in peaks[0][key]}
    return out


# ---------------------------------------------------------------------------------------------- FLOPs per item
def _shape(model_dir: Path) -> dict[str, int]:
    cfg = json.loads((model_dir / "config.json").read_text())
    return {"layers": cfg["num_hidden_layers"], "d": cfg["hidden_size"], "ff": cfg["intermediate_size"]}


def flops(shape: dict[str, int], batches: list[list[int]]) -> dict[str, float]:
    """FLOPs of one encoder pass over ``batches`` of token counts, padding included (the work actually done).

    Per layer and token, in multiply-adds (2 FLOPs each): the Q, K, V, O projections 4·d² and the first
    feed-forward matrix d·ff (``quantised``: what synth's int8 recipe runs in int8), the feed-forward down-projection
    d·ff (``down``: fp32 in synth's recipe), and attention 2·T·d (scores and weighted sum, activation x activation).
    """
    d, ff, layers = shape["d"], shape["ff"], shape["layers"]
    out = {"quantised": 0.0, "down": 0.0, "attention": 0.0, "useful": 0.0}
    for lengths in batches:
        width = max(lengths)
        tokens = width * len(lengths)
        out["quantised"] += 2 * layers * tokens * (4 * d * d + d * ff)
        out["down"] += 2 * layers * tokens * d * ff
        out["attention"] += 2 * layers * tokens * 2 * width * d
        out["useful"] += sum(2 * layers * t * (4 * d * d + 2 * d * ff + 2 * t * d) for t in lengths)
    out["total"] = out["quantised"] + out["down"] + out["attention"]
    return out


# ---------------------------------------------------------------------------------------------- backends
def _embedders(threads: int, cache: Path) -> dict[str, Any]:
    import torch

    from synth.core.inference import set_torch_threads
    from synth.retrieval.embedding import Embedder, OnnxSentenceEncoder, load_embedder

    out: dict[str, Any] = {}
    out["torch"] = load_embedder(EMBEDDER, "cpu", 64, "torch", cache, threads)
    q = load_embedder(EMBEDDER, "cpu", 64, "torch", cache, threads)
    q._model = torch.ao.quantization.quantize_dynamic(q._model, {torch.nn.Linear}, dtype=torch.qint8)
    out["torch-int8"] = q
    out["onnx"] = load_embedder(EMBEDDER, "cpu", 64, "onnx", cache, threads)
    out["onnx-int8"] = load_embedder(EMBEDDER, "cpu", 64, "onnx-int8", cache, threads)
    fp32 = out["onnx"]._model
    path = _quantise_all(fp32.path, cache / "bench-embed-int8-all.onnx")
    encoder = OnnxSentenceEncoder(path, fp32.info, fp32.model_dir, threads)
    out["onnx-int8-all"] = Embedder(EMBEDDER, out["onnx"].revision, encoder.dim, "cpu", encoder, 64, "onnx-int8")
    set_torch_threads(threads)
    return out


def _nlis(threads: int, cache: Path) -> dict[str, Any]:
    import dataclasses

    import torch

    from synth.core.inference import set_torch_threads
    from synth.verification.nli import OnnxCrossEncoder, load_nli

    out: dict[str, Any] = {}
    out["torch"] = load_nli(VERIFIER, "cpu", 32, "torch", cache, threads)
    q = load_nli(VERIFIER, "cpu", 32, "torch", cache, threads)
    q._encoder = torch.ao.quantization.quantize_dynamic(q._encoder, {torch.nn.Linear}, dtype=torch.qint8)
    out["torch-int8"] = q
    out["onnx"] = load_nli(VERIFIER, "cpu", 32, "onnx", cache, threads)
    out["onnx-int8"] = load_nli(VERIFIER, "cpu", 32, "onnx-int8", cache, threads)
    fp32 = out["onnx"]._encoder
    path = _quantise_all(fp32.path, cache / "bench-nli-int8-all.onnx")
    encoder = OnnxCrossEncoder(path, fp32.info, fp32.model_dir, threads)
    out["onnx-int8-all"] = dataclasses.replace(out["onnx"], _encoder=encoder, backend="onnx-int8")
    set_torch_threads(threads)
    return out


def _quantise_all(src: Path, dest: Path) -> Path:
    """Every weight matrix int8 per channel (the recipe synth does not ship, for comparison)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if not dest.is_file():
        quantize_dynamic(str(src), str(dest), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fmt: skip
    return dest


def _token_batches(model: Any, items: list[Any], lengths_of: Callable[[list[Any]], list[int]]) -> list[list[int]]:
    lengths = lengths_of(items)
    return [[lengths[i] for i in batch] for batch in model.plan(items)]


def backends(texts: list[str], pairs: list[tuple[str, str]], threads_list: list[int], rounds: int) -> dict:
    """Throughput and quality of every backend, interleaved rounds, at each thread count."""
    from synth.core.modelref import resolve_model

    cache = Path(tempfile.mkdtemp(prefix="synth-bench-onnx-"))
    report: dict[str, Any] = {"texts": len(texts), "pairs": len(pairs), "rounds": rounds}
    for threads in threads_list:
        embedders, nlis = _embedders(threads, cache), _nlis(threads, cache)
        runs: dict[str, dict[str, list[float]]] = {"embedding": {b: [] for b in BACKENDS}, "nli": {b: [] for b in BACKENDS}}
        outputs: dict[str, dict[str, np.ndarray]] = {"embedding": {}, "nli": {}}
        for b in BACKENDS:  # warm-up (first calls allocate)
            embedders[b].encode(texts[:8])
            nlis[b].predict_logits(pairs[:8])
        for r in range(rounds):
            order = list(BACKENDS) if r % 2 == 0 else list(reversed(BACKENDS))
            for b in order:
                t = time.perf_counter()
                outputs["embedding"][b] = embedders[b].encode(texts)
                runs["embedding"][b].append(time.perf_counter() - t)
                t = time.perf_counter()
                outputs["nli"][b] = nlis[b].predict_logits(pairs)
                runs["nli"][b].append(time.perf_counter() - t)
            print(f"  threads {threads}, round {r + 1}/{rounds} done", flush=True)
        token_batches = {
            "embedding": _token_batches(embedders["onnx-int8"], texts, embedders["onnx"]._model.lengths),
            "nli": _token_batches(nlis["onnx-int8"], pairs, nlis["onnx"]._encoder.lengths),
        }
        shapes = {"embedding": _shape(Path(resolve_model(EMBEDDER))), "nli": _shape(Path(resolve_model(VERIFIER)))}
        row: dict[str, Any] = {}
        for kind, n in (("embedding", len(texts)), ("nli", len(pairs))):
            f = flops(shapes[kind], token_batches[kind])
            base = float(np.median(runs[kind]["torch"]))
            row[kind] = {
                "gflops_per_item": {k: round(v / n / 1e9, 4) for k, v in f.items()},
                "mean_tokens": round(float(np.mean([t for b in token_batches[kind] for t in b])), 1),
            }
            for b in BACKENDS:
                seconds = float(np.median(runs[kind][b]))
                entry: dict[str, Any] = {"items_per_s": round(n / seconds, 1), "vs_torch_fp32": round(base / seconds, 2),
                                         "seconds": [round(x, 3) for x in runs[kind][b]]}  # fmt: skip
                ref, got = outputs[kind]["torch"], outputs[kind][b]
                if kind == "embedding":
                    cos = (got * ref).sum(1)
                    entry["cosine_to_fp32"] = {"min": round(float(cos.min()), 4), "p1": round(float(np.percentile(cos, 1)), 4),
                                               "mean": round(float(cos.mean()), 4)}  # fmt: skip
                    entry["top10_overlap"] = _top10_overlap(ref, got)
                else:
                    pr, pg = _softmax(ref), _softmax(got)
                    entry["label_agreement"] = round(float((pr.argmax(1) == pg.argmax(1)).mean()), 4)
                    entry["prob_diff"] = {
                        "max": round(float(np.abs(pr - pg).max()), 4),
                        "mean": round(float(np.abs(pr - pg).mean()), 5),
                    }
                row[kind][b] = entry
        report[f"threads_{threads}"] = row
        del embedders, nlis
    shutil.rmtree(cache, ignore_errors=True)
    return report


def bound(report: dict[str, Any], pk: dict[str, Any]) -> dict[str, Any]:
    """Each backend's bound (items/s if every FLOP ran at the measured peak) and the fraction of it achieved.

    fp32 backends: every FLOP at the fp32 peak. synth's int8: Q, K, V, O and the first feed-forward matrix at the int8
    peak, the down-projections and attention at the fp32 peak. Every-matrix int8 (torch ``quantize_dynamic``, ONNX
    of every matrix): all weight matrices at the int8 peak, attention at the fp32 peak.
    """
    for key, row in report.items():
        p = pk.get(key) if key.startswith("threads_") else None
        if not p:
            continue
        fp32, int8 = p["fp32_gflops"], p["int8_gops"]
        for kind in ("embedding", "nli"):
            g = row[kind]["gflops_per_item"]
            seconds_per_item = {
                "torch": g["total"] / fp32,
                "onnx": g["total"] / fp32,
                "onnx-int8": g["quantised"] / int8 + (g["down"] + g["attention"]) / fp32,
                "torch-int8": (g["quantised"] + g["down"]) / int8 + g["attention"] / fp32,
                "onnx-int8-all": (g["quantised"] + g["down"]) / int8 + g["attention"] / fp32,
            }
            for b in BACKENDS:
                t = seconds_per_item[b]
                row[kind][b]["bound_items_per_s"] = round(1 / t, 1)
                row[kind][b]["fraction_of_bound"] = round(row[kind][b]["items_per_s"] * t, 3)
    return report


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _top10_overlap(ref: np.ndarray, got: np.ndarray) -> float:
    """Mean overlap of each text's 10 nearest other texts under the two embeddings (what retrieval would return)."""
    k = min(10, len(ref) - 1)
    a, b = ref @ ref.T, got @ got.T
    np.fill_diagonal(a, -np.inf)
    np.fill_diagonal(b, -np.inf)
    ta, tb = np.argsort(-a, axis=1)[:, :k], np.argsort(-b, axis=1)[:, :k]
    return round(float(np.mean([len(set(ta[i]) & set(tb[i])) / k for i in range(len(ref))])), 4)


# ---------------------------------------------------------------------------------------------- verifier quality
def verifier(backends_: list[str], scifact: Path) -> dict:
    """bench_verifier's SciFact and gold-set figures with the NLI model on each backend (embedder: fp32 torch)."""
    import functools

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_verifier as bv

    from synth.core.modelref import resolve_model
    from synth.verification import nli as nli_module

    out: dict[str, Any] = {}
    original = nli_module.load_nli
    model_dir = resolve_model(VERIFIER)
    for backend in backends_:
        t = time.perf_counter()
        bv.load_nli = functools.partial(original, inference=backend)  # type: ignore[attr-defined]
        row: dict[str, Any] = {}
        if scifact.is_dir():
            row["scifact_eval"] = bv.scifact_eval(model_dir, str(scifact))
        row["gold_decisions"] = bv.gold_decisions(VERIFIER, Path(bv.GOLD))
        row["seconds"] = round(time.perf_counter() - t, 1)
        out[backend] = row
        print(f"  verifier on {backend}: {row['seconds']} s", flush=True)
    bv.load_nli = original  # type: ignore[attr-defined]
    base = out.get("torch", {}).get("scifact_eval")
    if base:
        for row in out.values():
            ev = row.get("scifact_eval")
            if ev:
                row["macro_f1_change_points"] = {
                    setting: round(100 * (ev[setting]["aggregator"]["macro_f1"] - base[setting]["aggregator"]["macro_f1"]), 2)
                    for setting in ("oracle", "retrieval")
                }
    return out


# ---------------------------------------------------------------------------------------------- pipeline
@contextlib.contextmanager
def _rss_sampler(pid: int) -> Iterator[dict[str, float]]:
    """Peak RSS (MiB) of ``pid`` and all its descendants together, sampled every 0.2 s."""
    import psutil

    state = {"peak_mib": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                proc = psutil.Process(pid)
                total = proc.memory_info().rss
                for child in proc.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        total += child.memory_info().rss
                state["peak_mib"] = max(state["peak_mib"], total / 2**20)
            except psutil.Error:
                pass
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join()


def _synth_run(code: Path, home: Path, question: str, pdfs: Path, env_extra: dict[str, str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    env.update({"SYNTH_HOME": str(home), "PYTHONPATH": str(code), **env_extra})
    cmd = [sys.executable, "-m", "synth", "run", question, "--source", str(pdfs), "--json"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=str(code), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with _rss_sampler(proc.pid) as rss:
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    stdout = proc.stdout.read() if proc.stdout else ""
    stderr = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    row: dict[str, Any] = {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                           "peak_rss_mib_tree": round(rss["peak_mib"], 0), "peak_rss_mib_main": round(usage.ru_maxrss / 1024, 0),
                           "exit": proc.returncode}  # fmt: skip
    if proc.returncode != 0:
        row["stderr_tail"] = stderr[-800:]
        return row
    summary = json.loads(stdout)
    row["stages_s"] = {s["stage"]: s["duration_s"] for s in summary["stages"]}
    row["verdicts"] = summary.get("verdicts")
    return row


def pipeline(pdfs: Path, before: str | None) -> dict[str, Any]:
    """Cold run, then a second question over the same papers, for the code before (worktree) and now."""
    codes: dict[str, tuple[Path, dict[str, str]]] = {}
    worktree: Path | None = None
    if before:
        worktree = Path(tempfile.mkdtemp(prefix="synth-before-")) / "code"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), before], check=True,
                       capture_output=True)  # fmt: skip
        codes[f"before ({before})"] = (worktree, {})
    codes["now (defaults)"] = (ROOT, {})
    codes["now, inference=torch"] = (ROOT, {"SYNTH_INFERENCE": "torch"})
    out: dict[str, Any] = {"pdfs": len(list(pdfs.glob("*.pdf"))), "source": str(pdfs), "questions": list(QUESTIONS)}
    try:
        for name, (code, env) in codes.items():
            home = Path(tempfile.mkdtemp(prefix="synth-bench-home-"))
            try:
                cold = _synth_run(code, home, QUESTIONS[0], pdfs, env)
                print(f"  {name}: cold {cold['wall_s']} s", flush=True)
                warm = _synth_run(code, home, QUESTIONS[1], pdfs, env)
                print(f"  {name}: second question {warm['wall_s']} s", flush=True)
            finally:
                shutil.rmtree(home, ignore_errors=True)
            out[name] = {"cold": cold, "second_question": warm}
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], capture_output=True)
    names = list(codes)
    ref = out[names[0]]
    for name in names[1:]:
        for phase in ("cold", "second_question"):
            a, b = ref[phase], out[name][phase]
            if a.get("exit") == 0 and b.get("exit") == 0:
                out[name][phase]["speedup_vs_" + names[0].split()[0]] = {
                    "wall": round(a["wall_s"] / b["wall_s"], 2), "cpu": round(a["cpu_s"] / b["cpu_s"], 2)
                }  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------- GPU
def gpu(texts: list[str], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    import torch

    if not torch.cuda.is_available():
        return {"device": "cpu", "measured": False, "note": "no CUDA device on this machine: fp16 GPU figures not measured"}
    from synth.retrieval.embedding import load_embedder
    from synth.verification.nli import load_nli

    embedder = load_embedder(EMBEDDER, "cuda", inference="torch")
    nli = load_nli(VERIFIER, "cuda", inference="torch")
    embedder.encode(texts[:64])
    nli.predict_logits(pairs[:64])
    torch.cuda.synchronize()
    t = time.perf_counter()
    embedder.encode(texts)
    torch.cuda.synchronize()
    e = time.perf_counter() - t
    t = time.perf_counter()
    nli.predict_logits(pairs)
    torch.cuda.synchronize()
    n = time.perf_counter() - t
    return {"device": torch.cuda.get_device_name(0), "measured": True, "backend": embedder.backend,
            "batch_size": {"embedding": embedder.batch_size, "nli": nli.batch_size},
            "embedding_items_per_s": round(len(texts) / e, 1), "nli_pairs_per_s": round(len(pairs) / n, 1)}  # fmt: skip


# ---------------------------------------------------------------------------------------------- data
def _chunks(pdfs: Path, n: int) -> list[str]:
    from synth.ingest.chunking import chunks_of, sentences_of
    from synth.ingest.pdf import parse_pdf

    texts: list[str] = []
    for p in sorted(pdfs.glob("*.pdf")):
        doc = parse_pdf(p, p.stem, "0" * 64)
        texts += [c.text for c in chunks_of(sentences_of(doc, 200), 200, 1)]
    random.Random(0).shuffle(texts)
    return texts[:n]


def _pairs(scifact: Path, n: int) -> list[tuple[str, str]]:
    from synth.training.data import load_scifact_claims, load_scifact_corpus

    if not scifact.is_dir():
        words = "the model transfers across languages without parallel data and improves accuracy".split()
        rng = random.Random(0)
        return [(" ".join(rng.choices(words, k=40)), " ".join(rng.choices(words, k=12))) for _ in range(n)]
    corpus = load_scifact_corpus(scifact)
    pairs = [(s, c.claim) for c in load_scifact_claims(scifact, "eval") for d in c.cited_doc_ids for s in corpus[d]["abstract"]]
    return random.Random(0).sample(pairs, min(n, len(pairs)))


# ---------------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdfs", type=Path, default=ROOT.parent / "shared" / "data" / "pdfs")
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared" / "data" / "scifact")
    parser.add_argument("--only", default="peak,backends,verifier,pipeline,gpu")
    parser.add_argument("--texts", type=int, default=192, help="chunks embedded per measurement")
    parser.add_argument("--pairs", type=int, default=256, help="NLI pairs scored per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--verifier-backends", default="torch,onnx-int8")
    parser.add_argument("--before", default=None, help="git revision of the code to compare with (a worktree)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks" / "speed.json")
    parser.add_argument("--merge", action="store_true", help="keep the other sections of an existing --out file")
    args = parser.parse_args()
    only = set(args.only.split(","))

    from synth.core.inference import cpu_budget
    from synth.core.modelref import quiet_model_libraries

    quiet_model_libraries()
    report: dict[str, Any] = json.loads(args.out.read_text()) if args.merge and args.out.is_file() else {}
    report["machine"] = machine()
    report["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    threads = sorted({1, cpu_budget()})

    def save() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")

    if "peak" in only or "backends" in only:
        report["peak"] = peak(threads)
        print("peak:", json.dumps(report["peak"]), flush=True)
        save()
    first_peak = report.get("peak", {})
    texts: list[str] = []
    pairs: list[tuple[str, str]] = []
    if only & {"backends", "gpu"}:
        texts, pairs = _chunks(args.pdfs, args.texts), _pairs(args.scifact, args.pairs)
    if "backends" in only:
        runs = backends(texts, pairs, threads, args.rounds)
        report["peak"] = best_peak(first_peak, peak(threads))  # again after the runs; the best of the two
        report["backends"] = bound(runs, report["peak"])
        save()
    if "verifier" in only:
        report["verifier"] = verifier(args.verifier_backends.split(","), args.scifact)
        save()
    if "pipeline" in only:
        report["pipeline"] = pipeline(args.pdfs, args.before)
        save()
    if "gpu" in only:
        report["gpu"] = gpu(texts or _chunks(args.pdfs, args.texts), pairs or _pairs(args.scifact, args.pairs))
        save()
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    save()
    _print(report)
    print(f"wrote {args.out}")


def _print(r: dict[str, Any]) -> None:
    if "peak" in r:
        for key, v in r["peak"].items():
            if key.startswith("threads_"):
                print(f"peak, {key.replace('_', ' ')}: fp32 {v['fp32_gflops']} GFLOP/s, int8 {v['int8_gops']} GOP/s")
    for key, row in (r.get("backends") or {}).items():
        if not key.startswith("threads_"):
            continue
        for kind in ("embedding", "nli"):
            unit = "chunks/s" if kind == "embedding" else "pairs/s"
            g = row[kind]["gflops_per_item"]["total"]
            print(f"\n{kind}, {key.replace('_', ' ')} ({g} GFLOP/item, {row[kind]['mean_tokens']} tokens)")
            for b in BACKENDS:
                e = row[kind][b]
                if kind == "embedding":
                    c = e["cosine_to_fp32"]
                    q = f"cos min {c['min']} mean {c['mean']} top10 {e['top10_overlap']}"
                else:
                    q = f"labels agree {e['label_agreement']} max |dp| {e['prob_diff']['max']}"
                bound = f"{e.get('fraction_of_bound', float('nan')):.0%} of bound {e.get('bound_items_per_s')}"
                print(f"  {b:<14} {e['items_per_s']:>7} {unit}  x{e['vs_torch_fp32']:<5} {bound:<26} {q}")
    for backend, row in (r.get("verifier") or {}).items():
        ev = row.get("scifact_eval") or {}
        f1 = {s: ev[s]["aggregator"]["macro_f1"] for s in ("oracle", "retrieval") if s in ev}
        print(f"verifier on {backend}: SciFact macro-F1 {f1}, change {row.get('macro_f1_change_points')} points")
    for name, row in (r.get("pipeline") or {}).items():
        if isinstance(row, dict) and "cold" in row:
            c, w = row["cold"], row["second_question"]
            print(f"pipeline {name}: cold {c['wall_s']} s (cpu {c['cpu_s']} s, peak RSS {c['peak_rss_mib_tree']} MiB), "
                  f"second question {w['wall_s']} s (cpu {w['cpu_s']} s); "
                  f"{c.get('speedup_vs_before', '')} {w.get('speedup_vs_before', '')}")  # fmt: skip
    if "gpu" in r:
        print("gpu:", json.dumps(r["gpu"]))


if __name__ == "__main__":
    main()
