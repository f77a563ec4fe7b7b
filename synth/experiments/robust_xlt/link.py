"""Link numeric claims to re-measured figures: "robust training improves PAWS-X by 2.1 points" -> what we measured.

The report stage calls :func:`remeasure` for each numeric claim; a match returns the re-run's figure (task, metric,
method vs baseline delta, protocol) and whether it agrees with the claim in direction and roughly in size.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from synth.core.errors import ConfigError
from synth.core.io import sha256_file
from synth.core.records import Claim

_DATASETS = {"pawsx": ("paws-x", "pawsx", "paws x", "paws"), "xnli": ("xnli",)}
_METHOD_WORDS = [  # first hit wins; a claim that names no method ("robust training helps") meets no re-run
    ("rs-da", ("rs-da", "rsda", "data augmentation", "synonym substitution", "synonym")),
    ("rs-rp", ("rs-rp", "rsrp", "random perturbation", "gaussian noise", "noise perturbation")),
    ("adv", ("adversarial training", "adversarial", "pgd")),
]
_LANG_NAMES = {
    "english": "en",
    "arabic": "ar",
    "bulgarian": "bg",
    "german": "de",
    "greek": "el",
    "spanish": "es",
    "french": "fr",
    "hindi": "hi",
    "russian": "ru",
    "swahili": "sw",
    "thai": "th",
    "turkish": "tr",
    "urdu": "ur",
    "vietnamese": "vi",
    "chinese": "zh",
    "japanese": "ja",
    "korean": "ko",
}
_INCREASE = ("increase", "improve", "improvement", "gain", "up", "higher", "better", "+")
_DECREASE = ("decrease", "drop", "decline", "down", "lower", "worse", "reduce", "hurt", "-")


def load_results(path: str | Path) -> dict[str, Any]:
    """A robust-xlt results.json, with its path under ``_path``."""
    path = Path(path).expanduser()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read robust-xlt results {path}: {err}") from None
    if not isinstance(doc, dict) or doc.get("experiment") != "robust-xlt":
        raise ConfigError(f"{path} is not a robust-xlt results file")
    doc["_path"] = str(path)
    return doc


class RobustXltRemeasurer:
    """:class:`~synth.verification.remeasure.Remeasurer` over one robust-xlt results file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser().resolve()
        self.doc = load_results(self.path)

    def identity(self) -> dict[str, str]:
        return {"path": str(self.path), "sha256": sha256_file(self.path)}

    def remeasure(self, claim: Claim) -> dict[str, Any] | None:
        if not claim.numbers:
            return None
        match = remeasure(claim.text, [n.model_dump(mode="json") for n in claim.numbers], self.doc)
        return json.loads(json.dumps(match, default=str)) if match else None


