"""Files the way synth writes them: atomically (temp file, fsync, rename), as JSON / JSON Lines of typed
records, and hashed (sha256 digests, canonical-JSON fingerprints that refuse anything they cannot serialise).

The one place these are defined; nothing else in synth writes a file by hand.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from synth.core.errors import CorruptFileError, WriteError

M = TypeVar("M", bound=BaseModel)


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace; raises TypeError on anything not serialisable (never guesses)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_strict_default)


def _strict_default(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, Path | dt.date):
        return str(obj)
    raise TypeError(f"cannot fingerprint object of type {type(obj).__name__}")


def fingerprint(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_error(err: BaseException, path: Path) -> WriteError:
    """One line naming the file for a failed write: "no space left on device writing FILE"."""
    code = getattr(err, "errno", None)
    if code is None and "No space left on device" in str(err):  # FAISS and other C++ writers raise RuntimeError
        code = errno.ENOSPC
    reason = os.strerror(code) if isinstance(code, int) else (str(err) or type(err).__name__)
    return WriteError(f"{reason[:1].lower()}{reason[1:]} writing {path}", errno=code, filename=str(path))


_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write_with(path: Path, write: Callable[[Path], object]) -> None:
    """``write(tmp)`` into a temporary file beside ``path``, flushed to disk, then renamed over ``path``.

    For writers that want a file name (faiss.write_index, matplotlib's savefig, shutil.copyfile): a reader never
    sees a half-written file, and a crash leaves the old file in place.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp" + path.suffix)
        os.close(fd)
    except OSError as err:
        raise write_error(err, path) from None
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a written file gets the user's usual permissions
    try:
        write(tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, WriteError):
            raise
        if isinstance(err, OSError) or (isinstance(err, RuntimeError) and "No space left on device" in str(err)):
            raise write_error(err, path) from None
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write_with(path, lambda tmp: tmp.write_bytes(data))


def atomic_copy(src: Path, dest: Path) -> None:
    atomic_write_with(dest, lambda tmp: shutil.copyfile(src, tmp))


@contextmanager
def atomic_dir(final: Path, keep_existing: bool = False) -> Iterator[Path]:
    """Yield ``<final>.incomplete/`` to fill; on success it replaces ``final`` (datasets' ``incomplete_dir``).

    A killed process leaves only the ``.incomplete`` folder, which the next attempt clears. With
    ``keep_existing``, a ``final`` that another process finished meanwhile is kept and the new copy dropped.
    """
    tmp = final.with_name(final.name + ".incomplete")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if final.exists() and keep_existing:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    if final.exists():
        old = final.with_name(final.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(final)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=_strict_default) + "\n")


def read_json(path: Path) -> Any:
    """The JSON in ``path``; a damaged file raises CorruptFileError naming it and the line."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CorruptFileError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    except UnicodeDecodeError as err:
        raise CorruptFileError(f"{path}: not UTF-8 text (byte {err.start})") from None


def write_jsonl(path: Path, rows: Iterable[BaseModel | dict[str, Any]]) -> int:
    lines = []
    for row in rows:
        lines.append(row.model_dump_json() if isinstance(row, BaseModel) else json.dumps(row, ensure_ascii=False))
    atomic_write_text(path, "".join(line + "\n" for line in lines))
    return len(lines)


def read_jsonl(path: Path, model: type[M]) -> list[M]:
    """One ``model`` per line of ``path``; a bad line raises CorruptFileError naming the file, the line and why."""
    out: list[M] = []
    with path.open("rb") as f:
        for n, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
                if line.strip():
                    out.append(model.model_validate_json(line))
            except UnicodeDecodeError:
                raise CorruptFileError(f"{path}:{n}: not UTF-8 text") from None
            except ValidationError as err:
                raise CorruptFileError(f"{path}:{n}: not a valid {model.__name__} record ({_first_problem(err)})") from None
    return out


def _first_problem(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


# sqlite3 messages that mean the file itself is damaged (not "database is locked", which is only contention)
_DAMAGED_DB = ("file is not a database", "database disk image is malformed", "malformed database schema")


def damaged_db(err: BaseException) -> bool:
    """True when a sqlite3 error says the database file is damaged (as opposed to busy)."""
    return isinstance(err, sqlite3.DatabaseError) and any(m in str(err).lower() for m in _DAMAGED_DB)


def move_aside(path: Path) -> Path:
    """Rename a damaged file (and its SQLite journals) to ``<name>.damaged-<UTC stamp>``; returns the new path."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(aside)
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return aside


def slugify(text: str, max_len: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "run"
