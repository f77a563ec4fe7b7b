"""One-command, seeded recipe that fine-tunes all-MiniLM-L6-v2 into a 3-way NLI cross-encoder (synth's verifier).

Curriculum in two phases, each a ``CrossEncoderTrainer`` run with its own linear warm-up and decay:

1. general NLI: the English XNLI ``train`` side (premise-hash split, see :mod:`synth.verifier.data`);
2. a shuffled mix: VitaminC ``train`` side (page-title split, optionally sub-sampled), SciFact ``train`` part
   (repeated ``scifact_repeat`` times: it is small and in-domain) and XNLI ``train`` again (so phase 2 does not
   forget general NLI).

Every ``eval_every`` steps (and at the end of each phase) the model is evaluated on held-out VitaminC, XNLI and
SciFact ``eval`` pairs -- accuracy, macro-F1 and the *distribution of predicted labels* (pilots here collapsed to
"entailment" on VitaminC) -- logged to ``<out>/train_log.jsonl`` and saved to ``<out>/checkpoint-latest``.
A ``deadline`` (UTC ISO time) stops training early and still leaves a model.

CPU time on a shared machine is unpredictable, so phase 2 can instead run on a *wall-clock* schedule
(``phase2_until``): the learning rate warms up over the first ``warmup`` fraction of the time budget and decays
linearly to zero at ``phase2_until``, when training stops. The model is then annealed whatever the throughput;
the number of steps taken is recorded in the log (the shipped model was trained this way: see its card).
``init_from`` resumes from a saved phase-1 model and skips phase 1.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from synth.verifier.data import (
    LABELS,
    Pair,
    label_counts,
    load_vitaminc,
    load_xnli_en,
    scifact_pairs,
)

log = logging.getLogger(__name__)

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ID2LABEL = dict(enumerate(LABELS))
LABEL2ID = {label: i for i, label in ID2LABEL.items()}


@dataclass
class TrainConfig:
    """Every knob of the recipe; the defaults are the run that produced the shipped model."""

    bigbench: str = "bigbench-1.0.0.tar.gz"  # the PyPI sdist of bigbench 1.0.0 (holds VitaminC), or its extracted folder
    out: str = "scratch/verifier"
    base_model: str = BASE_MODEL
    seed: int = 13
    max_length: int = 128
    batch_size: int = 16
    lr_phase1: float = 8e-5
    lr_phase2: float = 6e-5
    warmup: float = 0.06
    weight_decay: float = 0.01
    phase1_epochs: float = 1.0
    vitaminc_train_n: int = 36000  # 0 = all of the train side
    scifact_repeat: int = 3
    xnli_in_mix: bool = True
    eval_every: int = 500
    heldout_n: int = 400  # per held-out set (VitaminC / XNLI); SciFact eval uses all its pairs
    deadline: str | None = None  # UTC ISO time, e.g. 2026-11-25T15:50:00
    phase2_until: str | None = None  # UTC ISO time: wall-clock LR schedule for phase 2, stop there
    init_from: str | None = None  # a saved phase-1 model: start from it and skip phase 1
    threads: int = 2
    measure_only: int = 0  # >0: train on this many examples, print the throughput and exit
    extra: dict[str, Any] = field(default_factory=dict)


def _dataset(pairs: list[Pair]):  # -> datasets.Dataset
    from datasets import Dataset

    return Dataset.from_dict(
        {
            "premise": [p.premise for p in pairs],
            "hypothesis": [p.hypothesis for p in pairs],
            "label": [LABEL2ID[p.label] for p in pairs],
        }
    )


def evaluate_pairs(model, pairs: list[Pair], batch_size: int = 64) -> dict[str, Any]:
    """Accuracy, macro-F1, per-label F1 and the predicted-label distribution of ``model`` on ``pairs``."""
    from sklearn.metrics import f1_score

    logits = model.predict(
        [(p.premise, p.hypothesis) for p in pairs],
        batch_size=batch_size,
        activation_fn=None,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    pred = [id2label[int(i)] for i in np.asarray(logits).argmax(axis=1)]
    gold = [p.label for p in pairs]
    n = len(pairs)
    return {
        "n": n,
        "accuracy": round(float(np.mean([a == b for a, b in zip(pred, gold, strict=True)])), 4),
        "macro_f1": round(float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0)), 4),
        "f1": dict(
            zip(
                LABELS,
                (round(float(x), 4) for x in f1_score(gold, pred, labels=list(LABELS), average=None, zero_division=0)),
                strict=True,
            )
        ),
        "pred_dist": {lab: round(pred.count(lab) / n, 3) for lab in LABELS},
        "gold_dist": {lab: round(gold.count(lab) / n, 3) for lab in LABELS},
    }


def heldout_sets(cfg: TrainConfig) -> dict[str, list[Pair]]:
    """Fixed, seeded samples of the held-out sides (never trained on)."""
    rng = random.Random(cfg.seed)
    vit = load_vitaminc(cfg.bigbench, "heldout")
    xnli = load_xnli_en(split="heldout")
    return {
        "vitaminc": rng.sample(vit, min(cfg.heldout_n, len(vit))),
        "xnli": rng.sample(xnli, min(cfg.heldout_n, len(xnli))),
        "scifact_eval": scifact_pairs(part="eval", seed=cfg.seed),
    }


def training_mix(cfg: TrainConfig) -> tuple[list[Pair], list[Pair]]:
    """(phase-1 pairs, phase-2 pairs), deterministic for a seed."""
    rng = random.Random(cfg.seed)
    xnli = load_xnli_en(split="train")
    vit = load_vitaminc(cfg.bigbench, "train")
    if cfg.vitaminc_train_n and cfg.vitaminc_train_n < len(vit):
        vit = rng.sample(vit, cfg.vitaminc_train_n)
    sci = scifact_pairs(part="train", seed=cfg.seed)
    phase1 = list(xnli)
    rng.shuffle(phase1)
    phase2 = vit + sci * cfg.scifact_repeat + (list(xnli) if cfg.xnli_in_mix else [])
    rng.shuffle(phase2)
    return phase1, phase2


def new_model(cfg: TrainConfig):  # -> CrossEncoder
    """MiniLM encoder + a fresh 3-way classification head whose config names the labels."""
    from sentence_transformers import CrossEncoder

    from synth.resolve import resolve_model

    if cfg.init_from:
        return CrossEncoder(cfg.init_from, max_length=cfg.max_length, device="cpu")
    return CrossEncoder(
        resolve_model(cfg.base_model),
        num_labels=3,
        max_length=cfg.max_length,
        config_kwargs={"id2label": ID2LABEL, "label2id": LABEL2ID},
        device="cpu",
    )


class _Monitor:
    """Evaluates, logs and checkpoints; stops training at the deadline."""

    def __init__(self, cfg: TrainConfig, model, heldout: dict[str, list[Pair]], log_path: Path) -> None:
        self.cfg, self.model, self.heldout, self.log_path = cfg, model, heldout, log_path
        self.deadline = _utc_ts(cfg.deadline) if cfg.deadline else None
        self.t0 = time.time()
        self.examples = 0

    def write(self, record: dict[str, Any]) -> None:
        record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "elapsed_s": round(time.time() - self.t0, 1), **record}
        with self.log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        log.info("%s", json.dumps(record))

    def checkpoint(self, phase: str, step: int) -> None:
        was_training = self.model.training
        self.model.eval()
        t = time.time()
        metrics = {name: evaluate_pairs(self.model, pairs) for name, pairs in self.heldout.items()}
        eval_s = round(time.time() - t, 1)
        path = Path(self.cfg.out) / "checkpoint-latest"
        self.model.save_pretrained(str(path))
        (path / "trainer_state.json").write_text(json.dumps({"phase": phase, "step": step, "examples": self.examples}))
        self.write(
            {
                "event": "checkpoint",
                "phase": phase,
                "step": step,
                "examples_seen": self.examples,
                "eval_s": eval_s,
                "heldout": metrics,
            }
        )
        if was_training:
            self.model.train()

    def past_deadline(self) -> bool:
        return self.deadline is not None and time.time() > self.deadline

    def callback(self, phase: str, until: float | None = None):  # -> transformers.TrainerCallback
        from transformers import TrainerCallback

        monitor = self

        class _CB(TrainerCallback):
            def on_step_end(self, args, state, control, **kwargs):
                monitor.examples += args.per_device_train_batch_size
                if state.global_step % monitor.cfg.eval_every == 0:
                    monitor.checkpoint(phase, state.global_step)
                if monitor.past_deadline():
                    monitor.write({"event": "deadline", "phase": phase, "step": state.global_step})
                    control.should_training_stop = True
                elif until is not None and time.time() >= until:
                    monitor.write({"event": "schedule_end", "phase": phase, "step": state.global_step})
                    control.should_training_stop = True
                return control

            def on_log(self, args, state, control, logs=None, **kwargs):
                if logs:
                    monitor.write({"event": "log", "phase": phase, "step": state.global_step, **logs})

        return _CB()


def _utc_ts(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()


def _wall_clock_schedule(model, cfg: TrainConfig, lr: float, until: float):
    """AdamW + a LambdaLR whose factor follows elapsed wall-clock time: warm-up, then linear decay to 0 at until."""
    import torch

    decay: list[Any] = []
    no_decay: list[Any] = []
    for name, param in model.named_parameters():
        (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(param)
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )
    start = time.time()
    span = max(until - start, 1.0)
    warm = cfg.warmup if cfg.warmup < 1 else 0.06

    def factor(_step: int) -> float:
        frac = (time.time() - start) / span
        if frac < warm:
            return max(frac / warm, 1e-3)
        return max(0.0, (1.0 - frac) / (1.0 - warm))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _run_phase(
    cfg: TrainConfig,
    model,
    pairs: list[Pair],
    lr: float,
    epochs: float,
    phase: str,
    monitor: _Monitor | None,
    until: float | None = None,
) -> float:
    from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import CrossEntropyLoss

    args = CrossEncoderTrainingArguments(
        output_dir=str(Path(cfg.out) / f"trainer-{phase}"),
        num_train_epochs=epochs,
        per_device_train_batch_size=cfg.batch_size,
        learning_rate=lr,
        warmup_steps=cfg.warmup,  # < 1: a fraction of the phase's steps
        lr_scheduler_type="linear",
        weight_decay=cfg.weight_decay,
        seed=cfg.seed,
        data_seed=cfg.seed,
        save_strategy="no",
        eval_strategy="no",
        logging_steps=50,
        report_to="none",
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = CrossEncoderTrainer(
        model=model,
        args=args,
        train_dataset=_dataset(pairs),
        loss=CrossEntropyLoss(model),
        callbacks=[monitor.callback(phase, until)] if monitor else [],
        optimizers=_wall_clock_schedule(model, cfg, lr, until) if until else (None, None),  # type: ignore[arg-type]
    )
    t = time.time()
    trainer.train()
    return time.time() - t


def train(cfg: TrainConfig) -> Path:
    """Run the recipe; returns the directory of the final (fp32) model, ``<out>/final``."""
    import torch
    from transformers import set_seed

    torch.set_num_threads(cfg.threads)
    set_seed(cfg.seed)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    model = new_model(cfg)

    phase1, phase2 = training_mix(cfg)
    if cfg.measure_only:
        sample = phase2[: cfg.measure_only]
        secs = _run_phase(cfg, model, sample, cfg.lr_phase2, 1.0, "measure", None)
        rate = len(sample) / secs
        print(json.dumps({"examples": len(sample), "seconds": round(secs, 1), "examples_per_s": round(rate, 2)}))
        return out

    log_path = out / "train_log.jsonl"
    heldout = heldout_sets(cfg)
    monitor = _Monitor(cfg, model, heldout, log_path)
    monitor.write(
        {
            "event": "start",
            "config": asdict(cfg),
            "phase1": {"n": len(phase1), "labels": label_counts(phase1), "sources": _source_counts(phase1)},
            "phase2": {"n": len(phase2), "labels": label_counts(phase2), "sources": _source_counts(phase2)},
            "heldout": {k: len(v) for k, v in heldout.items()},
        }
    )
    # Record exactly which rows trained the model (the experiment module also uses XNLI).
    with (out / "training_rows.jsonl").open("w", encoding="utf-8") as fh:
        for phase, pairs in (("phase1", phase1), ("phase2", phase2)):
            for p in pairs:
                fh.write(json.dumps({"phase": phase, "key": p.key}) + "\n")

    monitor.checkpoint("init", 0)
    phases = [("phase2", phase2, cfg.lr_phase2, 1.0)]
    if not cfg.init_from:
        phases.insert(0, ("phase1", phase1, cfg.lr_phase1, cfg.phase1_epochs))
    for phase, pairs, lr, epochs in phases:
        if monitor.past_deadline():
            break
        until = _utc_ts(cfg.phase2_until) if (phase == "phase2" and cfg.phase2_until) else None
        # On a wall-clock schedule the clock ends training; a second epoch only matters if the CPU is fast.
        secs = _run_phase(cfg, model, pairs, lr, 2.0 if until else epochs, phase, monitor, until)
        monitor.write({"event": "phase_end", "phase": phase, "seconds": round(secs, 1)})
        monitor.checkpoint(phase + "-end", -1)

    final = out / "final"
    model.save_pretrained(str(final))
    monitor.write(
        {"event": "done", "final": str(final), "examples_seen": monitor.examples, "wall_s": round(time.time() - monitor.t0, 1)}
    )
    return final


def _source_counts(pairs: list[Pair]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in pairs:
        counts[p.source] = counts.get(p.source, 0) + 1
    return counts


if __name__ == "__main__":  # pragma: no cover - `synth verifier train` is the entry point
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    overrides = dict(arg.split("=", 1) for arg in sys.argv[1:])
    base = TrainConfig()

    def _parse(key: str, value: str) -> Any:
        default = getattr(base, key)
        if isinstance(default, bool):
            return value.lower() in ("1", "true", "yes")
        return type(default)(value) if default is not None else value

    kwargs = {k: _parse(k, v) for k, v in overrides.items()}
    train(TrainConfig(**kwargs))