def _task_of(text: str, numbers: list[dict[str, Any]]) -> str | None:
    hay = " ".join([text, *(str(n.get("dataset") or "") for n in numbers)]).lower()
    for task, names in _DATASETS.items():
        if any(re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", hay) for n in names):
            return task
    return None


def _method_of(text: str, available: list[str]) -> str | None:
    low = text.lower()
    for method, words in _METHOD_WORDS:
        if any(w in low for w in words):
            return method if method in available else None
    return None


def _setting_of(text: str, langs: list[str]) -> str:
    low = text.lower()
    if any(
        w in low for w in ("generalized", "generalised", "mixed-language", "mixed language", "code-switch", "different languages")
    ):
        return "generalized_avg"
    for name, code in _LANG_NAMES.items():
        if name in low and code in langs and code != "en":
            return "lang:" + code
    return "avg"


def _direction(number: dict[str, Any], text: str) -> int | None:
    d = str(number.get("direction") or "").lower()
    if any(w == d or d.startswith(w) for w in _INCREASE if len(w) > 1):
        return 1
    if any(w == d or d.startswith(w) for w in _DECREASE if len(w) > 1):
        return -1
    low = text.lower()
    if re.search(r"\b(improv|increas|gain|boost|outperform|better)", low):
        return 1
    if re.search(r"\b(decreas|drop|hurt|degrad|worse|lower)", low):
        return -1
    return None


def _pick_number(numbers: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The claim's accuracy figure: in points or percent, of accuracy (the only metric of PAWS-X and XNLI)."""
    for n in numbers:
        unit = str(n.get("unit") or "").lower()
        metric = str(n.get("metric") or "accuracy").lower()
        if "acc" not in metric:
            continue
        if unit in ("points", "point", "pp", "percentage points", "%", "percent") and isinstance(n.get("value"), int | float):
            return n
    return None


def remeasure(claim_text: str, numbers: list[dict[str, Any]], results: dict[str, Any] | str | Path) -> dict[str, Any] | None:
    """The re-measured figure matching a numeric claim, or None when the experiment did not measure it.

    ``numbers`` are the claim's structured numbers, e.g. ``{"value": 2.1, "unit": "points", "metric": "accuracy",
    "dataset": "PAWS-X", "direction": "increase"}``. ``results`` is a results document or its path.
    A claim meets a re-measurement only when it names the method (RS-DA, RS-RP or adversarial training), the
    dataset, an accuracy figure and a comparison (a change: a direction, or "points"); it is then compared as a
    method-minus-baseline difference. A level ("reaches 81.9%") is a different encoder's and budget's number, not
    the same comparison, and meets none.
    """
    doc = results if isinstance(results, dict) else load_results(results)
    if not doc or not numbers:
        return None
    task = _task_of(claim_text, numbers)
    if task is None or task not in doc.get("summary", {}):
        return None
    number = _pick_number(numbers)
    if number is None:
        return None
    by_method = doc["summary"][task]
    method = _method_of(claim_text, list(by_method))
    if method is None:
        return None
    langs = list(next(iter(by_method.values()))["test"])
    setting = _setting_of(claim_text, langs)
    direction = _direction(number, claim_text)
    unit = str(number.get("unit") or "").lower()
    value = float(number["value"])
    is_delta = direction is not None or unit in ("points", "point", "pp", "percentage points")

    def pick(stats: dict[str, Any]) -> dict[str, Any]:
        if setting.startswith("lang:"):
            return stats["test"][setting[5:]]
        return stats[setting]

    protocol = doc.get("protocol", {}).get(task, {})
    out: dict[str, Any] = {
        "task": task,
        "dataset": {"pawsx": "PAWS-X", "xnli": "XNLI"}[task],
        "metric": "accuracy",
        "method": method,
        "baseline": "baseline",
        "setting": setting,
        "protocol": {
            "train": protocol.get("train"),
            "select": protocol.get("select"),
            "test": protocol.get("test"),
            "generalized": (protocol.get("generalized") or {}).get("source"),
        },
        "encoder": doc.get("encoder", {}).get("name"),
        "encoder_note": doc.get("encoder", {}).get("note"),
        "preset": doc.get("preset", {}).get("name"),
        "seeds": doc.get("seeds"),
        "notes": doc.get("notes", []),
        "results_path": doc.get("_path"),
        "created": doc.get("created"),
        "method_accuracy": pick(by_method[method]),
        "baseline_accuracy": pick(by_method["baseline"]) if "baseline" in by_method else None,
    }
    if not is_delta:
        return None
    if method == "baseline" or method not in doc.get("deltas", {}).get(task, {}):
        return None
    d = doc["deltas"][task][method]
    measured = d["per_lang"][setting[5:]] if setting.startswith("lang:") else d[setting]
    claimed = value * (direction if direction is not None else 1)
    mean, sd, n = measured.get("mean"), measured.get("sd") or 0.0, measured.get("n", 0)
    if mean is None or mean != mean or n == 0:
        return None
    direction_agrees = (mean > 0) == (claimed > 0) and mean != 0
    size_agrees = direction_agrees and abs(mean - claimed) <= max(1.0, 0.5 * abs(claimed))
    resolved = abs(mean) > sd  # the difference is larger than its seed-to-seed spread
    if not resolved:
        verdict = "inconclusive (difference within seed-to-seed spread)"
    elif size_agrees:
        verdict = "agrees"
    elif direction_agrees:
        verdict = "same direction, different size"
    else:
        verdict = "disagrees"
    out.update(
        kind="delta",
        unit="points",
        claimed=claimed,
        measured=measured,
        direction_agrees=direction_agrees,
        size_agrees=size_agrees,
        verdict=verdict,
    )
    return out
