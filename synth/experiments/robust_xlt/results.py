"""results.json (per language x method x seed, mean +- sd, paired deltas), a Markdown table and a plot.

All accuracies in the summary are percentages, so differences are in points, as in the paper.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from synth.core.gitinfo import git_sha
from synth.core.io import atomic_write_text, atomic_write_with

PAPER = {
    "title": "Improving Zero-Shot Cross-Lingual Transfer Learning via Robust Training",
    "authors": "Kuan-Hao Huang, Wasi Uddin Ahmad, Nanyun Peng, Kai-Wei Chang",
    "venue": "EMNLP 2021",
    "arxiv": "2104.08645",
    "code": "https://github.com/uclanlp/Robust-XLT",
    "claim": "robust training (RS-DA, RS-RP, adversarial) improves zero-shot cross-lingual transfer over plain "
    "fine-tuning, more for languages far from English and in the generalized (mixed-language) setting",
}


def _stats(values: Sequence[float]) -> dict[str, float | int]:
    vals = [v for v in values if v == v]  # drop NaN
    if not vals:
        return {"mean": float("nan"), "sd": float("nan"), "n": 0}
    sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
    return {"mean": round(statistics.fmean(vals), 2), "sd": round(sd, 2), "n": len(vals)}


def summarize(
    *,
    records: list[dict[str, Any]],
    protocols: dict[str, Any],
    test_sources: dict[str, dict[str, str]],
    preset: Any,
    encoder: Any,
    device: str,
    seconds: float,
    version: int,
) -> dict[str, Any]:
    """The results document: raw runs plus per-language mean +- sd and paired method-minus-baseline deltas."""
    summary: dict[str, Any] = {}
    deltas: dict[str, Any] = {}
    for task in dict.fromkeys(r["task"] for r in records):
        runs = [r for r in records if r["task"] == task]
        langs = list(runs[0]["test"])
        gen_keys = list(runs[0]["generalized"])
        per_seed: dict[str, dict[int, dict[str, float]]] = {}
        summary[task] = {}
        for method in dict.fromkeys(r["method"] for r in runs):
            mr = [r for r in runs if r["method"] == method]
            per_seed[method] = {}
            for r in mr:
                acc = {lang: 100 * r["test"][lang] for lang in langs}
                row = dict(acc)
                row["avg"] = statistics.fmean(acc.values())
                non_en = [v for k, v in acc.items() if k != "en"]
                row["avg_non_en"] = statistics.fmean(non_en) if non_en else float("nan")
                g = [100 * r["generalized"][k] for k in gen_keys if k in r["generalized"]]
                row["generalized_avg"] = statistics.fmean(g) if g else float("nan")
                for k in gen_keys:
                    row["gen:" + k] = 100 * r["generalized"].get(k, float("nan"))
                per_seed[method][r["seed"]] = row
            keys = list(next(iter(per_seed[method].values())))
            summary[task][method] = {
                "test": {lang: _stats([s[lang] for s in per_seed[method].values()]) for lang in langs},
                "avg": _stats([s["avg"] for s in per_seed[method].values()]),
                "avg_non_en": _stats([s["avg_non_en"] for s in per_seed[method].values()]),
                "generalized": {k[4:]: _stats([s[k] for s in per_seed[method].values()]) for k in keys if k.startswith("gen:")},
                "generalized_avg": _stats([s["generalized_avg"] for s in per_seed[method].values()]),
                "select_en": _stats([100 * r["select_acc"] for r in mr]),
            }
        if "baseline" in per_seed:
            deltas[task] = {}
            base = per_seed["baseline"]
            for method, seeds in per_seed.items():
                if method == "baseline":
                    continue
                common = [s for s in seeds if s in base]  # paired by seed: same init, order and split
                d = {
                    k: _stats([seeds[s][k] - base[s][k] for s in common])
                    for k in ["avg", "avg_non_en", "generalized_avg", *langs]
                }
                deltas[task][method] = {
                    "avg": d["avg"],
                    "avg_non_en": d["avg_non_en"],
                    "generalized_avg": d["generalized_avg"],
                    "per_lang": {lang: d[lang] for lang in langs},
                    "seeds_paired": common,
                }
    methods = list(dict.fromkeys(r["method"] for r in records))
    notes = _notes(preset, encoder)
    from synth.experiments.robust_xlt.data import TASKS

    for task, by_method in summary.items():
        chance = 100 / len(TASKS[task].labels)
        base = by_method.get("baseline", {}).get("avg", {}).get("mean")
        if base is not None and base == base and base < chance + 5:
            notes.append(
                f"{TASKS[task].display}: the baseline stayed within 5 points of chance ({chance:.0f}%), "
                "so this budget says nothing about robust training on this task."
            )
    return {
        "experiment": "robust-xlt",
        "version": version,
        "paper": PAPER,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_sha": git_sha(),
        "metric": "accuracy",
        "unit": "percent (differences in points)",
        "encoder": {"name": encoder.name, "path": encoder.path, "note": encoder.note or None},
        "device": device,
        "preset": preset.to_dict(),
        "protocol": protocols,
        "test_source": test_sources,
        "tasks": list(summary),
        "methods": methods,
        "seeds": sorted({r["seed"] for r in records}),
        "summary": summary,
        "deltas": deltas,
        "runs": records,
        "seconds": round(seconds, 1),
        "notes": notes,
    }


def _notes(preset: Any, encoder: Any) -> list[str]:
    notes = [
        "Training data is English *dev* (the English train files are absent); the checkpoint is chosen on a "
        "held-out part of English dev; test rows are never translations of training rows.",
        "Classifier: mean-pooled encoder output + linear head (the authors use the [CLS] pooler).",
    ]
    if encoder.note:
        notes.append("Encoder: " + encoder.note + ".")
    if preset.freeze_word_embeddings:
        notes.append("Word embeddings frozen (CPU budget); the authors fine-tune all parameters.")
    if getattr(preset, "freeze_layers", 0):
        notes.append(f"Embedding block and the lowest {preset.freeze_layers} layers frozen (CPU budget).")
    if preset.rsda_equal_steps:
        notes.append(
            "RS-DA: each row is seen once per epoch as one of its perturbed copies, so RS-DA gets the "
            "same number of steps as the baseline (the authors train on all copies)."
        )
    if preset.name != "gpu":
        notes.append(
            f"Preset {preset.name!r}: a reduced budget ({preset.n_train} training rows, lr {preset.lr}, "
            f"{preset.n_test} test rows per language); absolute numbers are far below the paper's."
        )
    return notes


# ------------------------------------------------------------------------------------------ outputs


def _cell(s: dict[str, Any]) -> str:
    if not s or s.get("n", 0) == 0:
        return "–"
    return f"{s['mean']:.1f} ± {s['sd']:.1f}" if s["n"] > 1 else f"{s['mean']:.1f}"


def _dcell(s: dict[str, Any]) -> str:
    if not s or s.get("n", 0) == 0:
        return "–"
    return f"{s['mean']:+.1f} ± {s['sd']:.1f}" if s["n"] > 1 else f"{s['mean']:+.1f}"


def markdown_table(doc: dict[str, Any]) -> str:
    """A table like the paper's: methods x languages (accuracy %, mean ± sd over seeds), then paired deltas."""
    from synth.experiments.robust_xlt.data import TASKS

    lines = [f"# Robust-XLT re-run ({doc['paper']['venue']}, arXiv {doc['paper']['arxiv']})", ""]
    lines.append(
        f"Encoder: `{doc['encoder']['name']}`; preset `{doc['preset']['name']}`; seeds "
        f"{', '.join(map(str, doc['seeds']))}; device {doc['device']}. Accuracy in %, mean ± sd over seeds."
    )
    lines.append("")
    for task, by_method in doc["summary"].items():
        langs = list(next(iter(by_method.values()))["test"])
        src = doc["test_source"].get(task, {})
        head = [f"{lang}{'†' if src.get(lang) == 'dev-holdout' else ''}" for lang in langs]
        lines.append(f"## {TASKS[task].display}")
        lines.append("")
        lines.append("| method | " + " | ".join(head) + " | avg | avg w/o en | generalized avg |")
        lines.append("|---" * (len(langs) + 4) + "|")
        for method, s in by_method.items():
            cells = [_cell(s["test"][lang]) for lang in langs]
            lines.append(
                f"| {method} | "
                + " | ".join(cells)
                + f" | {_cell(s['avg'])} | {_cell(s['avg_non_en'])} | {_cell(s['generalized_avg'])} |"
            )
        for method, d in doc["deltas"].get(task, {}).items():
            cells = [_dcell(d["per_lang"][lang]) for lang in langs]
            lines.append(
                f"| Δ {method} − baseline | "
                + " | ".join(cells)
                + f" | {_dcell(d['avg'])} | {_dcell(d['avg_non_en'])} | {_dcell(d['generalized_avg'])} |"
            )
        lines.append("")
        if any(v == "dev-holdout" for v in src.values()):
            lines.append("† no labeled test set for this language: held-out English-dev rows' translations (never trained on).")
            lines.append("")
        gen = doc["protocol"][task].get("generalized", {})
        if gen:
            lines.append(
                f"Generalized setting: {gen.get('source')}; pairs: "
                f"{', '.join(f'{k} ({v})' for k, v in gen.get('pairs', {}).items())}."
            )
            lines.append("")
    lines.append("## Protocol and caveats")
    lines.append("")
    for task, p in doc["protocol"].items():
        lines.append(f"- {TASKS[task].display}: train = {p['train']}; select = {p['select']}; {p['disjointness']}.")
    for note in doc["notes"]:
        lines.append(f"- {note}")
    lines.append("")
    return "\n".join(lines)


