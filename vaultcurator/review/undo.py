"""Undo an apply run: the journal restores each note's exact previous bytes.

A note changed since the apply is a conflict and is left alone (the journal checks the hash it
wrote against the file now). The proposals of the notes that were restored go back to
``pending``: the note is again what the proposal was built from (same hash), so the reviewer
can look at it again and approve or reject it; nothing is re-applied by itself.

Resumable: progress is stored chunk by chunk (proposals first, then the journal entries), so
an undo stopped by Ctrl-C, a full disk or kill -9 leaves the run *partly undone*, and a plain
``undo`` continues it; a note already restored is found at its previous bytes and its
proposal reopened then, so proposal states end up matching the files whatever the stop.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from vaultcurator.errors import ConflictError, UsageError
from vaultcurator.store import journal
from vaultcurator.store.db import Store
from vaultcurator.store.journal import JournalEntry, StoreJournal, last_undoable_run
from vaultcurator.store.proposals import list_proposals, set_state
from vaultcurator.vault.atomic import sweep_stale_temp_files
from vaultcurator.vault.edit import DEFAULT_CHUNK, EditOutcome, note_hash, replace_notes
from vaultcurator.vault.swap import DiskFullError, WriterBusyError
from vaultcurator.workspace import Workspace

UNDO_CHUNK = DEFAULT_CHUNK
"""Notes restored per group commit, and so per stored step of progress."""


@dataclass(slots=True)
class UndoSummary:
    run_id: int
    """The apply run that was undone."""
    restored: list[str] = field(default_factory=list)
    """Paths whose previous bytes were written back."""
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason): changed since the apply; left alone."""
    untouched: list[str] = field(default_factory=list)
    """Notes the run never actually replaced (a crash between journal row and write)."""
    skipped: list[str] = field(default_factory=list)
    """Notes the run created (no previous bytes): left in place."""
    reopened: int = 0
    """Proposals set back to ``pending``."""
    undo_run_id: int | None = None
    """The journaled ``undo`` run that did the restoring."""

    @property
    def ok(self) -> bool:
        return not self.conflicts

    def stored_summary(self) -> dict[str, Any]:
        """Counts, as stored in the undo run's summary."""
        return {
            "undid": self.run_id,
            "restored": len(self.restored),
            "conflicts": len(self.conflicts),
            "untouched": len(self.untouched),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "undo_run_id": self.undo_run_id,
            "restored": list(self.restored),
            "conflicts": [{"path": p, "reason": r} for p, r in self.conflicts],
            "untouched": list(self.untouched),
            "reopened": self.reopened,
            "ok": self.ok,
        }


def undoable_run(store: Store, vault_root: Path | None = None) -> int | None:
    """The apply run a plain undo would revert (the newest not fully undone), or None.

    A run only the journal files still know (the store lost its WAL) is recovered first, when
    no apply or undo is writing right now (``vault_root`` defaults to the store's vault).
    """
    found = last_undoable_run(store)
    if found is None and journal.unheld(store):
        root = vault_root if vault_root is not None else journal.state_dir(store).parent
        with suppress(WriterBusyError), journal.writer_lock(store, wait_seconds=0):
            journal.recover(store, partial(note_hash, root))
        found = last_undoable_run(store)
    return found


def undo_apply(ws: Workspace, run_id: int | None = None) -> UndoSummary:
    """:func:`undo_run` on the workspace's vault."""
    return undo_run(ws.store, ws.root, run_id)


def undo_run(store: Store, vault_root: Path, run_id: int | None = None) -> UndoSummary:
    """Restore the previous bytes of every note of ``run_id`` (default: the last apply run,
    or the one whose undo was interrupted).

    Each restore is atomic and only happens when the note is still exactly as the run left
    it; the undo is itself a journaled run (kind ``undo``). A run undone with conflicts can be
    undone again by id once they are resolved (only its remaining notes are tried). Raises
    UsageError when there is no such run, it is not an apply run, or it was undone;
    DiskFullError (the run stays partly undone) when the disk is full.
    """
    with journal.writer_lock(store):
        sweep_stale_temp_files(vault_root, writers_stopped=True)
        journal.recover(store, partial(note_hash, vault_root))
        try:
            return _undo_locked(store, vault_root, run_id)
        finally:
            journal.retire_files(store)


