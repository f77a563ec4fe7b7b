"""`synth check` as a researcher runs it on a draft's claims (fake models: fast and exact)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from synth.cli import app

runner = CliRunner()


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "draft.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_scores_the_good_lines_names_the_bad_ones_and_exits_2(tmp_path: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        '{"id": "a", "claim": "the cat sat on the mat", "evidence": [["the cat sat on the mat today"]]}',
        "{not json",
        '{"id": "b", "claim": "the cat sat on the mat", "evidence": [["the cat did not sit on the mat today"]]}',
        '{"id": "c", "claim": "markets fell", "evidence": []}',
    )
    result = runner.invoke(app, ["check", str(path)], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "draft.jsonl:2: not JSON" in result.output and "Traceback" not in result.output
    rows = [json.loads(line) for line in (tmp_path / "draft.checked.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["c"]["label"] == "not_enough_evidence" and "no passage" in by_id["c"]["reason"]
    assert all(0.0 <= r["confidence"] <= 1.0 and r["label"] in {"supported", "refuted", "not_enough_evidence"} for r in rows)
    assert by_id["a"]["evidence"][0]["text"] == "the cat sat on the mat today"


def test_json_goes_to_stdout_and_a_clean_file_exits_0(tmp_path: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, '{"id": "a", "claim": "the cat sat", "evidence": ["the cat sat there"]}')
    result = runner.invoke(app, ["check", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["id"] == "a" and not (tmp_path / "draft.checked.jsonl").exists()


def test_claims_without_evidence_need_a_run(tmp_path: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, '{"id": "a", "claim": "the cat sat"}')
    result = runner.invoke(app, ["check", str(path)], catch_exceptions=False)
    assert result.exit_code == 2 and "line 1 brings no evidence" in result.output and "--run" in result.output


def test_a_missing_or_empty_file_is_a_usage_error(tmp_path: Path) -> None:
    assert runner.invoke(app, ["check", str(tmp_path / "none.jsonl")], catch_exceptions=False).exit_code == 2
    empty = write(tmp_path, "")
    result = runner.invoke(app, ["check", str(empty)], catch_exceptions=False)
    assert result.exit_code == 2 and "holds no claim" in result.output
