"""The apply journal: every note write, recorded before it happens, so a run can be undone.

Write-ahead: the record (previous bytes and hash, new hash) is fsynced to the run's journal
file (:mod:`.journal_file`) and committed as a row *before* the note is replaced, and the row
is confirmed once it was. A crash in between leaves an unconfirmed row whose new hash the file
does not have; undo then finds the file still at its previous hash and has nothing to do for
it. The file makes the journal independent of the store's WAL: :func:`recover` re-imports what
a store that lost ``state.db-wal`` forgot. Undo restores the exact previous bytes, but only of
notes still exactly as the run left them: a note edited since is a conflict, left alone.

An undo run is ``complete`` once it tried every entry; until then the run it undoes is
*partly undone* and a plain undo continues it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultcurator.store import journal_file
from vaultcurator.store.db import Store
from vaultcurator.vault.ports import PlannedWrite
from vaultcurator.vault.swap import LOCK_WAIT_SECONDS, DiskFullError, exclusive_writer


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
    """Notes the run is known to have replaced (confirmed rows; never the ones a Ctrl-C or a
    crash stopped before their replace)."""
    partly_undone: bool = False
    """Its undo was interrupted: a plain ``undo`` continues it."""


def state_dir(store: Store) -> Path:
    """Where the store lives: the journal files go beside it."""
    return store.path.parent


def writer_lock(
    store: Store, wait_seconds: float = LOCK_WAIT_SECONDS
) -> contextlib.AbstractContextManager[None]:
    """The vault's one-writer lock (see :func:`~vaultcurator.vault.swap.exclusive_writer`)."""
    return exclusive_writer(state_dir(store), wait_seconds)


def start_run(store: Store, kind: str = "apply") -> int:
    """Open a run (and its durable journal file); every journaled write names it."""
    started = time.time()
    name = journal_file.create(state_dir(store), kind, started)
    size = journal_file.size_of(journal_file.path_of(state_dir(store), name))
    with store.transaction() as conn:
        cursor = conn.execute(
            """INSERT INTO apply_runs(kind, started_at, journal_file, journal_size, complete)
               VALUES (?, ?, ?, ?, ?)""",
            (kind, started, name, size or 0, 0 if kind == "undo" else 1),
        )
        return int(cursor.lastrowid or 0)


def finish_run(
    store: Store, run_id: int, summary: dict[str, Any], *, complete: bool = True
) -> None:
    """Close a run; an undo that did not try every entry is stored as not ``complete``.

    On a full disk the run simply stays unfinished (still undoable; an undo stays resumable):
    that must not hide the error that stopped it.
    """
    with contextlib.suppress(DiskFullError), _full_is_disk_full(), store.transaction() as conn:
        conn.execute(
            "UPDATE apply_runs SET finished_at = ?, summary_json = ?, complete = ? WHERE id = ?",
            (
                time.time(),
                json.dumps(summary, ensure_ascii=False, default=str),
                1 if complete else 0,
                run_id,
            ),
        )


@contextlib.contextmanager
def _full_is_disk_full() -> Iterator[None]:
    """SQLite's "database or disk is full" as the DiskFullError the write path stops on."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        # SQLite may roll the transaction back itself on SQLITE_FULL, and the ROLLBACK that
        # follows then fails instead: the full-disk error is that one's context.
        cause: BaseException | None = exc
        while cause is not None and getattr(cause, "sqlite_errorcode", None) != sqlite3.SQLITE_FULL:
            cause = cause.__context__
        if cause is None:
            raise
        raise DiskFullError("disk full (the state store cannot grow)") from exc


def record_writes(store: Store, run_id: int, writes: Sequence[PlannedWrite]) -> list[int]:
    """Durably record the write-ahead entries of a batch (call before replacing any of them):
    fsynced into the run's journal file first, then committed as rows."""
    [run] = store.query(
        "SELECT journal_file, (SELECT coalesce(max(seq), -1) + 1 FROM journal "
        "WHERE run_id = apply_runs.id) AS next FROM apply_runs WHERE id = ?",
        (run_id,),
    )
    first = int(run["next"])
    size = None
    if run["journal_file"] is not None:
        size = journal_file.append(
            state_dir(store),
            run["journal_file"],
            [
                journal_file.FileWrite(
                    first + n, w.path, w.prev_bytes, w.prev_hash, w.new_hash, w.proposal_id
                )
                for n, w in enumerate(writes)
            ],
        )
    now = time.time()
    ids: list[int] = []
    with _full_is_disk_full(), store.transaction() as conn:
        for n, write in enumerate(writes):
            cursor = conn.execute(
                """INSERT INTO journal(run_id, seq, path, prev_bytes, prev_hash, new_hash,
                   proposal_id, written_at, landed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)""",
                (
                    run_id,
                    first + n,
                    write.path,
                    write.prev_bytes,
                    write.prev_hash,
                    write.new_hash,
                    write.proposal_id,
                    now,
                ),
            )
            ids.append(int(cursor.lastrowid or 0))
        if size is not None:
            conn.execute("UPDATE apply_runs SET journal_size = ? WHERE id = ?", (size, run_id))
    return ids


