"""Undo an apply run: the journal restores each note's exact previous bytes.

A note changed since the apply is a conflict and is left alone (the journal checks the hash it
wrote against the file now). The proposals of the notes that were restored go back to
``pending``: the note is again what the proposal was built from (same hash), so the reviewer
can look at it again and approve or reject it; nothing is re-applied by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaultcurator.store.db import Store
from vaultcurator.store.journal import RunInfo, last_undoable_run, list_runs, undo_run
from vaultcurator.store.proposals import list_proposals, set_state
from vaultcurator.workspace import Workspace


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
    reopened: int = 0
    """Proposals set back to ``pending``."""
    undo_run_id: int | None = None
    """The journaled ``undo`` run that did the restoring."""

    @property
    def ok(self) -> bool:
        return not self.conflicts

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


def undoable_run(store: Store) -> int | None:
    """The apply run a plain undo would revert (the newest not undone), or None."""
    return last_undoable_run(store)


def undo_preview(store: Store, run_id: int | None = None) -> RunInfo | None:
    """The apply run an undo would revert (for a confirm dialog: id, ``writes``, summary)."""
    target = undoable_run(store) if run_id is None else run_id
    if target is None:
        return None
    for run in list_runs(store):
        if run.id == target and run.kind == "apply" and run.undone_by is None:
            return run
    return None


def undo_apply(ws: Workspace, run_id: int | None = None) -> UndoSummary:
    """Undo ``run_id`` (the last not-yet-undone apply run by default).

    Raises UsageError when there is no such run, it is not an apply run, or it was undone.
    """
    report = undo_run(ws.store, ws.root, run_id)
    summary = UndoSummary(
        run_id=report.run_id,
        restored=list(report.restored),
        conflicts=list(report.conflicts),
        untouched=list(report.untouched),
        undo_run_id=report.undo_run_id,
    )
    summary.reopened = _reopen(ws.store, report.run_id, summary.restored)
    return summary


def _reopen(store: Store, run_id: int, restored: list[str]) -> int:
    """Applied proposals whose notes the undo restored go back to pending."""
    if not restored:
        return 0
    paths = set(restored)
    rows = store.query(
        """SELECT DISTINCT p.id, p.path FROM journal j JOIN proposals p ON p.id = j.proposal_id
           WHERE j.run_id = ? AND p.state = 'applied'""",
        (run_id,),
    )
    reopen = {int(r["id"]): str(r["path"]) for r in rows if r["path"] in paths}
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
