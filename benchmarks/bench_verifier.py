"""Benchmark synth's verifier on the SciFact ``eval`` part (never trained on, never used for calibration).

Figures:
- claim-level accuracy / 3-class macro-F1 / ECE (15 bins, raw score vs calibrated) with oracle abstracts
  (premises = sentences of the cited abstracts) and with retrieval (top-k sentences of the whole 5,183-abstract
  SciFact corpus by all-MiniLM-L6-v2 cosine similarity, faiss IndexFlatIP);
- throughput in pairs/s of ``NLIModel.predict_proba`` (batched, length-sorted) vs a naive per-pair
  ``AutoModelForSequenceClassification`` loop on the same pairs, measured side by side in this process.

Usage: ``python benchmarks/bench_verifier.py [--model synth/nli-minilm-l6] [--top-k 8] [--throughput-pairs 512]``.
Writes ``reports/benchmarks/verifier.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from synth.core.modelref import resolve_model
from synth.training.calibrate import claim_window_probs, oracle_evidence, verdict_metrics
from synth.training.data import load_scifact_claims, load_scifact_corpus
from synth.verification.calibration import Calibration
from synth.verification.decision import judge
from synth.verification.nli import load_nli

ROOT = Path(__file__).resolve().parents[1]
EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"


def corpus_sentence_index(corpus: dict[int, dict], cache_dir: Path):
    """(faiss IndexFlatIP over normalised sentence embeddings, [(doc_id, sentence index)], embed seconds)."""
    import faiss
    from sentence_transformers import SentenceTransformer

    refs = [(doc_id, i) for doc_id, doc in corpus.items() for i in range(len(doc["abstract"]))]
    texts = [corpus[d]["abstract"][i] for d, i in refs]
    key = hashlib.sha256(("\n".join(texts) + EMBEDDER).encode()).hexdigest()[:16]
    cache = cache_dir / f"scifact-sentences-{key}.npy"
    model = SentenceTransformer(resolve_model(EMBEDDER), device="cpu")
    t = time.time()
    if cache.is_file():
        emb = np.load(cache)
    else:
        emb = model.encode(
            texts, batch_size=128, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        ).astype(np.float32)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, emb)
    embed_s = time.time() - t
    index = faiss.IndexFlatIP(emb.shape[1])
    index.add(emb)
    return index, refs, model, embed_s


def retrieved_evidence(claims, corpus, index, refs, model, top_k: int) -> list[list[list[str]]]:
    """Each claim's top-k corpus sentences, each as its own one-sentence 'document' (windows never join them)."""
    q = model.encode([c.claim for c in claims], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False).astype(
        np.float32
    )
    _, ids = index.search(q, top_k)
    return [[[corpus[refs[j][0]]["abstract"][refs[j][1]]] for j in row] for row in ids]


