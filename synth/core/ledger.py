"""SQLite ledger of every run and stage execution, with named migrations (the pattern of llm's migrations.py).

The run directory is the source of truth for one run; the ledger answers questions across runs
("which runs used this model?", "how long does ingest take?") without opening every manifest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        migrate(db)
        return db

    def record_run(self, run_id: str, question: str, created: str, path: Path) -> None:
        db = self._connect()
        with db:
            db.execute("INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?)", (run_id, question, created, str(path)))
        db.close()

    def record_stage(self, run_id: str, row: dict[str, Any]) -> None:
        db = self._connect()
        with db:
            db.execute(
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
        db.close()
