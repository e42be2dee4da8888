"""What the last scan saw of each note, so a rescan of an unchanged file reads nothing.

A row is trusted when the file's ``mtime_ns`` and ``size`` still match. Every scan is one
transaction: upsert the rows that were (re)read, delete the rows of files that are gone,
and record the scan in ``scans``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from vaultcurator.store.db import Store
from vaultcurator.vault.ports import CachedEntry, CacheRow, CacheWriter

_COLUMNS = (
    "path, mtime_ns, size, hash, status, error, frontmatter_json, tags_json, "
    "inline_tags_json, description"
)
_UPSERT = (
    f"INSERT OR REPLACE INTO scan_cache({_COLUMNS}, scan_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_READ_COLUMNS = (
    "path, mtime_ns, size, hash, status, error, description, "
    "'[' || frontmatter_json || ',' || tags_json || ',' || inline_tags_json || ']'"
)


BULK_ROWS = 1000
"""From this many rows a save is a bulk transaction (about where its WAL reaches the
1,000 pages at which a commit checkpoints)."""


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
        # Many rows (a first scan): the WAL's copy into state.db is left to a helper thread,
        # overlapped with what the caller does next (the cache can be rebuilt; see
        # Store.bulk_transaction). A few rows (a rescan, watch mode): a plain transaction.
        bulk = len(upserts) >= BULK_ROWS
        with self._writing(started_at, parser, reset, bulk=bulk) as writer:
            writer.remove(removed)
            writer.add(upserts)
            return writer.finish(notes=notes, invalid=invalid, files_read=files_read)

    def writing(
        self, *, started_at: float, parser: str, reset: bool = False
    ) -> AbstractContextManager[CacheWriter]:
        """See :meth:`ScanCache.writing`: a bulk transaction (a scan that streams its rows
        reads many files) holding the store's lock until it ends."""
        return self._writing(started_at, parser, reset, bulk=True)

    @contextmanager
    def _writing(
        self, started_at: float, parser: str, reset: bool, *, bulk: bool
    ) -> Iterator[CacheWriter]:
        if self.store.read_only:
            yield _Discarded()
            return
        with self.store.bulk_transaction() if bulk else self.store.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO scans(started_at, parser) VALUES (?, ?)", (started_at, parser)
            )
            writer = _Writer(conn, int(cursor.lastrowid or 0))
            if reset:
                conn.execute("DELETE FROM scan_cache")
            yield writer
            if not writer.finished:  # a caller's bug: keep nothing rather than a half record
                raise RuntimeError("scan cache written without finish()")


class _Writer:
    """Rows into an open transaction (see :meth:`StoreScanCache.writing`)."""

    __slots__ = ("conn", "finished", "scan_id")

    def __init__(self, conn: sqlite3.Connection, scan_id: int) -> None:
        self.conn = conn
        self.scan_id = scan_id
        self.finished = False

    def add(self, rows: Sequence[CacheRow]) -> None:
        scan_id = self.scan_id
        self.conn.executemany(_UPSERT, [(*row, scan_id) for row in rows])

    def remove(self, paths: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM scan_cache WHERE path = ?", ((p,) for p in paths))

    def finish(self, *, notes: int, invalid: int, files_read: int) -> int:
        self.conn.execute(
            "UPDATE scans SET finished_at = ?, notes = ?, invalid = ?, files_read = ? WHERE id = ?",
            (time.time(), notes, invalid, files_read, self.scan_id),
        )
        self.finished = True
        return self.scan_id


class _Discarded:
    """A read-only store's writer: the scan still reports, nothing is kept (scan id 0)."""

    def add(self, rows: Sequence[CacheRow]) -> None:
        pass

    def remove(self, paths: Iterable[str]) -> None:
        pass

    def finish(self, *, notes: int, invalid: int, files_read: int) -> int:
        return 0
