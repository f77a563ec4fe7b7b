"""SQLite ledger of every run and stage execution, with named migrations (the pattern of llm's migrations.py).

The run directory is the source of truth for one run; the ledger answers questions across runs
("which runs used this model?", "how long does ingest take?") without opening every manifest.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth.core.io import damaged_db, move_aside

log = logging.getLogger("synth.ledger")

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_runs(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, question TEXT NOT NULL, created TEXT NOT NULL, path TEXT NOT NULL)")


@migration
def m002_stages(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE stages (run_id TEXT NOT NULL REFERENCES runs(id), stage TEXT NOT NULL, version TEXT NOT NULL,"
        " fingerprint TEXT NOT NULL, status TEXT NOT NULL, started TEXT NOT NULL, duration_s REAL NOT NULL,"
        " counts TEXT NOT NULL)"
    )


@migration
def m003_stage_models(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE stages ADD COLUMN models TEXT NOT NULL DEFAULT '{}'")


def migrate(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT DEFAULT CURRENT_TIMESTAMP)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    for fn in MIGRATIONS:
        if fn.__name__ not in done:
            with db:
                fn(db)
                db.execute("INSERT INTO _migrations (name) VALUES (?)", (fn.__name__,))


class Ledger:
    """The SQLite log at ``path``. A damaged file is moved aside and a new ledger started, with one warning line:
    the ledger is a log across runs, and each run directory still holds everything about its own run."""

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.warn = warn or log.warning

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        for attempt in (1, 2):
            try:
                db = self._connect()
                try:
                    with db:
                        db.execute(sql, params)
                finally:
                    db.close()
                return
            except sqlite3.DatabaseError as err:
                if not damaged_db(err) or attempt == 2:
                    raise
                aside = move_aside(self.path)
                self.warn(f"the ledger {self.path} was damaged ({err}); moved aside to {aside} and started anew")

    def record_run(self, run_id: str, question: str, created: str, path: Path) -> None:
        self._write("INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?)", (run_id, question, created, str(path)))

    def record_stage(self, run_id: str, row: dict[str, Any]) -> None:
        self._write(
            "INSERT INTO stages (run_id, stage, version, fingerprint, status, started, duration_s, counts, models)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                row["stage"],
                row["version"],
                row["fingerprint"],
                row["status"],
                row["started"],
                row["duration_s"],
                json.dumps(row.get("counts", {})),
                json.dumps(row.get("models", {})),
            ),
        )
