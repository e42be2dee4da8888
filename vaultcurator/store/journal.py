"""The apply journal: every note write, recorded before it happens, so a run can be undone.

Write-ahead: the row (previous bytes and hash, new hash) is committed *before* the note is
replaced. A crash in between leaves a row whose new hash the file does not have; undo then
finds the file still at its previous hash and has nothing to do for it. Undo restores the
exact previous bytes, but only of notes still exactly as the run left them: a note edited
since is a conflict, reported and left alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from vaultcurator.store.db import Store
from vaultcurator.vault.ports import PlannedWrite


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    kind: str
    """``apply`` or ``undo``."""
    started_at: float
    finished_at: float | None
    undone_by: int | None
    """The undo run that reverted this run, if any."""
    summary: dict[str, Any]
    writes: int
    """Journal rows of the run (notes written, or about to be when a crash intervened)."""


def start_run(store: Store, kind: str = "apply") -> int:
    """Open a run; every journaled write names it."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO apply_runs(kind, started_at) VALUES (?, ?)", (kind, time.time())
        )
        return int(cursor.lastrowid or 0)


def finish_run(store: Store, run_id: int, summary: dict[str, Any]) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE apply_runs SET finished_at = ?, summary_json = ? WHERE id = ?",
            (time.time(), json.dumps(summary, ensure_ascii=False, default=str), run_id),
        )


@contextmanager
def _durable(store: Store) -> Iterator[None]:
    """Commit with ``synchronous = FULL``: the row must survive a power cut that the renamed
    note survives, or undo would lose the note's previous bytes."""
    store.execute("PRAGMA synchronous = FULL")
    try:
        yield
    finally:
        store.execute("PRAGMA synchronous = NORMAL")


def record_writes(store: Store, run_id: int, writes: Sequence[PlannedWrite]) -> list[int]:
    """Durably commit the write-ahead rows of a batch (call before replacing any of them)."""
    now = time.time()
    ids: list[int] = []
    with _durable(store), store.transaction() as conn:
        for write in writes:
            cursor = conn.execute(
                """INSERT INTO journal(run_id, path, prev_bytes, prev_hash, new_hash,
                   proposal_id, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    run_id,
                    write.path,
                    write.prev_bytes,
                    write.prev_hash,
                    write.new_hash,
                    write.proposal_id,
                    now,
                ),
            )
            ids.append(int(cursor.lastrowid or 0))
    return ids


def discard_writes(store: Store, entry_ids: Iterable[int]) -> None:
    """Forget rows whose write was refused (conflict) or failed before the file changed."""
    with store.transaction() as conn:
        conn.executemany("DELETE FROM journal WHERE id = ?", [(i,) for i in entry_ids])


def list_runs(store: Store, *, limit: int | None = None) -> list[RunInfo]:
    """Runs, newest first, with their write counts."""
    sql = """SELECT r.*, (SELECT count(*) FROM journal j WHERE j.run_id = r.id) AS writes
             FROM apply_runs r ORDER BY r.id DESC"""
    params: tuple[object, ...] = ()
    if limit is not None:
        sql += " LIMIT ?"
        params = (limit,)
    return [
        RunInfo(
            id=row["id"],
            kind=row["kind"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            undone_by=row["undone_by"],
            summary=_summary(row["summary_json"]),
            writes=row["writes"],
        )
        for row in store.query(sql, params)
    ]


def last_undoable_run(store: Store) -> int | None:
    """The newest apply run that has not been undone, or None."""
    rows = store.query(
        "SELECT id FROM apply_runs WHERE kind = 'apply' AND undone_by IS NULL "
        "ORDER BY id DESC LIMIT 1"
    )
    return int(rows[0]["id"]) if rows else None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journaled write of a run, not undone yet."""

    id: int
    path: str
    prev_bytes: bytes | None
    prev_hash: str | None
    new_hash: str


def run_kind(store: Store, run_id: int) -> tuple[str, int | None] | None:
    """``(kind, undone_by)`` of a run, or None when there is no such run."""
    rows = store.query("SELECT kind, undone_by FROM apply_runs WHERE id = ?", (run_id,))
    return (str(rows[0]["kind"]), rows[0]["undone_by"]) if rows else None


def open_entries(store: Store, run_id: int) -> list[JournalEntry]:
    """The run's writes not undone yet, newest first (the order undo restores them in)."""
    rows = store.query(
        "SELECT * FROM journal WHERE run_id = ? AND undone_at IS NULL ORDER BY id DESC", (run_id,)
    )
    return [
        JournalEntry(
            id=r["id"],
            path=r["path"],
            prev_bytes=None if r["prev_bytes"] is None else bytes(r["prev_bytes"]),
            prev_hash=r["prev_hash"],
            new_hash=r["new_hash"],
        )
        for r in rows
    ]


def mark_undone(store: Store, entry_ids: Iterable[int]) -> None:
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE journal SET undone_at = ? WHERE id = ?", [(time.time(), i) for i in entry_ids]
        )


def set_undone_by(store: Store, run_id: int, undo_run_id: int) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE apply_runs SET undone_by = ? WHERE id = ?", (undo_run_id, run_id))


def written_by(store: Store, proposal_id: int, new_hash: str) -> int | None:
    """The run whose (not undone) write of this proposal left the note at ``new_hash``."""
    rows = store.query(
        "SELECT run_id FROM journal WHERE proposal_id = ? AND new_hash = ? "
        "AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
        (proposal_id, new_hash),
    )
    return int(rows[0]["run_id"]) if rows else None


def applied_proposals_of(store: Store, run_id: int) -> dict[int, str]:
    """``proposal id -> path`` of the run's proposals that are still ``applied``."""
    rows = store.query(
        """SELECT DISTINCT p.id, p.path FROM journal j JOIN proposals p ON p.id = j.proposal_id
           WHERE j.run_id = ? AND p.state = 'applied'""",
        (run_id,),
    )
    return {int(r["id"]): str(r["path"]) for r in rows}


@dataclass(frozen=True, slots=True)
class StoreJournal:
    """The vault's :class:`~vaultcurator.vault.ports.WriteAheadLog` for one run."""

    store: Store
    run_id: int

    def record(self, writes: Sequence[PlannedWrite]) -> list[int]:
        return record_writes(self.store, self.run_id, writes)

    def discard(self, entry_ids: Iterable[int]) -> None:
        discard_writes(self.store, entry_ids)


def _summary(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:  # a damaged row: show the run without its counts
        return {}
    return value if isinstance(value, dict) else {}
