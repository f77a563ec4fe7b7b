"""The command line under faults a user meets: resuming from elsewhere or on a changed folder, two processes on one
run, a full disk, damaged run files, odd text in PDFs and questions, and output paths that do not exist. Each
answer is one clear line and an exit code; nothing is lost or overwritten."""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from tests.paths import FIXTURES

runner = CliRunner()
QUESTION = "Do multilingual word embeddings capture semantic similarity?"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def _search(source: str) -> Path:
    result = invoke("search", QUESTION, "--source", source, "--json")
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout)["path"])


# -- resume safety -------------------------------------------------------------------------------------------------
def test_resume_from_another_directory_with_a_relative_source_is_refused(
    sample_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_models
) -> None:  # type: ignore[no-untyped-def]
    here, there = tmp_path / "here", tmp_path / "there"
    shutil.copytree(sample_corpus, here / "papers")
    (there / "papers").mkdir(parents=True)
    shutil.copy(sample_corpus / "acl_semeval2021_task2_mcl_wic.pdf", there / "papers")
    monkeypatch.chdir(here)
    run = _search("papers")
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["settings"]["search"]["source"] == str(here / "papers")  # recorded as an absolute path
    assert len(manifest["source"]["files"]) == 4
    before = (run / "01_search" / "papers.jsonl").read_bytes()
    monkeypatch.chdir(there)
    result = invoke("run", "--resume", str(run), "--source", "papers")
    assert result.exit_code == 2
    assert f"was made from source {here / 'papers'}; resuming it with source {there / 'papers'} is refused" in result.output
    assert (run / "01_search" / "papers.jsonl").read_bytes() == before and not (run / "02_parse").exists()


