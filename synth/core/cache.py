"""Content-addressed cache shared by all runs: PDFs by sha256, parsed documents by (parser version, PDF hash),
embeddings by (model, text hash), FAISS indexes by (model, index kind, ordered chunk-text hashes). A second
question over the same papers downloads, parses, embeds and indexes nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.io import atomic_copy, atomic_write_bytes, atomic_write_text, read_json, sha256_file, sha256_text, write_json
from synth.core.records import ParsedDoc

_HEX = set("0123456789abcdef")


def _check_sha(sha: str) -> str:
    # cache paths are built only from hex digests, never from ids or titles (no '../' can reach a path)
    if len(sha) != 64 or not set(sha) <= _HEX:
        raise ValueError(f"not a sha256 digest: {sha!r}")
    return sha


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root

    # -- PDFs --------------------------------------------------------------------------------------
    def pdf_path(self, sha: str) -> Path:
        return self.root / "pdfs" / _check_sha(sha)[:2] / f"{sha}.pdf"

    def add_pdf(self, path: Path) -> tuple[str, Path]:
        """Copy a file into the cache (atomically) and return its hash and cached path."""
        sha = sha256_file(path)
        dest = self.pdf_path(sha)
        if not dest.exists():
            atomic_copy(path, dest)
        return sha, dest

    # -- parsed documents --------------------------------------------------------------------------
    def _parsed_path(self, parser_key: str, sha: str) -> Path:
        return self.root / "parsed" / parser_key / f"{_check_sha(sha)}.json"

    def get_parsed(self, parser_key: str, sha: str) -> ParsedDoc | None:
        path = self._parsed_path(parser_key, sha)
        if not path.is_file():
            return None
        try:
            return ParsedDoc.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError:
            return None  # a damaged cache entry is re-made, not trusted

    def put_parsed(self, parser_key: str, doc: ParsedDoc) -> None:
        atomic_write_text(self._parsed_path(parser_key, doc.sha256), doc.model_dump_json())

    # -- embeddings --------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        self.root.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.root / "embeddings.sqlite", timeout=30)
        con.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, text_sha TEXT NOT NULL, dim INTEGER NOT NULL,"
            " vector BLOB NOT NULL, PRIMARY KEY (model, text_sha))"
        )
        return con

    def _lookup(self, con: sqlite3.Connection, model_key: str, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = con.execute(
                f"SELECT text_sha, vector FROM embeddings WHERE model = ? AND text_sha IN ({marks})", [model_key, *part]
            )
            for sha, blob in rows:
                found[sha] = np.frombuffer(blob, dtype=np.float32)
        return found

    def cached_vectors(self, model_key: str, texts: Sequence[str]) -> np.ndarray | None:
        """Embeddings of ``texts`` if every one is cached (no model needed), else None."""
        if not texts:
            return None
        keys = [sha256_text(t) for t in texts]
        con = self._db()
        try:
            found = self._lookup(con, model_key, list(dict.fromkeys(keys)))
        finally:
            con.close()
        if len(found) < len(set(keys)) or len({v.shape[0] for v in found.values()}) != 1:
            return None
        return np.stack([found[k] for k in keys])

    def embed(self, model_key: str, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, int]:
        """Embeddings of ``texts`` (float32, rows in order), computing only the missing ones; returns (vectors, n computed)."""
        keys = [sha256_text(t) for t in texts]
        con = self._db()
        try:
            unique = list(dict.fromkeys(keys))
            found = self._lookup(con, model_key, unique)
            missing = [k for k in unique if k not in found]
            if missing:
                text_of = dict(zip(keys, texts, strict=True))
                vectors = np.asarray(compute([text_of[k] for k in missing]), dtype=np.float32)
                with con:
                    con.executemany(
                        "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                        [(model_key, k, int(v.shape[0]), v.tobytes()) for k, v in zip(missing, vectors, strict=True)],
                    )
                found.update(zip(missing, vectors, strict=True))
        finally:
            con.close()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32), 0
        return np.stack([found[k] for k in keys]), len(missing)

    # -- FAISS indexes -----------------------------------------------------------------------------
    def _index_paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / "indexes" / _check_sha(key)[:2]
        return folder / f"{key}.faiss", folder / f"{key}.json"

    def get_index(self, key: str) -> tuple[bytes, dict[str, Any]] | None:
        """A serialised FAISS index and its metadata stored under ``key``, or None."""
        data_path, meta_path = self._index_paths(key)
        if not (data_path.is_file() and meta_path.is_file()):
            return None
        try:
            meta = read_json(meta_path)
            data = data_path.read_bytes()
        except (OSError, ValueError):
            return None
        if meta.get("bytes") != len(data):
            return None  # a damaged entry is rebuilt, not trusted
        return data, meta

    def put_index(self, key: str, data: bytes, meta: dict[str, Any]) -> None:
        data_path, meta_path = self._index_paths(key)
        atomic_write_bytes(data_path, data)
        write_json(meta_path, {**meta, "bytes": len(data)})  # written last: its presence marks a complete entry

    # -- whole stage outputs -------------------------------------------------------------------------
    def _files_dir(self, kind: str, key: str) -> Path:
        if not kind.isidentifier():
            raise ValueError(f"not a cache kind: {kind!r}")
        return self.root / "stages" / kind / _check_sha(key)[:2] / key

    def get_files(self, kind: str, key: str, dest: Path, names: Sequence[str]) -> dict[str, Any] | None:
        """Copy the files cached under (kind, key) into ``dest`` and return their metadata, or None on a miss."""
        folder = self._files_dir(kind, key)
        marker = folder / "_complete.json"
        if not marker.is_file() or not all((folder / n).is_file() for n in names):
            return None
        try:
            meta = read_json(marker)
        except (OSError, ValueError):
            return None
        for name in names:
            shutil.copyfile(folder / name, dest / name)
        return dict(meta)

    def put_files(self, kind: str, key: str, src: Path, names: Sequence[str], meta: dict[str, Any]) -> None:
        """Store copies of ``src/<name>`` under (kind, key); the marker file is written last."""
        folder = self._files_dir(kind, key)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            atomic_copy(src / name, folder / name)
        write_json(folder / "_complete.json", meta)
