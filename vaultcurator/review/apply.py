"""Apply approved proposals: one journaled run, every write through the conflict-safe edit path.

Each proposal is written with ``expected_hash = proposal.base_hash``: a note that changed
since its request was built comes back from the edit path as a ConflictError and is left
untouched; the proposal becomes ``conflict`` (see :func:`recurate_candidates`). A note whose
frontmatter cannot be parsed becomes ``failed`` with the reason. Everything else becomes
``applied`` with the run id, whose journal lets ``undo`` restore the previous bytes.

Notes go through :func:`~vaultcurator.vault.edit.apply_edits` in chunks (one filesystem flush
and one journal commit per chunk instead of an fsync per note); the proposals' states are
recorded and ``progress`` reported after each chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from vaultcurator.errors import ConflictError, NoteParseError
from vaultcurator.review.related_fix import RelatedFixer
from vaultcurator.store.db import Store
from vaultcurator.store.journal import (
    StoreJournal,
    finish_run,
    recover,
    retire_files,
    start_run,
    state_dir,
    written_by,
)
from vaultcurator.store.proposals import Proposal, ProposalState, list_proposals, set_state
from vaultcurator.vault.atomic import sweep_stale_temp_files
from vaultcurator.vault.edit import (
    DEFAULT_CHUNK,
    EditOutcome,
    EditRequest,
    apply_edits,
    note_hash,
)
from vaultcurator.vault.swap import DiskFullError, NotSameFileError, exclusive_writer
from vaultcurator.vault.tags_style import sample_style
from vaultcurator.workspace import Workspace

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called with (0, total) first, then after each chunk of notes
(from the applying thread); ``done`` reaches ``total`` at the end."""

APPLY_CHUNK = DEFAULT_CHUNK
"""Notes per group commit, and so per progress report and per proposal-state update."""


@dataclass(slots=True)
class ApplyReport:
    run_id: int | None
    """The journaled apply run (None when there was nothing to apply)."""
    applied: list[str] = field(default_factory=list)
    """Paths written."""
    unchanged: list[str] = field(default_factory=list)
    """Paths whose file already said what the proposal says (nothing written)."""
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason): changed on disk since the proposal; left untouched."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason): could not be written (unparseable frontmatter, I/O error)."""
    superseded: list[str] = field(default_factory=list)
    """Paths with a newer selected proposal; the older one was not applied."""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason): written, but the write may not be durable yet (see EditOutcome)."""

    @property
    def ok(self) -> bool:
        """True when every selected proposal landed (or was already there)."""
        return not self.conflicts and not self.failed

    @property
    def total(self) -> int:
        return len(self.applied) + len(self.unchanged) + len(self.conflicts) + len(self.failed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "applied": list(self.applied),
            "unchanged": list(self.unchanged),
            "conflicts": [{"path": p, "reason": r} for p, r in self.conflicts],
            "failed": [{"path": p, "reason": r} for p, r in self.failed],
            "superseded": list(self.superseded),
            "warnings": [{"path": p, "reason": r} for p, r in self.warnings],
            "ok": self.ok,
        }

    def summary(self) -> dict[str, int]:
        """Counts, as stored in the apply run's summary."""
        return {
            "applied": len(self.applied),
            "unchanged": len(self.unchanged),
            "conflicts": len(self.conflicts),
            "failed": len(self.failed),
        }


def apply_states(include_pending: bool) -> tuple[ProposalState, ...]:
    return ("approved", "pending") if include_pending else ("approved",)


def select_for_apply(
    store: Store, *, ids: Collection[int] | None = None, include_pending: bool = False
) -> list[Proposal]:
    """The proposals an apply would write: approved (and pending), optionally only ``ids``."""
    selected = list_proposals(store, apply_states(include_pending))
    if ids is not None:
        wanted = set(ids)
        selected = [p for p in selected if p.id in wanted]
    return selected


def count_for_apply(
    store: Store, *, ids: Collection[int] | None = None, include_pending: bool = False
) -> int:
    """How many proposals an apply would process (for the confirm dialog)."""
    return len(select_for_apply(store, ids=ids, include_pending=include_pending))


def _newest_per_path(proposals: list[Proposal]) -> tuple[list[Proposal], list[Proposal]]:
    """One proposal per note (the newest); applying two to one note would conflict anyway."""
    newest: dict[str, Proposal] = {}
    for p in proposals:
        have = newest.get(p.path)
        if have is None or (p.created_at, p.id) > (have.created_at, have.id):
            newest[p.path] = p
    keep = {p.id for p in newest.values()}
    return [p for p in proposals if p.id in keep], [p for p in proposals if p.id not in keep]


def apply_proposals(
    ws: Workspace,
    *,
    ids: Collection[int] | None = None,
    include_pending: bool = False,
    progress: Progress | None = None,
) -> ApplyReport:
    """Write the approved proposals (or also the pending ones) in one journaled apply run.

    Never raises for a single note's trouble: conflicts and failures are in the report and in
    the proposals' states. The related-links key comes from ``ws.settings.links.property``.
    One apply or undo per vault at a time (a second waits: the same write is never journaled
    twice). Under that lock, every temp file of ours an earlier killed write left behind is
    swept, and journal records a store lost with its WAL are re-imported. DiskFullError stops
    the run with what was written recorded (and undoable) and the rest untouched.
    """
    with exclusive_writer(state_dir(ws.store)):
        sweep_stale_temp_files(ws.root, writers_stopped=True)
        recover(ws.store, partial(note_hash, ws.root))
        return _apply_locked(ws, ids, include_pending, progress)


