"""`synth experiment robust-xlt`: bad input gives Error/Hint (no traceback); the smoke preset runs end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.experiments.robust_xlt.link import remeasure
from tests.paths import SHARED

DATA = SHARED
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared benchmark data not found at {DATA}")


def invoke(*args: str):
    return CliRunner().invoke(app, ["experiment", "robust-xlt", *args], catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["--data-dir", "/nonexistent/data", "--preset", "smoke"], 8, "does not exist"),
        (["--task", "mnli"], 8, "Unknown task"),
        (["--method", "dropout"], 8, "Unknown method"),
        (["--preset", "huge"], 8, "Unknown preset"),
    ],
)
def test_bad_input_is_an_error_with_a_hint(args, code, text):
    r = invoke(*args)
    assert r.exit_code == code
    assert text in r.output and "Hint:" in r.output and "Traceback" not in r.output


@needs_data
def test_unknown_language_and_missing_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    r = invoke("--task", "xnli", "--preset", "smoke", "--data-dir", str(DATA), "--langs", "en,xx")
    assert r.exit_code == 8 and "no language xx" in r.output and "Hint:" in r.output
    (tmp_path / "enc").mkdir()
    r = invoke(
        "--task",
        "xnli",
        "--preset",
        "smoke",
        "--data-dir",
        str(DATA),
        "--encoder",
        str(tmp_path / "enc"),
        "--out",
        str(tmp_path / "out"),
    )
    assert r.exit_code == 5 and "not a transformers model directory" in r.output and "Hint:" in r.output
    r = invoke(
        "--task",
        "xnli",
        "--preset",
        "smoke",
        "--data-dir",
        str(DATA),
        "--encoder",
        "no-such-org/no-model",
        "--out",
        str(tmp_path / "out"),
    )
    assert r.exit_code == 5 and "Could not load encoder" in r.output


@pytest.mark.slow
@needs_data
def test_smoke_preset_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Real data, the real converted encoder (converted here, in this test's SYNTH_HOME), every method."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "out"
    r = invoke(
        "--task",
        "xnli,pawsx",
        "--method",
        "baseline,rs-da",
        "--method",
        "rs-rp,adv",
        "--seeds",
        "1",
        "--preset",
        "smoke",
        "--data-dir",
        str(DATA),
        "--out",
        str(out),
    )
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "results.json").read_text())
    assert doc["tasks"] == ["xnli", "pawsx"] and doc["methods"] == ["baseline", "rs-da", "rs-rp", "adv"]
    assert len(doc["runs"]) == 8
    assert set(doc["summary"]["xnli"]["baseline"]["test"]) == {"en", "de", "sw"}
    assert doc["test_source"]["pawsx"] == {"en": "dev-holdout", "de": "test", "zh": "test"}
    assert "Q4_0" in doc["encoder"]["note"] or "4-bit" in doc["encoder"]["note"]
    for run in doc["runs"]:
        assert all(0.0 <= v <= 1.0 for v in run["test"].values())
        assert run["steps"] == 3
    table = (out / "table.md").read_text()
    assert "| Δ adv − baseline |" in table and "4-bit" in table
    assert (out / "accuracy.png").stat().st_size > 5000
    assert (
        remeasure(
            "Adversarial training improves XNLI by 1.6 points",
            [{"value": 1.6, "unit": "points", "dataset": "XNLI", "direction": "increase"}],
            out / "results.json",
        )["task"]
        == "xnli"
    )
    # deterministic given the seed: the same baseline run again gives the same accuracies
    r2 = invoke(
        "--task",
        "xnli",
        "--method",
        "baseline",
        "--seeds",
        "1",
        "--preset",
        "smoke",
        "--data-dir",
        str(DATA),
        "--out",
        str(tmp_path / "again"),
    )
    assert r2.exit_code == 0, r2.output
    again = json.loads((tmp_path / "again" / "results.json").read_text())
    first = next(x for x in doc["runs"] if x["task"] == "xnli" and x["method"] == "baseline")
    assert again["runs"][0]["test"] == first["test"] and again["runs"][0]["history"] == first["history"]
