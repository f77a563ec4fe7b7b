"""Benchmark synth's verifier: SciFact claims it never saw, the hand-labelled decisions of real runs, and speed.

Figures (written to ``reports/benchmarks/verifier.json`` and printed):
- SciFact ``eval`` part (never trained on, never used to fit the aggregator or choose its operating point), with
  oracle evidence (the cited abstracts) and with retrieval (dense + BM25 over all 5,183 abstracts), for the
  aggregator and for the old max-over-windows rule with isotonic calibration, side by side: accuracy, macro-F1,
  ECE, precision and coverage of supported and refuted at the operating point, the predicted-label distribution;
- the real-run gold set (``benchmarks/gold/verify_decisions.jsonl``: claim–passage decisions from runs over
  ``../shared/data/pdfs``, labelled by reading): re-scored with this model through synth's own decision, the
  precision of every supported / refuted verdict it would print, and how many it printed;
- throughput in pairs/s of ``NLIModel.predict_proba`` (batched, length-sorted) vs a naive per-pair loop.

Usage: ``python benchmarks/bench_verifier.py [--model synth/nli-minilm-l6] [--scifact DIR] [--gold FILE]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from synth.core.modelref import resolve_model
from synth.core.records import Claim
from synth.core.settings import VerifySettings
from synth.verification.nli import load_nli

ROOT = Path(__file__).resolve().parents[1]
# full-text labelled decisions, rebuilt locally from runs over ../shared/data/pdfs by benchmarks/gold/dump_decisions.py
# (the repository keeps them by hash only: the arXiv papers' text may not be copied into it)
GOLD = ROOT.parent / "scratch" / "gold" / "full_labelled.jsonl"


def throughput(nli, model_dir: str, pairs: list[tuple[str, str]]) -> dict[str, float]:  # noqa: ANN001
    """pairs/s of NLIModel.predict_proba vs a naive one-pair-at-a-time transformers loop, same pairs."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from synth.verification.nli import LABELS

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
    id2label = {int(k): v for k, v in naive.config.id2label.items()}
    order = [next(k for k, v in id2label.items() if v == lab) for lab in LABELS]
    return {
        "pairs": len(pairs),
        "batch_size": nli.batch_size,
        "nli_model_pairs_per_s": round(len(pairs) / batched_s, 1),
        "naive_per_pair_pairs_per_s": round(len(pairs) / naive_s, 1),
        "speedup": round(naive_s / batched_s, 2),
        "max_abs_prob_diff": round(float(np.abs(np.stack(rows)[:, order] - batched).max()), 5),
    }


def gold_decisions(model: str, path: Path) -> dict | None:
    """Re-decide every labelled claim of the gold set from its labelled passages; precision of what would be printed.

    A claim's passages are the ones labelled for it (each supported / refuted / neither, read by hand). A printed
    "supported" is right when its deciding passage is labelled supported (likewise refuted). Measured for synth's
    decision (the aggregator at its operating point) and, side by side, for the old max-over-windows rule with its
    calibrated threshold (what earlier versions printed).
    """
    if not path.is_file():
        return None
    from synth.claims.numbers import extract_numbers
    from synth.core.cache import Cache
    from synth.core.settings import load_settings
    from synth.retrieval.embedding import load_embedder
    from synth.verification.calibration import Calibration
    from synth.verification.verify import Decider, load_decider, verify_claims

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("label") in ("supported", "refuted", "neither")]
    by_claim: dict[str, list[dict]] = {}
    for r in rows:
        by_claim.setdefault(r["claim"], []).append(r)
    claims = [
        Claim(id=f"g{i}", text=text, kind="finding", sources=[], numbers=extract_numbers(text), relevance=0.0, extractor="gold")
        for i, text in enumerate(by_claim)
    ]
    candidates = [[(r["passage"], None) for r in by_claim[c.text]] for c in claims]
    nli = load_nli(model, device="cpu")
    embedder = load_embedder("sentence-transformers/all-MiniLM-L6-v2", "cpu")
    cache = Cache(load_settings().cache_dir)
    settings = VerifySettings()
    labels = {(r["claim"], r["passage"]): r["label"] for r in rows}
    out: dict = {"claims": len(claims), "decisions": len(rows), "label_counts": {}}
    for r in rows:
        out["label_counts"][r["label"]] = out["label_counts"].get(r["label"], 0) + 1
    cal_path = Path(resolve_model(model)) / "calibration.json"
    deciders = {"synth (aggregator at its operating point)": load_decider(model, settings)}
    if cal_path.is_file():
        cal = Calibration.load(cal_path)
        deciders["baseline rule (max over windows, no abstention)"] = Decider(None, 0.0, cal.threshold, cal.margin)
    for name, decider in deciders.items():
        verdicts, _ = verify_claims(
            claims, candidates, nli, lambda t: cache.embed(embedder.key, t, embedder.encode)[0], settings, decider
        )
        result: dict = {}
        for verdict_label in ("supported", "refuted"):
            printed = [(c, v) for c, v in zip(claims, verdicts, strict=True) if v.label == verdict_label]
            right = [1 for c, v in printed if v.evidence and labels.get((c.text, v.evidence[0].text)) == verdict_label]
            truly = [c for c in claims if any(r["label"] == verdict_label for r in by_claim[c.text])]
            result[verdict_label] = {
                "printed": len(printed),
                "right": len(right),
                "precision": round(len(right) / len(printed), 4) if printed else None,
                "coverage": round(len(right) / len(truly), 4) if truly else None,
                "gold_claims": len(truly),
            }
        result["not_verified"] = sum(1 for v in verdicts if v.label == "not_enough_evidence")
        out[name] = result
    return out