def _apply_locked(
    ws: Workspace,
    ids: Collection[int] | None,
    include_pending: bool,
    progress: Progress | None,
) -> ApplyReport:
    store = ws.store
    selected, older = _newest_per_path(
        select_for_apply(store, ids=ids, include_pending=include_pending)
    )
    report = ApplyReport(run_id=None)
    if older:
        set_state(store, [p.id for p in older], "superseded")
        report.superseded = [p.path for p in older]
    if not selected:
        return report
    related_key = ws.settings.links.property
    style = sample_style(ws.root, (p.path for p in selected if p.new_tags is not None))
    fix_related = RelatedFixer(ws.root, store, related_key)  # targets renamed/deleted since
    run_id = start_run(store, kind="apply")
    report.run_id = run_id
    total = len(selected)
    if progress is not None:
        progress(0, total)
    log = StoreJournal(store, run_id)
    try:
        for first in range(0, total, APPLY_CHUNK):
            chunk = selected[first : first + APPLY_CHUNK]
            requests = [
                EditRequest(
                    p.path, fix_related(p.path, p.updates(related_key)), p.base_hash, p.id, style
                )
                for p in chunk
            ]

            def settled(outcomes: list[EditOutcome], chunk: list[Proposal] = chunk) -> None:
                pairs = [(chunk[o.index], o) for o in outcomes]
                _record_chunk(store, pairs, run_id, report)

            apply_edits(ws.root, requests, log=log, chunk_size=APPLY_CHUNK, on_settled=settled)
            if progress is not None:
                progress(first + len(chunk), total)
    except DiskFullError as exc:
        raise DiskFullError(
            f"{exc} after {len(report.applied)} of {total} notes (run {run_id}); the others "
            "are untouched: free some space and apply again (undo takes back what was written)"
        ) from exc
    finally:
        finish_run(store, run_id, report.summary())
        retire_files(store)
    return report


Outcome = Literal["applied", "unchanged", "conflict", "failed"]
_STORED_STATE: dict[Outcome, ProposalState] = {
    "applied": "applied",
    "unchanged": "applied",  # the note already says it: the proposal is done all the same
    "conflict": "conflict",
    "failed": "failed",
}


def _outcome_state(outcome: EditOutcome) -> tuple[Outcome, str | None]:
    """(outcome, reason) of one edit: applied, unchanged, conflict or failed."""
    error = outcome.error
    if error is None:
        if outcome.result is None:  # not expected from apply_edits; never claim a write
            return "failed", "not written"
        return ("applied" if outcome.result.changed else "unchanged"), None
    if isinstance(error, NotSameFileError):
        return "conflict", error.reason
    if isinstance(error, ConflictError):
        if error.actual_hash is None:
            return "conflict", "deleted since the proposal was made"
        return "conflict", "changed on disk since the proposal was made"
    if isinstance(error, NoteParseError):
        return "failed", error.reason
    return "failed", str(error) or type(error).__name__


def _record_chunk(
    store: Store,
    settled: list[tuple[Proposal, EditOutcome]],
    run_id: int,
    report: ApplyReport,
) -> None:
    """Add a chunk's outcomes to the report and store its proposals' states, grouped."""
    groups: dict[tuple[ProposalState, str | None, int], list[int]] = {}
    for proposal, outcome in settled:
        state, reason = _outcome_state(outcome)
        written_by = run_id
        if state == "conflict" and isinstance(outcome.error, ConflictError):
            earlier = _written_by(store, proposal.id, outcome.error.actual_hash)
            if earlier is not None:
                state, reason, written_by = "unchanged", None, earlier
        if outcome.warning is not None:
            report.warnings.append((proposal.path, outcome.warning))
        if state == "applied":
            report.applied.append(proposal.path)
        elif state == "unchanged":
            report.unchanged.append(proposal.path)
        elif state == "conflict":
            report.conflicts.append((proposal.path, reason or "changed on disk"))
        else:
            report.failed.append((proposal.path, reason or "failed"))
        groups.setdefault((_STORED_STATE[state], reason, written_by), []).append(proposal.id)
    for (stored, error, by), proposal_ids in groups.items():
        set_state(store, proposal_ids, stored, error=error, apply_run_id=by)


def _written_by(store: Store, proposal_id: int, actual_hash: str | None) -> int | None:
    """The run that already wrote this proposal, when the note is still exactly as written.

    A process killed between replacing a note and storing its proposal's state leaves the
    proposal ``approved``; the journal row (written first) tells that it did land.
    """
    return None if actual_hash is None else written_by(store, proposal_id, actual_hash)


def recurate_candidates(store: Store) -> list[str]:
    """Paths of notes whose proposal conflicted and that have no newer open proposal.

    These are the notes to offer for re-curation (``curate`` on just these paths).
    """
    conflicted = {p.path for p in list_proposals(store, ["conflict"])}
    if not conflicted:
        return []
    newer = {p.path for p in list_proposals(store, ["pending", "approved"])}
    return sorted(conflicted - newer)
