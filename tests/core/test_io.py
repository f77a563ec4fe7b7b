"""Files as synth reads and writes them: a damaged file is named with its line, a failed write names its file."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from synth.core.errors import CorruptFileError, WriteError
from synth.core.io import atomic_write_text, read_json, read_jsonl, write_jsonl
from synth.core.records import Failure

GOOD = Failure(stage="parse", item="p", error="ParseError", message="p: bad")


def test_a_bad_line_is_named_with_its_file_and_number(tmp_path: Path) -> None:
    path = tmp_path / "failures.jsonl"
    write_jsonl(path, [GOOD, GOOD])
    path.write_text(path.read_text() + '{"stage": "parse", "item": 3}\n')
    with pytest.raises(CorruptFileError) as err:
        read_jsonl(path, Failure)
    assert str(err.value).startswith(f"{path}:3: not a valid Failure record (")
    assert isinstance(err.value, ValueError) and err.value.exit_code == 9
    path.write_bytes(b'{"stage": "p\xff"}\n')
    with pytest.raises(CorruptFileError, match=r":1: not UTF-8 text"):
        read_jsonl(path, Failure)


def test_a_bad_json_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{\n  "id": "x",\n  "stages": {\n')
    with pytest.raises(CorruptFileError, match=rf"^{path}:4: not valid JSON"):
        read_json(path)


def test_disk_full_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()
    target.write_text("old")
    with pytest.raises(WriteError) as err:
        atomic_write_text(target, "new")
    assert str(err.value) == f"no space left on device writing {target}"
    assert err.value.errno == errno.ENOSPC and isinstance(err.value, OSError)
    assert target.read_text() == "old" and [p.name for p in target.parent.iterdir()] == ["report.md"]  # nothing lost