def test_resume_on_a_folder_that_changed_is_refused(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    run = _search(str(sample_corpus))
    (sample_corpus / "acl_semeval2021_task2_mcl_wic.pdf").unlink()
    (sample_corpus / "other.pdf").write_bytes(
        (sample_corpus / "acl_semeval2017_task2_multilingual_word_similarity.pdf").read_bytes() + b"\n"
    )
    result = invoke("run", "--resume", str(run))
    assert result.exit_code == 2
    assert "is not what run" in result.output and "other.pdf added" in result.output
    assert "acl_semeval2021_task2_mcl_wic.pdf missing" in result.output and "Traceback" not in result.output
    assert not (run / "02_parse").exists()


def test_a_second_process_on_the_same_run_gets_a_clear_line(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    run = _search(str(sample_corpus))
    code = (
        "import sys, time\nfrom filelock import FileLock\n"
        "with FileLock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(run / ".lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for args in (["run", "--resume", str(run)], ["ingest", str(run)], ["runs", "rm", str(run), "--yes"]):
            result = invoke(*args)
            assert result.exit_code == 2, args
            assert "is in use by another synth process" in result.output and "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()
    manifest = json.loads((run / "manifest.json").read_text())
    assert set(manifest["stages"]) == {"01_search"} and manifest["status"] == "ok"  # untouched by the refused commands


# -- runs --------------------------------------------------------------------------------------------------------
def test_runs_rm_removes_a_run(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    keep, gone = _search(str(sample_corpus)), _search(str(sample_corpus))
    result = invoke("runs", "rm", gone.name, "--yes")
    assert result.exit_code == 0 and f"removed {gone.name}" in result.output
    assert not gone.exists() and keep.is_dir()
    assert [r["id"] for r in json.loads(invoke("runs", "--json").stdout)] == [keep.name]
    assert invoke("runs", "rm", "no-such-run", "--yes").exit_code == 2
    assert runner.invoke(app, ["runs", "rm", keep.name], input="n\n").exit_code == 1 and keep.is_dir()  # asked, declined


def test_a_failed_run_is_not_latest_for_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = tmp_path / "synth-home" / "runs"
    runs.mkdir(parents=True)
    shutil.copytree(FIXTURES / "run_fixture", runs / "20260101-000000-good")
    from tests.arxiv_server import free_port

    monkeypatch.setenv("SYNTH_SEARCH__ARXIV_API_URL", f"http://127.0.0.1:{free_port()}/api/query")
    monkeypatch.setenv("SYNTH_SEARCH__MAX_RETRIES", "0")
    result = invoke("run", QUESTION, "--source", "arxiv")  # nothing listens there: a failed run, made later
    assert result.exit_code == 4
    table = invoke("table", "latest", "--format", "json")
    assert table.exit_code == 0, table.output
    assert [row["id"] for row in json.loads(table.stdout)][:1] == ["C001"]
    listed = invoke("runs").stdout
    assert "[failed]" in listed


# -- errors that say which file --------------------------------------------------------------------------------
def test_a_bad_line_in_verdicts_is_named_with_file_and_line(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(FIXTURES / "run_fixture", run)
    verdicts = run / "06_verify" / "verdicts.jsonl"
    lines = verdicts.read_text().splitlines()
    lines[2] = lines[2][: len(lines[2]) // 2]
    verdicts.write_text("\n".join(lines) + "\n")
    result = invoke("table", str(run))  # the fixture's record predates per-file digests: the stage folder is named
    assert result.exit_code == 9 and f"{run / '06_verify'} were changed after the stage finished" in result.output
    (run / "06_verify" / "_stage.json").unlink()  # no record to check against: the file is read, and its line named
    result = invoke("table", str(run))
    assert result.exit_code == 9 and f"{verdicts}:3: not a valid Verdict record" in result.output
    assert "unexpected" not in result.output and "Traceback" not in result.output


def test_disk_full_says_which_file(sample_corpus: Path, monkeypatch: pytest.MonkeyPatch, fake_models) -> None:  # type: ignore[no-untyped-def]
    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    result = invoke("search", QUESTION, "--source", str(sample_corpus))
    assert result.exit_code == 9
    assert "Error: no space left on device writing " in result.output and "manifest.json" in result.output
    assert "unexpected" not in result.output


def test_the_crash_log_goes_to_the_home_synth_toml_names(
    sample_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synth.stages.search import SearchStage

    monkeypatch.delenv("SYNTH_HOME")
    home = tmp_path / "configured-home"
    (tmp_path / "synth.toml").write_text(f'home = "{home}"\n')

    def boom(*args: object) -> None:
        raise ValueError("something odd")

    monkeypatch.setattr(SearchStage, "run", boom)
    result = invoke("run", QUESTION, "--source", str(sample_corpus))
    assert result.exit_code == 1 and str(home / "logs" / "errors.log") in result.output
    assert "something odd" in (home / "logs" / "errors.log").read_text()


def test_an_empty_synth_home_never_writes_into_the_working_directory(
    sample_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_models
) -> None:  # type: ignore[no-untyped-def]
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SYNTH_HOME", "")
    result = invoke("search", QUESTION, "--source", str(sample_corpus))
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == [] and (tmp_path / "xdg" / "synth" / "runs").is_dir()


def test_run_without_a_question_is_a_usage_error() -> None:
    for args in (["run"], ["run", "--source", "data/sample"]):
        result = invoke(*args)
        assert result.exit_code == 2 and "no research question given" in result.output


@pytest.mark.parametrize("flag", ["--output"])
def test_output_paths_are_never_created_silently(tmp_path: Path, flag: str) -> None:
    run = FIXTURES / "run_fixture"
    missing = tmp_path / "nonexistent" / "dir"
    result = invoke("audit", str(run), flag, f"{missing}/")
    assert result.exit_code == 2 and f"{tmp_path / 'nonexistent'} does not exist" in result.output
    result = invoke("audit", str(run), flag, str(missing / "audit.md"))
    assert result.exit_code == 2 and "does not exist" in result.output
    result = invoke("table", str(run), flag, str(missing / "claims.md"))
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "nonexistent").exists()
    made = tmp_path / "made"
    made.mkdir()
    assert invoke("table", str(run), flag, str(made / "claims.md")).exit_code == 0 and (made / "claims.md").is_file()


def test_shell_completion_is_on() -> None:
    assert "--install-completion" in invoke("--help").stdout


# -- odd text never reaches the outputs --------------------------------------------------------------------------
def test_escape_sequences_never_reach_report_bibtex_runs_or_passages(sample_corpus: Path, fake_models) -> None:  # type: ignore[no-untyped-def]
    (sample_corpus / "acl_semeval2021_task2_mcl_wic.json").write_text(
        json.dumps(
            {
                "title": "MCL-WiC: \x1b[31mWord-in-Context\x1b[0m \x1b]0;pwned\x07Disambiguation & {BERT}\x9b2J",
                "authors": ["Federico\x00 Martelli", "Roberto \u202eNavigli"],
                "year": 2021,
            }
        )
    )
    question = "Do multilingual \x1b[2Jword embeddings \x07capture word meaning in context?"
    result = invoke("run", question, "--source", str(sample_corpus), "--max-claims", "4", "--json")
    assert result.exit_code == 0, result.output
    run = Path(json.loads(result.stdout)["path"])
    report = run / "08_report"
    for name in ("report.md", "report.html", "references.bib", "claims.csv", "report.json"):
        text = (report / name).read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\u202e" not in text, name
        assert "\\u001b" not in text, name
    md = (report / "report.md").read_text()
    assert "MCL-WiC: Word-in-Context Disambiguation & {BERT}" in md
    assert "Do multilingual word embeddings capture word meaning in context?" in md
    bib = (report / "references.bib").read_text()
    assert "Word-in-Context Disambiguation \\& {BERT}" in bib and "local:" not in bib and "/\\&" not in bib
    listed = invoke("runs").stdout
    assert "\x1b" not in listed and "Do multilingual word embeddings capture word meaning in context?" in listed
    passages = invoke("search-passages", "cross-lingual word similarity", "--run", str(run), "-k", "5")
    assert passages.exit_code == 0, passages.output
    assert "local:" not in passages.stdout and "\x1b" not in passages.stdout
    heads = passages.stdout.splitlines()[0::2]
    assert all(any(n in h for n in ("Camacho-Collados et al. 2017", "Martelli & Navigli 2021", "Upadhyay et al. 2017",
                                    "Sherborne et al. 2020")) for h in heads), heads  # fmt: skip
    full = json.loads(invoke("search-passages", "cross-lingual word similarity", "--run", str(run), "-k", "5", "--json").stdout)
    for shown, row in zip(passages.stdout.splitlines()[1::2], full, strict=True):
        body, text = shown.strip(), " ".join(row["text"].split())
        if body.endswith(" […]"):  # cut at a word boundary, never inside a word
            cut = body.removesuffix(" […]")
            assert len(body) <= 305 and text.startswith(cut) and text[len(cut)] in " ,;:"
        else:
            assert body == text
    audit = invoke("audit", str(run))
    assert audit.exit_code == 0 and "local:" not in audit.stdout and "\x1b" not in audit.stdout