def plot(doc: dict[str, Any], path: Path) -> None:
    """Per-language accuracy, baseline vs each robust method, with ± sd error bars; one panel per task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from synth.experiments.robust_xlt.data import TASKS

    tasks = list(doc["summary"])
    fig, axes = plt.subplots(len(tasks), 1, figsize=(11, 3.6 * len(tasks)), squeeze=False)
    for ax, task in zip(axes[:, 0], tasks, strict=True):
        by_method = doc["summary"][task]
        langs = list(next(iter(by_method.values()))["test"])
        cols = [*langs, "gen"]
        width = 0.8 / len(by_method)
        for i, (method, s) in enumerate(by_method.items()):
            vals = [s["test"][lang] for lang in langs] + [s["generalized_avg"]]
            xs = [j + (i - (len(by_method) - 1) / 2) * width for j in range(len(cols))]
            ax.bar(xs, [v["mean"] for v in vals], width, yerr=[v["sd"] for v in vals], label=method, capsize=2)
        ax.axhline(100 / len(TASKS[task].labels), ls="--", color="gray", lw=0.8, label="chance")
        ax.set_xticks(range(len(cols)), cols)
        ax.set_ylabel("accuracy (%)")
        low = min(v["mean"] for s in by_method.values() for v in s["test"].values())
        ax.set_ylim(max(0, min(low, 100 / len(TASKS[task].labels)) - 10), None)
        ax.set_title(f"{TASKS[task].display}: zero-shot accuracy by language (gen = generalized avg)")
        ax.legend(fontsize=8)
    fig.text(0.01, 0.005, f"encoder {doc['encoder']['name']}, preset {doc['preset']['name']}, seeds {doc['seeds']}", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _clean(obj: Any) -> Any:
    """NaN -> None, so results.json is strict JSON."""
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def write_outputs(doc: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write results.json, table.md and accuracy.png into ``out_dir`` (each file atomically)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"results": out_dir / "results.json", "table": out_dir / "table.md", "plot": out_dir / "accuracy.png"}
    atomic_write_text(paths["results"], json.dumps(_clean(doc), indent=2, allow_nan=False))
    atomic_write_text(paths["table"], markdown_table(doc))
    atomic_write_with(paths["plot"], lambda tmp: plot(doc, tmp))
    return paths
