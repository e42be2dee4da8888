"""What the last scan saw of each note, so a rescan of an unchanged file reads nothing.

A row is trusted when the file's ``mtime_ns`` and ``size`` still match. Every scan is one
transaction: upsert the rows that were (re)read, delete the rows of files that are gone,
and record the scan in ``scans``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vaultcurator.store.db import Store
from vaultcurator.vault.ports import CachedEntry, CacheRow

_COLUMNS = (
    "path, mtime_ns, size, hash, status, error, frontmatter_json, tags_json, "
    "inline_tags_json, description"
)
_READ_COLUMNS = (
    "path, mtime_ns, size, hash, status, error, description, "
    "'[' || frontmatter_json || ',' || tags_json || ',' || inline_tags_json || ']'"
)


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One row of ``scans``."""

    id: int
    started_at: float
    finished_at: float | None
    notes: int | None
    invalid: int | None
    files_read: int | None


def last_scan(store: Store) -> ScanRecord | None:
    rows = store.query(
        "SELECT id, started_at, finished_at, notes, invalid, files_read "
        "FROM scans ORDER BY id DESC LIMIT 1"
    )
    if not rows:
        return None
    row = rows[0]
    return ScanRecord(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        notes=row["notes"],
        invalid=row["invalid"],
        files_read=row["files_read"],
    )


@dataclass(frozen=True, slots=True)
class StoreScanCache:
    """The vault's :class:`~vaultcurator.vault.ports.ScanCache`, kept in the state store."""

    store: Store

    def load(self, parser: str) -> dict[str, CachedEntry] | None:
        """Every cached row by path (plain tuples: this runs on each scan of a large vault).

        None when the rows were written by another ``parser`` (or there are none): they may say
        what an older version made of a note, so the scan must start over.
        """
        with self.store._lock:
            cursor = self.store.conn.cursor()
            cursor.row_factory = None
            last = cursor.execute("SELECT parser FROM scans ORDER BY id DESC LIMIT 1").fetchone()
            if last is None or last[0] != parser:
                return None
            rows = cursor.execute(f"SELECT {_READ_COLUMNS} FROM scan_cache").fetchall()
        return {row[0]: row for row in rows}

    def save(
        self,
        *,
        started_at: float,
        upserts: Sequence[CacheRow],
        removed: Iterable[str],
        notes: int,
        invalid: int,
        files_read: int,
        parser: str,
        reset: bool = False,
    ) -> int:
        """Write the scan's cache changes and its ``scans`` row in one transaction; the scan id.

        ``reset`` drops every cached row first (the cache was written by another parser).
        A read-only store (read-only vault) keeps nothing: the scan still reports, id 0.
        """
        if self.store.read_only:
            return 0
        with self.store.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO scans(started_at, finished_at, notes, invalid, files_read, parser) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (started_at, time.time(), notes, invalid, files_read, parser),
            )
            scan_id = int(cursor.lastrowid or 0)
            if reset:
                conn.execute("DELETE FROM scan_cache")
            conn.executemany("DELETE FROM scan_cache WHERE path = ?", ((p,) for p in removed))
            conn.executemany(
                f"INSERT OR REPLACE INTO scan_cache({_COLUMNS}, scan_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((*row, scan_id) for row in upserts),
            )
        return scan_id
