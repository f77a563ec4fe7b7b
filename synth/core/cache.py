"""Content-addressed cache shared by all runs: PDFs by sha256, parsed documents by (parser version, PDF hash),
embeddings by (model, text hash), FAISS indexes by (model, index kind, ordered chunk-text hashes). A second
question over the same papers downloads, parses, embeds and indexes nothing.

Nothing is trusted because it is there: every entry is checked against the digest recorded when it was written
(PDFs against the sha256 that names them, parsed documents and stage files against a sealed sha256, embedding
rows against a per-row sha256 and for finite values, indexes against the sha256 in their metadata). A damaged
entry is dropped, recomputed by the caller, and named in one warning line; a damaged ``embeddings.sqlite`` is moved
aside and rebuilt. Writers hold a file lock (filelock) per entry, so two processes never interleave one entry.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from synth.core.errors import RunBusy
from synth.core.io import (
    atomic_copy,
    atomic_write_bytes,
    damaged_db,
    move_aside,
    read_json,
    sha256_bytes,
    sha256_file,
    sha256_text,
    write_json,
)
from synth.core.records import ParsedDoc

log = logging.getLogger("synth.cache")

Warn = Callable[[str], None]
_HEX = set("0123456789abcdef")
SEAL = b"synth-sealed sha256="  # first line of a sealed entry: the digest of everything after that line
LOCK_TIMEOUT_S = 600.0  # another process writing the same entry finishes long before this


def _check_sha(sha: str) -> str:
    # cache paths are built only from hex digests, never from ids or titles (no '../' can reach a path)
    if len(sha) != 64 or not set(sha) <= _HEX:
        raise ValueError(f"not a sha256 digest: {sha!r}")
    return sha


def seal(payload: bytes) -> bytes:
    """``payload`` behind a first line recording its sha256 (what :func:`unseal` checks)."""
    return SEAL + sha256_bytes(payload).encode() + b"\n" + payload


def unseal(data: bytes) -> bytes | None:
    """The payload of a sealed entry if its digest matches, else None (damaged, or written before entries were sealed)."""
    head, sep, payload = data.partition(b"\n")
    if not sep or not head.startswith(SEAL) or head[len(SEAL) :].decode("ascii", "replace") != sha256_bytes(payload):
        return None
    return payload


class Cache:
    """The shared cache under ``root``; ``warn`` receives one line per damaged entry dropped (default: a log warning)."""

    def __init__(self, root: Path, warn: Warn | None = None) -> None:
        self.root = root
        self.warn: Warn = warn or log.warning

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        """Hold the cache's lock ``name`` (waiting for another process that holds it, up to LOCK_TIMEOUT_S)."""
        path = self.root / "locks" / f"{name}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(path), timeout=LOCK_TIMEOUT_S):
                yield
        except Timeout:
            raise RunBusy(f"the cache entry {name} is held by another synth process (lock {path})") from None

    def _dropped(self, path: Path, why: str) -> None:
        self.warn(f"dropped a damaged cache entry {path} ({why}); recomputing it")

    # -- PDFs --------------------------------------------------------------------------------------
    def pdf_path(self, sha: str) -> Path:
        return self.root / "pdfs" / _check_sha(sha)[:2] / f"{sha}.pdf"

    def cached_pdf(self, sha: str) -> Path | None:
        """The cached PDF with this sha256 if it is there and still hashes to it; a damaged copy is dropped."""
        path = self.pdf_path(sha)
        if not path.is_file():
            return None
        if sha256_file(path) != sha:
            with self._locked(f"pdf-{sha[:16]}"):
                path.unlink(missing_ok=True)
            self._dropped(path, "its bytes no longer match the sha256 that names it")
            return None
        return path

    def add_pdf(self, path: Path) -> tuple[str, Path]:
        """Copy a file into the cache (atomically) and return its hash and cached path."""
        sha = sha256_file(path)
        dest = self.cached_pdf(sha)
        if dest is None:
            dest = self.pdf_path(sha)
            with self._locked(f"pdf-{sha[:16]}"):
                atomic_copy(path, dest)
        return sha, dest

    # -- parsed documents --------------------------------------------------------------------------
    def _parsed_path(self, parser_key: str, sha: str) -> Path:
        if not parser_key or "/" in parser_key or "\\" in parser_key or parser_key.startswith("."):
            raise ValueError(f"not a parser key: {parser_key!r}")
        return self.root / "parsed" / parser_key / f"{_check_sha(sha)}.json"

    def get_parsed(self, parser_key: str, sha: str) -> ParsedDoc | None:
        path = self._parsed_path(parser_key, sha)
        if not path.is_file():
            return None
        data = path.read_bytes()
        payload = unseal(data)
        if payload is None:
            if not data.startswith(SEAL) and _reads_as(data, ParsedDoc):
                return None  # written before entries were sealed: re-made and replaced, not reported as damage
            self._drop(path, f"parsed-{sha[:16]}", "its contents do not match the sha256 recorded when it was written")
            return None
        try:
            return ParsedDoc.model_validate_json(payload)
        except ValueError:
            self._drop(path, f"parsed-{sha[:16]}", "not a parsed document")
            return None

    def put_parsed(self, parser_key: str, doc: ParsedDoc) -> None:
        path = self._parsed_path(parser_key, doc.sha256)
        with self._locked(f"parsed-{doc.sha256[:16]}"):
            atomic_write_bytes(path, seal(doc.model_dump_json().encode("utf-8")))

    def _drop(self, path: Path, lock: str, why: str) -> None:
        with self._locked(lock):
            path.unlink(missing_ok=True)
        self._dropped(path, why)

    # -- embeddings --------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / "embeddings.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.root.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.db_path, timeout=30)
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, text_sha TEXT NOT NULL, dim INTEGER NOT NULL,"
                " vector BLOB NOT NULL, digest TEXT, PRIMARY KEY (model, text_sha))"
            )
            columns = {row[1] for row in con.execute("PRAGMA table_info(embeddings)")}
            if "digest" not in columns:  # a cache written before rows carried their sha256
                with con:
                    con.execute("ALTER TABLE embeddings ADD COLUMN digest TEXT")
        except BaseException:
            con.close()
            raise
        return con

    def _with_db(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``work`` on the embeddings database; a damaged database file is moved aside, rebuilt and ``work`` retried."""
        for attempt in (1, 2):
            con: sqlite3.Connection | None = None
            try:
                con = self._connect()
                return work(con)
            except sqlite3.DatabaseError as err:
                if not damaged_db(err) or attempt == 2:
                    raise
                if con is not None:
                    con.close()
                    con = None
                with self._locked("embeddings-db"):
                    aside = move_aside(self.db_path) if self.db_path.exists() else None
                self.warn(f"the embedding cache {self.db_path} was damaged ({err}); moved aside to {aside} and rebuilt")
            finally:
                if con is not None:
                    con.close()
        raise AssertionError("unreachable")

    def _lookup(self, con: sqlite3.Connection, model_key: str, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        bad: list[str] = []
        legacy: list[tuple[str, str]] = []
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = con.execute(
                f"SELECT text_sha, dim, vector, digest FROM embeddings WHERE model = ? AND text_sha IN ({marks})",
                [model_key, *part],
            )
            for sha, dim, blob, digest in rows:
                vector = _vector(dim, blob, digest)
                if vector is None:
                    bad.append(sha)
                    continue
                if digest is None:
                    legacy.append((sha256_bytes(bytes(blob)), sha))
                found[sha] = vector
        if bad:
            with con:
                con.executemany("DELETE FROM embeddings WHERE model = ? AND text_sha = ?", [(model_key, s) for s in bad])
            self.warn(
                f"dropped {len(bad)} damaged embedding(s) of {model_key} from {self.db_path} "
                "(digest mismatch or values that are not finite); recomputing them"
            )
        if legacy:  # rows from before digests: kept when plausible (finite, unit length), and sealed now
            with con:
                con.executemany(
                    "UPDATE embeddings SET digest = ? WHERE model = ? AND text_sha = ?", [(d, model_key, s) for d, s in legacy]
                )
        return found

    def cached_vectors(self, model_key: str, texts: Sequence[str]) -> np.ndarray | None:
        """Embeddings of ``texts`` if every one is cached and intact (no model needed), else None."""
        if not texts:
            return None
        keys = [sha256_text(t) for t in texts]
        found = self._with_db(lambda con: self._lookup(con, model_key, list(dict.fromkeys(keys))))
        if len(found) < len(set(keys)) or len({v.shape[0] for v in found.values()}) != 1:
            return None
        return np.stack([found[k] for k in keys])

    def missing(self, model_key: str, texts: Sequence[str]) -> int:
        """How many distinct ``texts`` have no intact cached row for ``model_key`` (what is left to compute)."""
        keys = list(dict.fromkeys(sha256_text(t) for t in texts))
        if not keys:
            return 0
        found = self._with_db(lambda con: self._lookup(con, model_key, keys))
        return len(keys) - len(found)

    def embed(self, model_key: str, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, int]:
        """Embeddings of ``texts`` (float32, rows in order), computing only the missing ones; returns (vectors, n computed)."""
        return self.rows(model_key, [sha256_text(t) for t in texts], list(texts), compute)

    def rows(
        self, model_key: str, keys: Sequence[str], items: Sequence[Any], compute: Callable[[list[Any]], np.ndarray]
    ) -> tuple[np.ndarray, int]:
        """Float32 rows of ``items`` (in order) by (model key, content key), computing only the missing ones.

        The store of sentence embeddings (keyed by the text's sha256) and of NLI logits (keyed by the pair's,
        :func:`synth.verification.nli.pair_key`); each row is sealed by its own sha256. Returns (rows, n computed).
        """
        keys = list(keys)
        unique = list(dict.fromkeys(keys))

        def work(con: sqlite3.Connection) -> tuple[dict[str, np.ndarray], int]:
            found = self._lookup(con, model_key, unique)
            missing = [k for k in unique if k not in found]
            if missing:
                item_of = dict(zip(keys, items, strict=True))
                vectors = np.asarray(compute([item_of[k] for k in missing]), dtype=np.float32)
                rows = []
                for k, v in zip(missing, vectors, strict=True):
                    found[k] = v
                    if np.isfinite(v).all():  # a model that returns NaN is not remembered for next time
                        blob = np.ascontiguousarray(v, dtype=np.float32).tobytes()
                        rows.append((model_key, k, int(v.shape[0]), blob, sha256_bytes(blob)))
                if len(rows) < len(missing):
                    self.warn(f"{len(missing) - len(rows)} row(s) from {model_key} are not finite; not cached")
                with con:
                    con.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?, ?)", rows)
            return found, len(missing)

        found, computed = self._with_db(work)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32), 0
        return np.stack([found[k] for k in keys]), computed

    # -- FAISS indexes -----------------------------------------------------------------------------
    def _index_paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / "indexes" / _check_sha(key)[:2]
        return folder / f"{key}.faiss", folder / f"{key}.json"

    def get_index(self, key: str) -> tuple[bytes, dict[str, Any]] | None:
        """A serialised FAISS index and its metadata stored under ``key``, or None (also when it fails its digest)."""
        data_path, meta_path = self._index_paths(key)
        if not (data_path.is_file() and meta_path.is_file()):
            return None
        try:
            meta = read_json(meta_path)
            data = data_path.read_bytes()
        except (OSError, ValueError):
            meta, data = None, b""
        if not isinstance(meta, dict) or "sha256" not in meta:
            if isinstance(meta, dict):
                return None  # written before indexes carried a digest: rebuilt and replaced, not reported
            why = "its metadata does not read back"
        elif meta.get("bytes") != len(data) or meta["sha256"] != sha256_bytes(data):
            why = "its bytes do not match the sha256 recorded when it was written"
        else:
            return data, meta
        with self._locked(f"index-{key[:16]}"):
            meta_path.unlink(missing_ok=True)  # the metadata marks an entry complete: it goes first
            data_path.unlink(missing_ok=True)
        self._dropped(data_path, why)
        return None

    def put_index(self, key: str, data: bytes, meta: dict[str, Any]) -> None:
        data_path, meta_path = self._index_paths(key)
        with self._locked(f"index-{key[:16]}"):
            atomic_write_bytes(data_path, data)
            # written last: its presence marks a complete entry, its digest what the entry must still be
            write_json(meta_path, {**meta, "bytes": len(data), "sha256": sha256_bytes(data)})

    # -- whole stage outputs -------------------------------------------------------------------------
    def _files_dir(self, kind: str, key: str) -> Path:
        if not kind.isidentifier():
            raise ValueError(f"not a cache kind: {kind!r}")
        return self.root / "stages" / kind / _check_sha(key)[:2] / key

    def get_files(self, kind: str, key: str, dest: Path, names: Sequence[str]) -> dict[str, Any] | None:
        """Copy the files cached under (kind, key) into ``dest`` and return their metadata, or None on a miss.

        Each file is checked against the sha256 recorded when the entry was stored; a damaged entry is dropped.
        """
        folder = self._files_dir(kind, key)
        marker = folder / "_complete.json"
        if not marker.is_file():
            return None
        try:
            record = read_json(marker)
        except (OSError, ValueError):
            record = None
        if isinstance(record, dict) and "files" not in record:
            return None  # stored before entries carried digests: re-made and replaced, not reported
        files = record.get("files") if isinstance(record, dict) else None
        problem = None
        if not isinstance(files, dict) or set(files) != set(names):
            problem = ("the entry's record", "it does not read back")
        else:
            for name in names:
                path = folder / name
                if not path.is_file() or sha256_file(path) != files[name]:
                    problem = (name, "it does not match the sha256 recorded when it was stored")
                    break
        if problem is not None:
            with self._locked(f"{kind}-{key[:16]}"):
                shutil.rmtree(folder, ignore_errors=True)
            self._dropped(folder / problem[0], problem[1])
            return None
        for name in names:
            atomic_copy(folder / name, dest / name)
        assert isinstance(record, dict)
        return dict(record.get("meta") or {})

    def put_files(self, kind: str, key: str, src: Path, names: Sequence[str], meta: dict[str, Any]) -> None:
        """Store copies of ``src/<name>`` under (kind, key) with their digests; the marker file is written last."""
        folder = self._files_dir(kind, key)
        with self._locked(f"{kind}-{key[:16]}"):
            folder.mkdir(parents=True, exist_ok=True)
            for name in names:
                atomic_copy(src / name, folder / name)
            digests = {name: sha256_file(folder / name) for name in names}
            write_json(folder / "_complete.json", {"files": digests, "meta": meta})


def _reads_as(data: bytes, model: type[ParsedDoc]) -> bool:
    try:
        model.model_validate_json(data)
    except ValueError:
        return False
    return True


def _vector(dim: int, blob: bytes, digest: str | None) -> np.ndarray | None:
    """A stored embedding row as a vector, or None when it is damaged (wrong length, digest, non-finite values)."""
    raw = bytes(blob)
    if not isinstance(dim, int) or dim <= 0 or len(raw) != dim * 4:
        return None
    if digest is not None and digest != sha256_bytes(raw):
        return None
    vector = np.frombuffer(raw, dtype=np.float32)
    if not np.isfinite(vector).all():
        return None
    if digest is None:  # no digest to check (an older cache): only a unit-length vector (or zeros) is plausible
        norm = float(np.linalg.norm(vector))
        if norm != 0.0 and abs(norm - 1.0) > 1e-3:
            return None
    return vector
