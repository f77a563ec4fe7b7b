"""The verifier's measured figures, read from aggregator.json beside the model, or "not available"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from synth.core.modelref import model_revision
from synth.synthesis.verifier import figures_from, read_figures
from tests.report_helpers import AGGREGATOR_EXAMPLE


def test_figures_are_read_from_the_calibration_output() -> None:
    figures = figures_from(json.loads(AGGREGATOR_EXAMPLE.read_text(encoding="utf-8")), "m", "m/aggregator.json")
    assert figures.operating_point == 0.44 and figures.target_precision == 0.8
    assert (figures.fit_precision_supported, figures.fit_coverage_supported) == (0.8571, 0.4615)
    retrieval = figures.setting("retrieval")
    assert retrieval is not None and (retrieval.accuracy, retrieval.macro_f1, retrieval.ece) == (0.625, 0.5573, 0.2539)
    assert (retrieval.precision_supported, retrieval.coverage_supported, retrieval.n_claims) == (0.7, 0.4118, 40)
    assert figures.setting("oracle") is not None and figures.eval_data == "SciFact claims_train.jsonl, eval part"


def test_missing_parts_are_none_never_guessed() -> None:
    figures = figures_from({"min_confidence": 0.6}, "m", "x")
    assert figures.operating_point == 0.6 and figures.held_out == [] and figures.fit_precision_supported is None


def test_a_model_without_the_file_has_no_figures(tmp_path: Path) -> None:
    assert read_figures(str(tmp_path)) is None
    shutil.copy(AGGREGATOR_EXAMPLE, tmp_path / "aggregator.json")
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    figures = read_figures(str(tmp_path))
    assert figures is not None and figures.source == str(tmp_path / "aggregator.json")
    assert read_figures(str(tmp_path), model_revision(str(tmp_path))) is not None
    assert read_figures(str(tmp_path), "another-revision") is None  # figures of other weights are not these
    (tmp_path / "aggregator.json").write_text("not json", encoding="utf-8")
    assert read_figures(str(tmp_path)) is None