def main() -> dict:
    """Run the benchmark; returns the report dict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="synth/nli-minilm-l6")
    parser.add_argument("--scifact", default=str(ROOT.parent / "shared" / "data" / "scifact"))
    parser.add_argument("--gold", default=str(GOLD))
    parser.add_argument("--throughput-pairs", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-scifact", action="store_true", help="Only the gold set and throughput.")
    parser.add_argument("--out", default=str(ROOT / "reports" / "benchmarks" / "verifier.json"))
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    model_dir = resolve_model(args.model)
    nli = load_nli(args.model, device="cpu")
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": args.model,
        "model_revision": nli.revision,
        "device": "cpu",
        "threads": args.threads,
        "machine": platform.processor() or platform.machine(),
        "targets": {"supported_precision": 0.80, "oracle_macro_f1": 0.70, "ece": 0.05},
    }
    aggregator = Path(model_dir) / "aggregator.json"
    if not args.skip_scifact and Path(args.scifact).is_dir() and aggregator.is_file():
        report["scifact_eval"] = scifact_eval(model_dir, args.scifact)
    report["gold_decisions"] = gold_decisions(args.model, Path(args.gold))
    pairs = [(f"Sentence {i} about cross-lingual transfer of encoders.", "Encoders transfer across languages.") for i in range(8)]
    if Path(args.scifact).is_dir():
        from synth.training.data import load_scifact_claims, load_scifact_corpus

        corpus = load_scifact_corpus(args.scifact)
        pairs = [
            (s, c.claim)
            for c in load_scifact_claims(args.scifact, "eval")
            for d in c.cited_doc_ids
            for s in corpus[d]["abstract"]
        ]
    rng = np.random.default_rng(0)
    pick = rng.choice(len(pairs), size=min(args.throughput_pairs, len(pairs)), replace=False)
    report["throughput"] = throughput(nli, model_dir, [pairs[int(i)] for i in pick])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "scifact_eval"}, indent=2))
    if "scifact_eval" in report:
        print_scifact(report["scifact_eval"])
    print(f"\nwritten: {out}")
    return report


def scifact_eval(model_dir: str, scifact: str) -> dict:
    """The eval part through the shipped aggregator and the baseline rule (nothing refitted)."""
    from synth.core.cache import Cache
    from synth.core.settings import load_settings
    from synth.retrieval.embedding import load_embedder
    from synth.training import calibrate as cal
    from synth.training.data import load_scifact_claims, load_scifact_corpus
    from synth.verification.aggregate import Aggregator
    from synth.verification.calibration import Calibration
    from synth.verification.evidence import document_candidates, retrieved_candidates
    from synth.verification.windows import premise_budget

    nli = load_nli(model_dir, device="cpu")
    embedder = load_embedder("sentence-transformers/all-MiniLM-L6-v2", "cpu")
    cache = Cache(load_settings().cache_dir)

    def embed(texts: list[str]) -> np.ndarray:
        return cache.embed(embedder.key, texts, embedder.encode)[0]

    def budget(text: str) -> int:
        return premise_budget(nli.count_tokens(text), nli.max_tokens, cal.MAX_PREMISE_TOKENS)

    agg = Aggregator.load(Path(model_dir) / "aggregator.json")
    baseline = Calibration.load(Path(model_dir) / "calibration.json")
    corpus = load_scifact_corpus(scifact)
    claims = load_scifact_claims(scifact, "eval")
    texts = [c.claim for c in claims]
    gold = [c.label for c in claims]
    index, sentences = cal.corpus_index(corpus, embed, embedder.key)
    out: dict = {"n_claims": len(claims), "min_confidence": agg.min_confidence}
    settings = {
        "oracle": document_candidates(
            texts, [[corpus[d]["abstract"] for d in c.cited_doc_ids] for c in claims], budget, nli.count_tokens
        ),
        "retrieval": retrieved_candidates(
            texts, embed(texts), [set()] * len(texts), index, sentences, cal.TOP_K, budget, nli.count_tokens
        ),
    }
    for name, candidates in settings.items():
        t = time.time()
        windows, probs = cal.claim_evidence(nli, embed, texts, candidates)
        p = agg.predict_proba(cal.feature_matrix(windows, probs))
        out[name] = {
            "aggregator": cal.verdict_metrics(gold, p, agg.min_confidence),
            "baseline_rule": cal.rule_metrics(gold, probs, baseline),
            "n_pairs": int(sum(len(x) for x in probs)),
            "seconds": round(time.time() - t, 1),
        }
    return out


def print_scifact(ev: dict) -> None:
    print(f"\nSciFact eval ({ev['n_claims']} claims), operating point {ev['min_confidence']}")
    print(f"{'setting':<10}{'decision':<14}{'acc':>7}{'macroF1':>9}{'ECE':>7}{'sup P':>8}{'sup cov':>9}{'ref P':>8}")
    for name in ("oracle", "retrieval"):
        a, b = ev[name]["aggregator"], ev[name]["baseline_rule"]
        op = a["at_operating_point"]
        sp, sc, rp = op["supported"]["precision"], op["supported"]["coverage"], op["refuted"]["precision"]
        print(f"{name:<10}{'aggregator':<14}{a['accuracy']:>7.3f}{a['macro_f1']:>9.3f}{a['ece_15']:>7.3f}"
              f"{sp if sp is not None else float('nan'):>8.3f}{sc if sc is not None else float('nan'):>9.3f}"
              f"{rp if rp is not None else float('nan'):>8.3f}")  # fmt: skip
        bp = b["precision_supported"]
        print(f"{'':<10}{'baseline rule':<14}{b['accuracy']:>7.3f}{b['macro_f1']:>9.3f}{b['ece_15']:>7.3f}"
              f"{bp if bp is not None else float('nan'):>8.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
