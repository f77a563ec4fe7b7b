"""The verifier's own measured figures, read from ``aggregator.json`` beside the NLI model.

``synth verifier calibrate`` writes them there (:mod:`synth.verification.aggregate`): the operating point chosen on the
fit claims with its precision and coverage, and the held-out ``eval`` part measured with the cited abstracts as
evidence (``oracle``) and with retrieved passages (``retrieval``). The synthesis stage copies them into the run, so the
report states them from the run directory alone. A model that ships no such file (a hub cross-encoder) has no
figures: the report says so rather than guessing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synth.core.modelref import model_revision, resolve_model
from synth.core.records import HeldOutFigures, VerifierFigures

FILE = "aggregator.json"


def _num(x: Any) -> float | None:
    return round(float(x), 4) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def figures_from(raw: dict[str, Any], model: str, source: str) -> VerifierFigures:
    """The figures of one parsed ``aggregator.json`` (missing parts become None, never a guess)."""
    point = raw.get("operating_point") or {}
    ev = raw.get("eval") or {}
    held: list[HeldOutFigures] = []
    for setting in ("retrieval", "oracle"):
        agg = _get(ev, setting, "aggregator")
        if not isinstance(agg, dict):
            continue
        at = agg.get("at_operating_point") or {}
        held.append(
            HeldOutFigures(
                setting=setting,
                n_claims=agg.get("n_claims") if isinstance(agg.get("n_claims"), int) else None,
                accuracy=_num(agg.get("accuracy")),
                macro_f1=_num(agg.get("macro_f1")),
                ece=_num(agg.get("ece_15", agg.get("ece"))),
                precision_supported=_num(_get(at, "supported", "precision")),
                coverage_supported=_num(_get(at, "supported", "coverage")),
                precision_refuted=_num(_get(at, "refuted", "precision")),
                coverage_refuted=_num(_get(at, "refuted", "coverage")),
            )
        )
    fit = raw.get("fit_data") or {}
    dataset = fit.get("dataset") if isinstance(fit, dict) else None
    eval_data = f"{dataset}, {ev.get('part', 'eval')} part" if dataset and isinstance(ev, dict) and ev else None
    return VerifierFigures(
        model=model,
        source=source,
        operating_point=_num(point.get("min_confidence", raw.get("min_confidence"))),
        target_precision=_num(raw.get("target_precision")),
        fit_precision_supported=_num(_get(point, "supported", "precision")),
        fit_coverage_supported=_num(_get(point, "supported", "coverage")),
        eval_data=eval_data,
        held_out=held,
    )


def read_figures(model: str, revision: str | None = None) -> VerifierFigures | None:
    """The figures shipped beside ``model``, or None when it ships none (or, given ``revision``, when the model found
    on this machine is not that revision: its figures would describe other weights)."""
    folder = Path(resolve_model(model))
    path = folder / FILE
    if not path.is_file():
        return None
    if revision is not None and model_revision(str(folder)) != revision:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return figures_from(raw, model, str(path)) if isinstance(raw, dict) else None
