"""``synth verifier …``: train, export and calibrate synth's offline NLI verifier.

Kept thin: options → :class:`~synth.verifier.train.TrainConfig` → the recipe. The option defaults are the
recipe that produced the shipped ``synth/assets/nli-minilm-l6`` model.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from synth.errors import ConfigError, ModelLoadError
from synth.verifier.data import SHARED_DATA
from synth.verifier.train import TrainConfig  # a dataclass; importing it pulls in no torch

app = typer.Typer(help="Train, export and calibrate synth's offline NLI verifier.", no_args_is_help=True)

_D = TrainConfig()
_SCIFACT = SHARED_DATA / "scifact"
_TRAIN_DIR = Path(_D.out)


@app.command()
def train(
    bigbench: Annotated[
        Path, typer.Option(help="bigbench 1.0.0 sdist (.tar.gz) or its extracted folder (holds VitaminC).")
    ] = Path(_D.bigbench),
    out: Annotated[Path, typer.Option(help="Run directory: checkpoints, train_log.jsonl, final/.")] = _TRAIN_DIR,
    seed: Annotated[int, typer.Option(help="Seed for sampling, shuffling, init and dropout.")] = _D.seed,
    max_length: Annotated[int, typer.Option(help="Tokens per pair (longer pairs are truncated).")] = _D.max_length,
    batch_size: Annotated[int, typer.Option(help="Pairs per optimizer step.")] = _D.batch_size,
    lr_phase1: Annotated[float, typer.Option(help="Peak learning rate, phase 1 (XNLI).")] = _D.lr_phase1,
    lr_phase2: Annotated[float, typer.Option(help="Peak learning rate, phase 2 (mix).")] = _D.lr_phase2,
    warmup: Annotated[float, typer.Option(help="Warm-up as a fraction of each phase's steps.")] = _D.warmup,
    weight_decay: Annotated[float, typer.Option(help="AdamW weight decay.")] = _D.weight_decay,
    phase1_epochs: Annotated[float, typer.Option(help="Epochs over XNLI train in phase 1.")] = _D.phase1_epochs,
    vitaminc_train_n: Annotated[
        int, typer.Option(help="VitaminC train-side examples in the mix (0 = all).")
    ] = _D.vitaminc_train_n,
    scifact_repeat: Annotated[int, typer.Option(help="Times the SciFact train pairs repeat.")] = _D.scifact_repeat,
    xnli_in_mix: Annotated[bool, typer.Option(help="Repeat XNLI train in the phase-2 mix.")] = _D.xnli_in_mix,
    eval_every: Annotated[int, typer.Option(help="Evaluate + checkpoint every N steps.")] = _D.eval_every,
    heldout_n: Annotated[int, typer.Option(help="Held-out VitaminC / XNLI pairs evaluated.")] = _D.heldout_n,
    deadline: Annotated[str | None, typer.Option(help="Stop at this UTC time (ISO, e.g. 2026-11-25T15:50:00).")] = None,
    threads: Annotated[int, typer.Option(help="torch CPU threads.")] = _D.threads,
    phase2_until: Annotated[
        str | None, typer.Option(help="Wall-clock LR schedule for phase 2: decay to 0 and stop at this UTC time.")
    ] = None,
    init_from: Annotated[Path | None, typer.Option(help="Start from this saved phase-1 model and skip phase 1.")] = None,
    export_to: Annotated[
        Path | None, typer.Option(help="Also export the final model here (e.g. synth/assets/nli-minilm-l6).")
    ] = None,
) -> None:
    """Fine-tune all-MiniLM-L6-v2 into a 3-way NLI cross-encoder (XNLI, then VitaminC + SciFact + XNLI)."""
    from synth.verifier.train import train as run_train

    if not bigbench.exists():
        raise ConfigError(
            f"bigbench not found: {bigbench}",
            hint="Run `pip download --no-deps bigbench==1.0.0` and pass the .tar.gz with --bigbench.",
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cfg = TrainConfig(
        bigbench=str(bigbench), out=str(out), seed=seed, max_length=max_length, batch_size=batch_size,
        lr_phase1=lr_phase1, lr_phase2=lr_phase2, warmup=warmup, weight_decay=weight_decay,
        phase1_epochs=phase1_epochs, vitaminc_train_n=vitaminc_train_n, scifact_repeat=scifact_repeat,
        xnli_in_mix=xnli_in_mix, eval_every=eval_every, heldout_n=heldout_n, deadline=deadline, threads=threads,
        phase2_until=phase2_until, init_from=str(init_from) if init_from else None,
    )  # fmt: skip
    final = run_train(cfg)
    typer.echo(f"final model: {final}")
    if export_to is not None:
        from synth.verifier.export import export

        typer.echo(f"exported: {export(final, export_to, train_dir=out)}")


@app.command("export")
def export_cmd(
    final: Annotated[Path, typer.Option(help="Directory of the trained fp32 model.")] = _TRAIN_DIR / "final",
    dest: Annotated[Path | None, typer.Option(help="Where to write (default: synth/assets/nli-minilm-l6).")] = None,
    train_dir: Annotated[Path, typer.Option(help="Training run dir (its log feeds the card).")] = _TRAIN_DIR,
) -> None:
    """Export the final weights as fp16 + config/tokenizer + model card."""
    from synth.verifier.export import ASSET_DIR, export

    typer.echo(f"exported: {export(final, dest or ASSET_DIR, train_dir=train_dir)}")


@app.command()
def calibrate(
    model_dir: Annotated[Path | None, typer.Option(help="Exported model dir (default: the shipped one).")] = None,
    scifact: Annotated[Path, typer.Option(help="Folder with claims_train.jsonl + corpus.jsonl.")] = _SCIFACT,
    train_dir: Annotated[Path, typer.Option(help="Training run dir, to refresh the model card.")] = _TRAIN_DIR,
) -> None:
    """Choose threshold/margin and fit the isotonic calibration on SciFact `fit`; report on `eval`."""
    from synth.verifier.calibrate import calibrate as run_calibrate
    from synth.verifier.export import ASSET_DIR, write_model_card

    model_dir = model_dir or ASSET_DIR
    if not (model_dir / "config.json").is_file():
        raise ModelLoadError(f"no model at {model_dir}", hint="Run `synth verifier train --export-to DIR` first.")
    if not (scifact / "claims_train.jsonl").is_file():
        raise ConfigError(f"SciFact claims_train.jsonl not found in {scifact}")
    figures = run_calibrate(model_dir, scifact)
    if (train_dir / "train_log.jsonl").is_file():
        write_model_card(model_dir, train_dir)
    typer.echo(json.dumps(figures, indent=2))