def confirm_writes(store: Store, entry_ids: Iterable[int]) -> None:
    """Mark rows whose note was replaced (what ``status`` counts as written)."""
    with store.transaction() as conn:
        conn.executemany("UPDATE journal SET landed = 1 WHERE id = ?", [(i,) for i in entry_ids])


def discard_writes(store: Store, entry_ids: Iterable[int]) -> None:
    """Forget rows whose write was refused (conflict) or failed before the file changed."""
    with store.transaction() as conn:
        conn.executemany("DELETE FROM journal WHERE id = ?", [(i,) for i in entry_ids])


def list_runs(store: Store, *, limit: int | None = None) -> list[RunInfo]:
    """Runs, newest first, with their write counts."""
    sql = """SELECT r.*, (SELECT count(*) FROM journal j WHERE j.run_id = r.id
                          AND j.landed = 1) AS writes,
                    u.id IS NOT NULL AND u.complete = 0 AS partly_undone
             FROM apply_runs r LEFT JOIN apply_runs u ON u.id = r.undone_by
             ORDER BY r.id DESC"""
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
            partly_undone=bool(row["partly_undone"]),
        )
        for row in store.query(sql, params)
    ]


def last_undoable_run(store: Store) -> int | None:
    """The newest apply run not undone, or whose undo was interrupted; None if none."""
    rows = store.query(
        """SELECT r.id FROM apply_runs r LEFT JOIN apply_runs u ON u.id = r.undone_by
           WHERE r.kind = 'apply' AND (u.id IS NULL OR u.complete = 0)
           ORDER BY r.id DESC LIMIT 1"""
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
    """``(kind, undone_by)`` of a run, or None when there is no such run; ``undone_by`` is
    None too while the undo that reverts it is incomplete (interrupted)."""
    rows = store.query(
        """SELECT r.kind, CASE WHEN u.complete = 1 THEN u.id END AS undone_by
           FROM apply_runs r LEFT JOIN apply_runs u ON u.id = r.undone_by WHERE r.id = ?""",
        (run_id,),
    )
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

    def confirm(self, entry_ids: Iterable[int]) -> None:
        confirm_writes(self.store, entry_ids)


# --------------------------------------------------------------------------- recovery


def unheld(store: Store) -> bool:
    """Whether some journal file holds more than the store does (it lost its WAL)."""
    for path in journal_file.listed(state_dir(store)):
        rows = store.query(
            "SELECT journal_size FROM apply_runs WHERE journal_file = ?", (path.stem,)
        )
        if not rows or rows[0]["journal_size"] != journal_file.size_of(path):
            return True
    return False


def unheld_writes(store: Store) -> int:
    """Planned writes in journal files the store does not hold (read-only; for ``status``).

    Write-ahead: a crashed chunk's writes are all journaled, only some landed.

    After a lost WAL these writes are known only to their files until the next ``apply`` or
    ``undo`` re-imports them; ``status`` cannot import (it never writes), so it says so.
    """
    count = 0
    for path in journal_file.listed(state_dir(store)):
        rows = store.query(
            "SELECT id, journal_size FROM apply_runs WHERE journal_file = ?", (path.stem,)
        )
        if rows and rows[0]["journal_size"] == journal_file.size_of(path):
            continue
        run = journal_file.read(path)
        if run is None:
            continue
        held = (
            store.query("SELECT COUNT(*) AS n FROM journal WHERE run_id = ?", (rows[0]["id"],))[0][
                "n"
            ]
            if rows
            else 0
        )
        count += max(0, len(run.writes) - held)
    return count


def recover(store: Store, hash_of: Callable[[str], str | None]) -> list[int]:
    """Re-import journal files the store does not fully hold (it lost its WAL); run ids.

    A file whose run the store knows at the file's size is skipped unread. A lost run comes
    back as an unfinished apply run; a lost row comes back confirmed when the note holds its
    new bytes now (``hash_of(path)``), and keeps its proposal only if that still exists.
    """
    folder = state_dir(store)
    recovered: list[int] = []
    for path in journal_file.listed(folder):
        size = journal_file.size_of(path)
        rows = store.query(
            "SELECT id, journal_size FROM apply_runs WHERE journal_file = ?", (path.stem,)
        )
        if rows and rows[0]["journal_size"] == size:
            continue
        run = journal_file.read(path)
        if run is None:
            continue
        recovered.append(_import(store, run, rows[0]["id"] if rows else None, size, hash_of))
    return recovered


def _import(
    store: Store,
    run: journal_file.FileRun,
    run_id: int | None,
    size: int | None,
    hash_of: Callable[[str], str | None],
) -> int:
    known: set[int] = set()
    if run_id is not None:
        known = {
            int(r["seq"])
            for r in store.query("SELECT seq FROM journal WHERE run_id = ?", (run_id,))
            if r["seq"] is not None
        }
    missing = [w for w in run.writes if w.seq not in known]
    landed = {w.seq: hash_of(w.path) == w.new_hash for w in missing}
    now = time.time()
    with _full_is_disk_full(), store.transaction() as conn:
        if run_id is None:
            cursor = conn.execute(
                """INSERT INTO apply_runs(kind, started_at, summary_json, journal_file, complete)
                   VALUES (?, ?, ?, ?, 0)""",
                (run.kind, run.started_at, json.dumps({"recovered": True}), run.name),
            )
            run_id = int(cursor.lastrowid or 0)
        for w in missing:
            proposal = w.proposal_id
            if (
                proposal is not None
                and not conn.execute(
                    "SELECT 1 FROM proposals WHERE id = ? AND path = ?", (proposal, w.path)
                ).fetchone()
            ):
                proposal = None
            conn.execute(
                """INSERT INTO journal(run_id, seq, path, prev_bytes, prev_hash, new_hash,
                   proposal_id, written_at, landed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    run_id,
                    w.seq,
                    w.path,
                    w.prev_bytes,
                    w.prev_hash,
                    w.new_hash,
                    proposal,
                    now,
                    1 if landed[w.seq] else 0,
                ),
            )
        conn.execute("UPDATE apply_runs SET journal_size = ? WHERE id = ?", (size or 0, run_id))
    return run_id


def retire_files(store: Store) -> int:
    """Delete journal files the store's main file fully holds; how many were deleted.

    Only after a checkpoint that moved the whole WAL into ``state.db`` (and fsynced it): from
    then on losing the WAL loses nothing. Call with the writer lock held (no run open).
    """
    busy = None
    with contextlib.suppress(DiskFullError), _full_is_disk_full():
        busy = store.query("PRAGMA wal_checkpoint(TRUNCATE)")
    if not busy or busy[0][0]:
        return 0
    folder = state_dir(store)
    removed = 0
    for path in journal_file.listed(folder):
        rows = store.query(
            "SELECT journal_size FROM apply_runs WHERE journal_file = ?", (path.stem,)
        )
        if rows and rows[0]["journal_size"] == journal_file.size_of(path):
            journal_file.remove(folder, path.stem)
            removed += 1
    return removed


def _summary(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:  # a damaged row: show the run without its counts
        return {}
    return value if isinstance(value, dict) else {}
