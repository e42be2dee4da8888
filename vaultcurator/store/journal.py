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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultcurator.errors import ConflictError, UsageError
from vaultcurator.store.db import Store


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


@dataclass(slots=True)
class UndoReport:
    run_id: int
    """The run that was undone."""
    undo_run_id: int
    restored: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason) of notes changed since the run; left alone."""
    untouched: list[str] = field(default_factory=list)
    """Notes the run never actually replaced (a crash between journal row and write)."""
    skipped: list[str] = field(default_factory=list)
    """Notes the run created (no previous bytes): left in place."""

    def summary(self) -> dict[str, Any]:
        return {
            "undid": self.run_id,
            "restored": len(self.restored),
            "conflicts": len(self.conflicts),
            "untouched": len(self.untouched),
        }


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


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    """One note write about to happen, as the journal records it."""

    path: str
    prev_bytes: bytes | None
    prev_hash: str | None
    new_hash: str
    proposal_id: int | None = None


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


def record_write(
    store: Store,
    run_id: int,
    path: str,
    *,
    prev_bytes: bytes | None,
    prev_hash: str | None,
    new_hash: str,
    proposal_id: int | None = None,
) -> int:
    """Durably commit the write-ahead row for one note write (call before replacing it)."""
    write = PlannedWrite(path, prev_bytes, prev_hash, new_hash, proposal_id)
    return record_writes(store, run_id, [write])[0]


def discard_writes(store: Store, entry_ids: Iterable[int]) -> None:
    """Forget rows whose write was refused (conflict) or failed before the file changed."""
    with store.transaction() as conn:
        conn.executemany("DELETE FROM journal WHERE id = ?", [(i,) for i in entry_ids])


def discard_write(store: Store, entry_id: int) -> None:
    discard_writes(store, [entry_id])


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
            summary=json.loads(row["summary_json"] or "{}"),
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


def undo_run(store: Store, vault_root: Path, run_id: int | None = None) -> UndoReport:
    """Restore the previous bytes of every note of ``run_id`` (default: the last apply run).

    Each restore is atomic and only happens when the note is still exactly as the run left
    it; the undo is itself a journaled run (kind ``undo``). A run undone with conflicts can be
    undone again by id once they are resolved (only its remaining notes are tried). UsageError
    when there is no such run or nothing of it is left to undo.
    """
    from vaultcurator.vault.edit import replace_notes  # edit imports this module

    if run_id is None:
        run_id = last_undoable_run(store)
        if run_id is None:
            raise UsageError("nothing to undo: no apply run that has not been undone")
    rows = store.query("SELECT kind, undone_by FROM apply_runs WHERE id = ?", (run_id,))
    if not rows:
        raise UsageError(f"no apply run {run_id}")
    if rows[0]["kind"] != "apply":
        raise UsageError(f"run {run_id} is an undo, not an apply run")
    entries = store.query(
        "SELECT * FROM journal WHERE run_id = ? AND undone_at IS NULL ORDER BY id DESC", (run_id,)
    )
    if rows[0]["undone_by"] is not None and not entries:
        raise UsageError(f"run {run_id} was already undone by run {rows[0]['undone_by']}")

    undo_id = start_run(store, kind="undo")
    report = UndoReport(run_id=run_id, undo_run_id=undo_id)
    restorable = []
    for entry in entries:
        if entry["prev_bytes"] is None:  # a note created by the run: not produced yet
            report.skipped.append(entry["path"])
        else:
            restorable.append(entry)
    try:
        outcomes = replace_notes(
            vault_root,
            [(e["path"], bytes(e["prev_bytes"]), e["new_hash"]) for e in restorable],
            store=store,
            run_id=undo_id,
        )
        done: list[int] = []
        for entry, outcome in zip(restorable, outcomes, strict=True):
            path, error = entry["path"], outcome.error
            if error is None:
                report.restored.append(path)
                done.append(entry["id"])
            elif isinstance(error, ConflictError) and error.actual_hash == entry["prev_hash"]:
                report.untouched.append(path)
                done.append(entry["id"])
            elif isinstance(error, ConflictError):
                now = "deleted" if error.actual_hash is None else "changed"
                report.conflicts.append((path, f"{now} since the run; left alone"))
            else:
                report.conflicts.append((path, str(error)))
        with store.transaction() as conn:
            conn.executemany(
                "UPDATE journal SET undone_at = ? WHERE id = ?", [(time.time(), i) for i in done]
            )
    finally:
        with store.transaction() as conn:
            conn.execute("UPDATE apply_runs SET undone_by = ? WHERE id = ?", (undo_id, run_id))
        finish_run(store, undo_id, report.summary())
    return report
