"""What the vault layer needs from persistence, as interfaces the store implements.

``vault`` sits below ``store``: it declares the scan cache and the write-ahead log it works
with, and :mod:`vaultcurator.store` provides them (``StoreScanCache``, ``StoreJournal``).
Scans and writes also run without them (no cache, no journal).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

CacheRow = tuple[str, int, int, str, str, str | None, str, str, str, str | None]
"""A row to write: (path, mtime_ns, size, hash, status, error, frontmatter_json, tags_json,
inline_tags_json, description)."""

CachedEntry = tuple[str, int, int, str, str, str | None, str | None, str]
"""A row as read back: (path, mtime_ns, size, hash, status, error, description, packed) where
``packed`` is the JSON text ``[frontmatter, tags, inline_tags]``, left for the note to decode
when (if ever) it is used: decoding every row was a third of a warm rescan."""


class CacheWriter(Protocol):
    """A scan's cache changes, written while the scan still reads (see ScanCache.writing)."""

    def add(self, rows: Sequence[CacheRow]) -> None:
        """Store rows of notes just read."""

    def remove(self, paths: Iterable[str]) -> None:
        """Forget the rows of files that are gone."""

    def finish(self, *, notes: int, invalid: int, files_read: int) -> int:
        """Record the scan with its counts; its id. Called once, last."""


class ScanCache(Protocol):
    """What the last scan saw of each note, so a rescan of an unchanged file reads nothing."""

    def load(self, parser: str) -> dict[str, CachedEntry] | None:
        """Every cached row by path; None when written under another ``parser`` (or none)."""

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
        """Write the scan's changes and record the scan, in one transaction; the scan id."""

    def writing(
        self, *, started_at: float, parser: str, reset: bool = False
    ) -> AbstractContextManager[CacheWriter]:
        """:meth:`save` as it goes: one transaction held open while the scan reads, in which
        rows are added as they are made; leaving it without ``finish`` (an error) keeps
        nothing. ``reset`` drops every cached row first."""


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    """One note write about to happen, as the write-ahead log records it."""

    path: str
    prev_bytes: bytes | None
    prev_hash: str | None
    new_hash: str
    proposal_id: int | None = None


class WriteAheadLog(Protocol):
    """Durable rows written before notes are replaced, so the writes can be undone."""

    def record(self, writes: Sequence[PlannedWrite]) -> list[int]:
        """Durably commit rows for ``writes`` (before any of them is replaced); their ids."""

    def discard(self, entry_ids: Iterable[int]) -> None:
        """Forget rows whose write was refused or failed before the file changed."""

    def confirm(self, entry_ids: Iterable[int]) -> None:
        """Mark rows whose note was replaced (a row never confirmed may not have landed)."""
