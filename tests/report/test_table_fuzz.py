"""Fuzzing `synth table` inputs: any combination of options, and damaged claims/verdicts files, ends in a table
(exit 0), a usage error (exit 2) or a named damaged file (exit 9); never an unexpected error (exit 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from synth.cli import app
from tests.paths import FIXTURES

fuzz = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
WORDS = st.sampled_from(["supported", "refuted", "unresolved", "nee", "unverified", "numeric", "finding", "x", "", "SUPPORTED"])


@fuzz
@given(
    fmt=st.sampled_from(["md", "csv", "latex", "json", "xml", ""]),
    sort=st.sampled_from(["relevance", "confidence", "verdict", "paper", "random"]),
    min_conf=st.one_of(st.none(), st.floats(-1, 2, allow_nan=False).map(lambda x: f"{x:.3f}"), st.just("abc")),
    verdicts=st.lists(WORDS, max_size=3),
    kinds=st.lists(WORDS, max_size=2),
)
def test_any_options(fmt: str, sort: str, min_conf: str | None, verdicts: list[str], kinds: list[str]) -> None:
    args = ["table", str(FIXTURES / "run_fixture"), "--format", fmt, "--sort", sort]
    if min_conf is not None:
        args += ["--min-confidence", min_conf]
    for v in verdicts:
        args += ["--verdict", v]
    for k in kinds:
        args += ["--kind", k]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output


@fuzz
@given(
    name=st.sampled_from(["05_claims/claims.jsonl", "06_verify/verdicts.jsonl", "01_search/papers.jsonl"]),
    at=st.integers(0, 10**6),
    junk=st.binary(min_size=1, max_size=40),
    record=st.booleans(),
)
def test_damaged_run_files(tmp_path: Path, name: str, at: int, junk: bytes, record: bool) -> None:
    run = tmp_path / "run"
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(FIXTURES / "run_fixture", run)
    path = run / name
    data = bytearray(path.read_bytes())
    at %= max(1, len(data))
    data[at : at + len(junk)] = junk
    path.write_bytes(bytes(data))
    if not record:
        (path.parent / "_stage.json").unlink()  # nothing to check digests against: the file itself is read
    result = CliRunner().invoke(app, ["table", str(run), "--format", "json"])
    assert result.exit_code in (0, 9), result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    if result.exit_code == 9:
        assert str(path.parent) in result.output
