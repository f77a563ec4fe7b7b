"""``synth verifier …``: train, export and calibrate synth's offline NLI verifier.

Kept thin: options → :class:`~synth.training.train.TrainConfig` → the recipe. The option defaults are the
recipe that produced the shipped ``synth/assets/nli-minilm-l6`` model.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from synth.core.errors import ConfigError, ModelLoadError
from synth.training.train import TrainConfig  # a dataclass; importing it pulls in no torch

app = typer.Typer(help="Train, export and calibrate synth's offline NLI verifier.", no_args_is_help=True)

_D = TrainConfig()
_TRAIN_DIR = Path(_D.out)


@app.command()
def train(
    bigbench: Annotated[
        Path, typer.Option(help="bigbench 1.0.0 sdist (.tar.gz) or its extracted folder (holds VitaminC).")
    ] = Path(_D.bigbench),
    data: Annotated[
        Path, typer.Option(help="Folder holding xnli/ (XTREME layout) and scifact/ (claims_train.jsonl, corpus.jsonl).")
    ] = Path(_D.data),
    out: Annotated[Path, typer.Option(help="Run directory: checkpoints, train_log.jsonl, round-*/final.")] = _TRAIN_DIR,
    base_model: Annotated[str, typer.Option(help="Encoder to start from (gets a fresh 3-way head).")] = _D.base_model,
    init_from: Annotated[
        Path | None, typer.Option(help="A trained 3-way verifier to continue from (skips the general-NLI round).")
    ] = None,
    rounds: Annotated[int, typer.Option(help="Rounds over the mix after the general-NLI round.")] = _D.rounds,
    seed: Annotated[int, typer.Option(help="Seed for sampling, shuffling, init and dropout.")] = _D.seed,
    max_length: Annotated[int, typer.Option(help="Tokens per pair (longer pairs are truncated).")] = _D.max_length,
    batch_size: Annotated[int, typer.Option(help="Pairs per optimizer step.")] = _D.batch_size,
    lr: Annotated[float, typer.Option(help="Peak learning rate of mix round 1.")] = _D.lr,
    lr_decay: Annotated[float, typer.Option(help="Round k peaks at lr * lr_decay ** (k - 1).")] = _D.lr_decay,
    lr_general: Annotated[float, typer.Option(help="Peak learning rate of the general-NLI round.")] = _D.lr_general,
    scifact_repeat: Annotated[int, typer.Option(help="Times the SciFact train pairs repeat per round.")] = _D.scifact_repeat,
    hard_per_pair: Annotated[int, typer.Option(help="Rule-made hard negatives per entailment pair.")] = _D.hard_per_pair,
    vitaminc_train_n: Annotated[int, typer.Option(help="VitaminC train-side examples (0 = all).")] = _D.vitaminc_train_n,
    save_every: Annotated[int, typer.Option(help="Checkpoint every N optimizer steps (resume point).")] = _D.save_every,
    heldout_n: Annotated[int, typer.Option(help="Held-out VitaminC / XNLI pairs evaluated per round.")] = _D.heldout_n,
    deadline: Annotated[str | None, typer.Option(help="Checkpoint and stop at this UTC time (ISO); resume later.")] = None,
    threads: Annotated[int, typer.Option(help="torch CPU threads.")] = _D.threads,
    export_to: Annotated[
        Path | None, typer.Option(help="Also export the final model here (e.g. synth/assets/nli-minilm-l6).")
    ] = None,
) -> None:
    """Train (or resume) the offline verifier: rounds over VitaminC + SciFact + XNLI + rule-made hard negatives."""
    from synth.training.train import train as run_train

    if not bigbench.exists():
        raise ConfigError(
            f"bigbench not found: {bigbench}",
            hint="Run `pip download --no-deps bigbench==1.0.0` and pass the .tar.gz with --bigbench.",
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cfg = TrainConfig(
        bigbench=str(bigbench), data=str(data), out=str(out), base_model=base_model,
        init_from=str(init_from) if init_from else None,
        rounds=rounds, seed=seed, max_length=max_length, batch_size=batch_size, lr=lr, lr_decay=lr_decay,
        lr_general=lr_general, scifact_repeat=scifact_repeat, hard_per_pair=hard_per_pair,
        vitaminc_train_n=vitaminc_train_n, save_every=save_every, heldout_n=heldout_n, deadline=deadline, threads=threads,
    )  # fmt: skip
    final = run_train(cfg)
    typer.echo(f"final model: {final}")
    if export_to is not None:
        from synth.training.export import export

        typer.echo(f"exported: {export(final, export_to, train_dir=out)}")


@app.command("export")
def export_cmd(
    final: Annotated[Path, typer.Option(help="Directory of the trained fp32 model.")] = _TRAIN_DIR / "round-3" / "final",
    dest: Annotated[Path | None, typer.Option(help="Where to write (default: synth/assets/nli-minilm-l6).")] = None,
    train_dir: Annotated[Path, typer.Option(help="Training run dir (its log feeds the card).")] = _TRAIN_DIR,
) -> None:
    """Export the final weights as fp16 + config/tokenizer + model card."""
    from synth.training.export import ASSET_DIR, export

    typer.echo(f"exported: {export(final, dest or ASSET_DIR, train_dir=train_dir)}")


@app.command()
def calibrate(
    scifact: Annotated[Path, typer.Option(help="Folder with SciFact's claims_train.jsonl + corpus.jsonl.")],
    model_dir: Annotated[Path | None, typer.Option(help="Exported model dir (default: the shipped one).")] = None,
    train_dir: Annotated[Path, typer.Option(help="Training run dir, to refresh the model card.")] = _TRAIN_DIR,
) -> None:
    """Choose threshold/margin and fit the isotonic calibration on SciFact `fit`; report on `eval`."""
    from synth.training.calibrate import calibrate as run_calibrate
    from synth.training.export import ASSET_DIR, write_model_card

    model_dir = model_dir or ASSET_DIR
    if not (model_dir / "config.json").is_file():
        raise ModelLoadError(f"no model at {model_dir}", hint="Run `synth verifier train --export-to DIR` first.")
    if not (scifact / "claims_train.jsonl").is_file():
        raise ConfigError(f"SciFact claims_train.jsonl not found in {scifact}")
    figures = run_calibrate(model_dir, scifact)
    if (train_dir / "train_log.jsonl").is_file():
        write_model_card(model_dir, train_dir)
    typer.echo(json.dumps(figures, indent=2))