def throughput(nli, model_dir: str, pairs: list[tuple[str, str]]) -> dict[str, float]:
    """pairs/s of NLIModel.predict_proba vs a naive one-pair-at-a-time transformers loop, same pairs."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    naive = AutoModelForSequenceClassification.from_pretrained(model_dir, dtype=torch.float32).eval()
    nli.predict_proba(pairs[:32])  # warm-up both
    with torch.inference_mode():
        naive(**tok(*pairs[0], return_tensors="pt", truncation=True, max_length=nli.max_tokens))
    t = time.perf_counter()
    batched = nli.predict_proba(pairs)
    batched_s = time.perf_counter() - t
    t = time.perf_counter()
    rows = []
    with torch.inference_mode():
        for premise, hypothesis in pairs:
            enc = tok(premise, hypothesis, return_tensors="pt", truncation=True, max_length=nli.max_tokens)
            rows.append(torch.softmax(naive(**enc).logits, dim=-1)[0].numpy())
    naive_s = time.perf_counter() - t
    # same model, same pairs: the two paths must agree (after mapping naive columns to LABELS order)
    id2label = {int(k): v for k, v in naive.config.id2label.items()}
    from synth.verification.nli import LABELS

    order = [next(k for k, v in id2label.items() if v == lab) for lab in LABELS]
    max_diff = float(np.abs(np.stack(rows)[:, order] - batched).max())
    return {
        "pairs": len(pairs),
        "batch_size": nli.batch_size,
        "nli_model_pairs_per_s": round(len(pairs) / batched_s, 1),
        "naive_per_pair_pairs_per_s": round(len(pairs) / naive_s, 1),
        "speedup": round(naive_s / batched_s, 2),
        "max_abs_prob_diff": round(max_diff, 5),
    }


def main() -> dict:
    """Run the benchmark; returns the report dict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="synth/nli-minilm-l6")
    parser.add_argument("--scifact", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data" / "scifact"))
    parser.add_argument("--top-k", type=int, default=8)
    parser.add_argument("--throughput-pairs", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "reports" / "benchmarks" / "verifier.json"))
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    model_dir = resolve_model(args.model)
    nli = load_nli(args.model, device="cpu")
    cal_path = Path(model_dir) / "calibration.json"
    cal = Calibration.load(cal_path) if cal_path.is_file() else None
    threshold, margin = (cal.threshold, cal.margin) if cal else (0.5, 0.1)

    corpus = load_scifact_corpus(args.scifact)
    claims = load_scifact_claims(args.scifact, "eval")
    gold = [c.label for c in claims]
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": args.model,
        "model_revision": nli.revision,
        "device": "cpu",
        "threads": args.threads,
        "machine": platform.processor() or platform.machine(),
        "data": f"SciFact claims_train.jsonl, eval part of synth.training.data.scifact_split ({len(claims)} claims)",
        "rule": {"threshold": threshold, "margin": margin, "calibration": str(cal_path) if cal else None},
        "targets": {"oracle_macro_f1": 0.70, "ece": 0.05},
    }

    settings = {}
    t = time.time()
    oracle_probs = claim_window_probs(nli, [c.claim for c in claims], oracle_evidence(claims, corpus))
    settings["oracle"] = (oracle_probs, time.time() - t)
    index, refs, embedder, embed_s = corpus_sentence_index(corpus, ROOT / "scratch" / "bench-cache")
    t = time.time()
    retrieved = retrieved_evidence(claims, corpus, index, refs, embedder, args.top_k)
    settings[f"retrieval_top{args.top_k}"] = (claim_window_probs(nli, [c.claim for c in claims], retrieved), time.time() - t)
    report["retrieval"] = {
        "embedder": EMBEDDER,
        "sentences_indexed": len(refs),
        "top_k": args.top_k,
        "index": "faiss IndexFlatIP on L2-normalised embeddings",
        "embed_s": round(embed_s, 1),
    }

    for name, (probs, secs) in settings.items():
        js = [judge(p, threshold=threshold, margin=margin) for p in probs]
        raw = verdict_metrics(gold, js)
        entry = {"raw_score_as_confidence": raw, "n_pairs": int(sum(len(p) for p in probs)), "seconds": round(secs, 1)}
        if cal:
            entry["calibrated"] = verdict_metrics(gold, js, [cal.apply(j.label, j.score) for j in js])
        report[name] = entry

    pairs: list[tuple[str, str]] = []
    for c, docs in zip(claims, oracle_evidence(claims, corpus), strict=True):
        pairs.extend((s, c.claim) for d in docs for s in d)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(pairs), size=min(args.throughput_pairs, len(pairs)), replace=False)
    report["throughput"] = throughput(nli, model_dir, [pairs[int(i)] for i in pick])

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"\nwritten: {out}")
    return report


def print_table(report: dict) -> None:
    """A plain-text summary of the report."""
    print(f"verifier benchmark: {report['model']} ({report['model_revision'][:12]}), {report['data']}")
    print(f"rule: threshold {report['rule']['threshold']}, margin {report['rule']['margin']}")
    print(f"{'setting':<22}{'acc':>7}{'macroF1':>9}{'ECE raw':>9}{'ECE cal':>9}{'pairs':>8}{'s':>7}")
    for name in [k for k in report if k == "oracle" or k.startswith("retrieval_top")]:
        e = report[name]
        raw, cal = e["raw_score_as_confidence"], e.get("calibrated")
        print(
            f"{name:<22}{raw['accuracy']:>7.3f}{raw['macro_f1']:>9.3f}{raw['ece_15']:>9.3f}"
            f"{(cal['ece_15'] if cal else float('nan')):>9.3f}{e['n_pairs']:>8}{e['seconds']:>7.1f}"
        )
    tp = report["throughput"]
    print(
        f"throughput on {tp['pairs']} pairs: NLIModel.predict_proba {tp['nli_model_pairs_per_s']} pairs/s vs "
        f"naive per-pair loop {tp['naive_per_pair_pairs_per_s']} pairs/s (x{tp['speedup']}; "
        f"max |Δp| {tp['max_abs_prob_diff']})"
    )


if __name__ == "__main__":
    main()