def _undo_locked(store: Store, vault_root: Path, run_id: int | None) -> UndoSummary:
    run_id = _target_run(store, run_id)
    entries = journal.open_entries(store, run_id)
    kind = journal.run_kind(store, run_id)
    assert kind is not None
    if kind[1] is not None and not entries:
        raise UsageError(f"run {run_id} was already undone by run {kind[1]}")
    undo_id = journal.start_run(store, kind="undo")
    journal.set_undone_by(store, run_id, undo_id)
    summary = UndoSummary(run_id=run_id, undo_run_id=undo_id)
    restorable = [e for e in entries if e.prev_bytes is not None]
    summary.skipped = [e.path for e in entries if e.prev_bytes is None]  # created by the run
    complete = False
    try:
        for first in range(0, len(restorable), UNDO_CHUNK):
            chunk = restorable[first : first + UNDO_CHUNK]

            def settled(outcomes: list[EditOutcome], chunk: list[JournalEntry] = chunk) -> None:
                _settle(store, run_id, [(chunk[o.index], o) for o in outcomes], summary)

            replace_notes(
                vault_root,
                [(e.path, e.prev_bytes or b"", e.new_hash) for e in chunk],
                log=StoreJournal(store, undo_id),
                chunk_size=UNDO_CHUNK,
                on_settled=settled,
            )
        complete = True
    except DiskFullError as exc:
        raise DiskFullError(
            f"{exc} after restoring {len(summary.restored)} notes; run {run_id} is partly "
            "undone: free some space and run undo again to finish it"
        ) from exc
    finally:
        journal.finish_run(store, undo_id, summary.stored_summary(), complete=complete)
    return summary


def _settle(
    store: Store,
    run_id: int,
    settled: list[tuple[JournalEntry, EditOutcome]],
    summary: UndoSummary,
) -> None:
    """Record one chunk: proposals reopened first, then its entries marked undone (a stop in
    between is healed by the next undo, which finds those notes already restored)."""
    done: list[int] = []
    back: list[str] = []
    for entry, outcome in settled:
        error = outcome.error
        if error is None:
            summary.restored.append(entry.path)
            back.append(entry.path)
            done.append(entry.id)
        elif isinstance(error, ConflictError) and error.actual_hash == entry.prev_hash:
            summary.untouched.append(entry.path)
            back.append(entry.path)
            done.append(entry.id)
        elif isinstance(error, ConflictError):
            now = "deleted" if error.actual_hash is None else "changed"
            summary.conflicts.append((entry.path, f"{now} since the run; left alone"))
        else:
            summary.conflicts.append((entry.path, str(error)))
    summary.reopened += _reopen(store, run_id, back)
    journal.mark_undone(store, done)


def _target_run(store: Store, run_id: int | None) -> int:
    if run_id is None:
        found = last_undoable_run(store)
        if found is None:
            raise UsageError("nothing to undo: no apply run that has not been undone")
        return found
    kind = journal.run_kind(store, run_id)
    if kind is None:
        raise UsageError(f"no apply run {run_id}")
    if kind[0] != "apply":
        raise UsageError(f"run {run_id} is an undo, not an apply run")
    return run_id


def _reopen(store: Store, run_id: int, restored: list[str]) -> int:
    """Applied proposals whose notes are back at their previous bytes go back to pending."""
    if not restored:
        return 0
    paths = set(restored)
    reopen = {
        pid: path
        for pid, path in journal.applied_proposals_of(store, run_id).items()
        if path in paths
    }
    if not reopen:
        return 0
    # Keep one pending proposal per note: one made from the applied bytes is now stale.
    stale = [
        p.id
        for p in list_proposals(store, ["pending"])
        if p.path in reopen.values() and p.id not in reopen
    ]
    if stale:
        set_state(store, stale, "superseded")
    set_state(store, list(reopen), "pending")
    return len(reopen)
