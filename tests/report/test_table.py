"""`synth table`: formats, filters and sorts from stored files only, with no model available, fast."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.core.errors import MissingStageOutput, RunNotFound, UsageError
from synth.report.data import load_run
from synth.report.table import quote
from tests.report_helpers import FIXTURE, LABELS_CSV, copy_run, mini_app


def run_table(*args: str) -> str:
    result = CliRunner().invoke(mini_app(), ["table", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def no_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_NLI_MODEL", "/nonexistent")
    monkeypatch.setenv("SYNTH_EMBEDDING_MODEL", "/nonexistent")


def test_markdown_table_has_every_claim_in_full(no_models: None) -> None:
    out = run_table(str(FIXTURE))
    assert out.splitlines()[0].startswith("| # | Claim | Kind | Verdict | Confidence | Evidence")
    for claim in load_run(FIXTURE).claims or []:
        assert claim.text in out
    assert "✓ supported" in out and "× refuted" in out and "? not verified" in out


def test_csv_and_json_formats(no_models: None) -> None:
    rows = list(csv.DictReader(io.StringIO(run_table(str(FIXTURE), "--format", "csv"))))
    assert len(rows) == 6 and rows[0]["evidence_paper"] == "2104.08645v1"
    data = json.loads(run_table(str(FIXTURE), "--format", "json"))
    assert [r["id"] for r in data] == ["C001", "C002", "C003", "C004", "C005", "C006"]
    assert data[4]["evidence"]["text"].endswith("no parallel data.")  # full evidence in JSON


def test_latex_is_escaped() -> None:
    out = run_table(str(FIXTURE), "--format", "latex")
    assert r"\begin{longtable}" in out and r"\end{longtable}" in out
    assert r"+14.6\% average accuracy" in out
    assert r"\checkmark" in out and r"$\times$" in out
    assert "%" not in out.replace(r"\%", "").split("\n", 1)[1]  # only the usage comment line carries a bare %


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--min-confidence", "0.8"], ["C001", "C004"]),
        (["--verdict", "supported"], ["C001", "C002", "C003"]),
        (["--verdict", "refuted", "--verdict", "unresolved"], ["C004", "C005", "C006"]),
        (["--kind", "numeric"], ["C001", "C005"]),
        (
            ["--sort", "confidence"],
            ["C001", "C004", "C002", "C005", "C003", "C006"],
        ),  # C006 weighed no passage: no confidence, last
        (["--sort", "verdict"], ["C001", "C002", "C003", "C004", "C005", "C006"]),
        (["--sort", "paper"], ["C002", "C003", "C001", "C006", "C004", "C005"]),
        (["--kind", "numeric", "--sort", "confidence", "--min-confidence", "0.5"], ["C001", "C005"]),
    ],
)
def test_filters_and_sorts(args: list[str], ids: list[str]) -> None:
    rows = json.loads(run_table(str(FIXTURE), "--format", "json", *args))
    assert [r["id"] for r in rows] == ids


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "claims.tex"
    result = CliRunner().invoke(mini_app(), ["table", str(FIXTURE), "-f", "latex", "-o", str(target)], catch_exceptions=False)
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("% \\usepackage{longtable,amssymb}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "docx"),
        (["--sort", "colour"], "colour"),
        (["--verdict", "maybe"], "maybe"),
        (["--kind", "anecdote"], "anecdote"),
    ],
)
def test_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        CliRunner().invoke(mini_app(), ["table", str(FIXTURE), *args], catch_exceptions=False)


def test_unknown_run_and_missing_stage(tmp_path: Path) -> None:
    with pytest.raises(RunNotFound):
        CliRunner().invoke(mini_app(), ["table", str(tmp_path / "nope")], catch_exceptions=False)
    run = copy_run(tmp_path)
    shutil.rmtree(run / "05_claims")
    with pytest.raises(MissingStageOutput, match="05_claims") as err:
        CliRunner().invoke(mini_app(), ["table", str(run)], catch_exceptions=False)
    assert "synth claims" in err.value.hint


def test_unverified_run_lists_claims_without_verdicts(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    shutil.rmtree(run / "06_verify")
    out = run_table(str(run))
    assert out.count("no verdict yet") >= 6


def test_run_id_resolves_under_synth_home(_isolated_home: Path) -> None:
    runs = _isolated_home / "runs"
    runs.mkdir(parents=True)
    shutil.copytree(FIXTURE, runs / "20261120-101500-how-well-do-multilingual-encoders-transfer")
    assert "C001" in run_table("latest", "-f", "csv")
    assert "C001" in run_table("20261120-101500-how-well-do-multilingual-encoders-transfer", "-f", "csv")


def test_quote_marks_every_cut() -> None:
    assert quote("short passage") == "short passage"
    long = " ".join(["word"] * 200)
    q = quote(long, limit=50)
    assert q.endswith(" […]") and len(q) <= 55


def test_table_loads_no_model() -> None:
    code = (
        "import sys, typer\n"
        "from synth.cli import app\n"
        f"sys.argv = ['synth', 'table', {str(FIXTURE)!r}, '-f', 'csv']\n"
        "try:\n    app()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', "
        "'fitz', 'pymupdf', 'transformers') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    env = {"SYNTH_NLI_MODEL": "/nonexistent", "SYNTH_EMBEDDING_MODEL": "/nonexistent", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "C001" in done.stdout


def test_synth_table_and_audit_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands as the CLI mounts them, on a copied run with every model unavailable."""
    synth_cli = pytest.importorskip("synth.cli")
    monkeypatch.setenv("SYNTH_NLI_MODEL", "/nonexistent")
    monkeypatch.setenv("SYNTH_EMBEDDING_MODEL", "/nonexistent")
    run = copy_run(tmp_path)
    runner = CliRunner()
    result = runner.invoke(synth_cli.app, ["table", str(run), "--format", "csv", "--verdict", "refuted"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["C004"]
    result = runner.invoke(synth_cli.app, ["audit", str(run), "--labels", str(LABELS_CSV)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (run / "audit" / "audit.pdf").is_file()
    result = runner.invoke(synth_cli.app, ["table", str(run), "--sort", "colour"])
    assert result.exit_code == 2 and "Error:" in result.output and "colour" in result.output


def test_a_first_person_claim_is_quoted_as_its_papers_words() -> None:
    """A rewrite the verifier refused falls back to the sentence as written ("We find …"): the table must show it in
    quotation marks, or "we" reads as the report's own voice."""
    from synth.report.table import claim_rows, to_json, to_latex, to_markdown

    data = load_run(FIXTURE)
    sentence = "We find that mBERT transfers well across languages without parallel data."
    assert data.claims
    data.claims[0] = data.claims[0].model_copy(update={"text": sentence})
    rows = claim_rows(data)
    assert f"“{sentence}”" in to_markdown(rows)
    assert "``We find that mBERT" in to_latex(rows)
    as_json = json.loads(to_json(rows))
    assert as_json[0]["quoted"] is True and as_json[0]["claim"] == sentence and as_json[1]["quoted"] is False


def test_a_claim_the_verifier_could_not_read_says_why_not_that_nothing_was_found() -> None:
    """A claim longer than the verifier's window is not checked at all: the table and the limitations say so, instead
    of "no passage retrieved" (which would send a reader looking for missing papers)."""
    from synth.report.compose import build_report
    from synth.report.model import Claims
    from synth.report.table import claim_rows, evidence_cell

    data = load_run(FIXTURE)
    assert data.verdicts
    shown = Claims(number=7, rows=claim_rows(data)).shown()[0].id  # a claim the report presents as a finding
    k = next(i for i, v in enumerate(data.verdicts) if v.claim_id == shown)
    reason = "the claim is longer than the verifier's window (128 tokens with its evidence)"
    data.verdicts[k] = data.verdicts[k].model_copy(update={"evidence": [], "reason": reason, "label": "not_enough_evidence"})
    row = next(r for r in claim_rows(data) if r.id == shown)
    assert evidence_cell(row) == f"not checked: {reason}" and row.confidence is None  # no probability of nothing read
    limitations = " ".join(next(s.items for s in build_report(data, remeasure=None).sections if s.kind == "limitations"))
    assert f"1 claim could not be checked ({shown}): {reason}; not verified." in limitations


def test_a_claims_other_sources_are_cited_as_the_references_name_them() -> None:
    """A merged near-duplicate's other source read "also local:19d45f9b1da5" (a run id) in the Source column."""
    import dataclasses

    from synth.report.table import claim_rows, source_cell

    data = load_run(FIXTURE)
    claims = data.claims or []
    papers = data.papers or []
    first, other = claims[0], next(p for p in papers if p.id != claims[0].sources[0].paper_id)
    merged = first.model_copy(
        update={"sources": [first.sources[0], first.sources[0].model_copy(update={"paper_id": other.id, "page": 6})]}
    )
    row = next(r for r in claim_rows(dataclasses.replace(data, claims=[merged, *claims[1:]])) if r.id == first.id)
    cell = source_cell(row)
    assert "; also " in cell and cell.endswith(", p. 6") and other.id not in cell.split("; also ")[1].split(" (")[0]
    assert row.source.also == [other.id]  # the JSON keeps the id beside the citation
