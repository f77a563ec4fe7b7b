"""One robust-xlt experiment: for each task, method and seed, fine-tune, select, test; collect the raw records."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from synth.experiments.robust_xlt.data import PairSource, build_protocol, check_langs, get_task
from synth.experiments.robust_xlt.presets import Preset

VERSION = 1  # bump when what a run measures changes meaning


def run_experiment(
    *,
    tasks: Sequence[str],
    methods: Sequence[str],
    seeds: Sequence[int],
    preset: Preset,
    source: PairSource,
    encoder_name: str,
    langs: Sequence[str] | None = None,
    cache_dir: Path | None = None,
    threads: int | None = None,
    log: Callable[[str], None] = print,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Train and evaluate every (task, method, seed); return the results document (see ``results.summarize``).

    ``on_progress`` receives the document of the runs finished so far after each run (to save partial results).
    """
    from synth.experiments.robust_xlt.evaluate import accuracy
    from synth.experiments.robust_xlt.train import load_encoder, train, training_device

    t0 = time.perf_counter()
    task_objs = [get_task(t) for t in tasks]
    protocols = {}
    for task in task_objs:  # validate data and languages before loading any model
        task_langs = tuple(langs) if langs else preset.langs[task.name]
        check_langs(task, task_langs)
        gen_langs = [g for g in preset.generalized_langs[task.name] if not langs or g in langs]
        protocols[task.name] = build_protocol(
            task,
            source,
            langs=task_langs,
            generalized_langs=gen_langs,
            n_train=preset.n_train,
            n_select=preset.n_select,
            n_test=preset.n_test,
            n_generalized=preset.n_generalized,
        )
    device = training_device(threads)
    log(f"device {device}; loading encoder {encoder_name}")
    encoder = load_encoder(encoder_name, cache_dir)
    records = []
    for task in task_objs:
        split = protocols[task.name]
        copies = (preset.rsda_copies or {}).get(task.name, task.rsda_copies)

        def evaluate(model: Any, pairs: list, _t: Any = task) -> float:
            return accuracy(
                model,
                encoder.tokenizer,
                pairs,
                max_length=preset.max_length,
                batch_size=preset.eval_batch,
                device=device,
                bf16=preset.bf16,
            )

        # seed-major, so a run cut short still has paired baseline / robust results for the seeds it finished
        for seed in seeds:
            for method in methods:
                log(f"{task.display} {method} seed {seed}: training on {len(split.train)} English pairs")
                res = train(
                    encoder,
                    len(task.labels),
                    split.train,
                    split.select,
                    method,
                    preset,
                    preset.epochs[task.name],
                    copies,
                    seed,
                    device,
                    evaluate,
                    log,
                )
                t1 = time.perf_counter()
                test = {lang: evaluate(res.model, pairs) for lang, pairs in split.test.items()}
                gen = {k: evaluate(res.model, pairs) for k, pairs in split.generalized.items() if pairs}
                log(f"  test {', '.join(f'{k} {v:.3f}' for k, v in test.items())}")
                records.append(
                    {
                        "task": task.name,
                        "method": method,
                        "seed": seed,
                        "select_acc": res.select_acc,
                        "best_step": res.best_step,
                        "steps": res.steps,
                        "examples_seen": res.examples_seen,
                        "train_seconds": round(res.seconds, 1),
                        "eval_seconds": round(time.perf_counter() - t1, 1),
                        "rsda_changed_share": res.rsda_changed,
                        "test": test,
                        "generalized": gen,
                        "history": res.history,
                    }
                )
                del res
                if on_progress is not None:
                    on_progress(_document(records, protocols, preset, encoder, device, t0))
    return _document(records, protocols, preset, encoder, device, t0)


def _document(
    records: list[dict[str, Any]], protocols: dict[str, Any], preset: Preset, encoder: Any, device: str, t0: float
) -> dict[str, Any]:
    from synth.experiments.robust_xlt.results import summarize

    return summarize(
        records=list(records),
        protocols={k: v.description for k, v in protocols.items() if any(r["task"] == k for r in records)},
        test_sources={k: v.test_source for k, v in protocols.items()},
        preset=preset,
        encoder=encoder,
        device=_device_name(device),
        seconds=time.perf_counter() - t0,
        version=VERSION,
    )


def _device_name(device: str) -> str:
    import torch

    if device == "cuda":
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return f"cpu ({torch.get_num_threads()} threads)"
