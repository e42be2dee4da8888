"""Apply approved proposals: one journaled run, every write through the conflict-safe edit path.

Each proposal is written with ``expected_hash = proposal.base_hash``: a note that changed
since its request was built raises ConflictError inside the edit path and is left untouched;
the proposal becomes ``conflict`` (see :func:`recurate_candidates`). A note whose frontmatter
cannot be parsed becomes ``failed`` with the reason. Everything else becomes ``applied`` with
the run id, whose journal lets ``undo`` restore the previous bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from vaultcurator.errors import ConflictError, NoteParseError, VaultCuratorError
from vaultcurator.store.db import Store
from vaultcurator.store.journal import finish_run, start_run
from vaultcurator.store.proposals import Proposal, ProposalState, list_proposals, set_state
from vaultcurator.vault.edit import set_frontmatter_keys
from vaultcurator.workspace import Workspace

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after each note (from the applying thread)."""


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
    """
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
    run_id = start_run(store, kind="apply")
    report.run_id = run_id
    total = len(selected)
    if progress is not None:
        progress(0, total)
    try:
        for done, proposal in enumerate(selected, start=1):
            state, reason = _apply_one(ws, proposal, related_key, run_id)
            if state == "applied":
                report.applied.append(proposal.path)
            elif state == "unchanged":
                report.unchanged.append(proposal.path)
            elif state == "conflict":
                report.conflicts.append((proposal.path, reason or "changed on disk"))
            else:
                report.failed.append((proposal.path, reason or "failed"))
            if progress is not None:
                progress(done, total)
    finally:
        finish_run(store, run_id, report.summary())
    return report


def _apply_one(
    ws: Workspace,
    proposal: Proposal,
    related_key: str,
    run_id: int,
) -> tuple[str, str | None]:
    """Write one proposal and record its new state; returns (outcome, reason)."""
    store = ws.store
    try:
        result = set_frontmatter_keys(
            ws.root,
            proposal.path,
            proposal.updates(related_key),
            proposal.base_hash,
            store=store,
            run_id=run_id,
            proposal_id=proposal.id,
        )
    except ConflictError as exc:
        reason = (
            "deleted since the proposal was made"
            if exc.actual_hash is None
            else "changed on disk since the proposal was made"
        )
        set_state(store, [proposal.id], "conflict", error=reason, apply_run_id=run_id)
        return "conflict", reason
    except NoteParseError as exc:
        set_state(store, [proposal.id], "failed", error=exc.reason, apply_run_id=run_id)
        return "failed", exc.reason
    except (VaultCuratorError, OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
        set_state(store, [proposal.id], "failed", error=reason, apply_run_id=run_id)
        return "failed", reason
    set_state(store, [proposal.id], "applied", apply_run_id=run_id)
    return ("applied" if result.changed else "unchanged"), None


def recurate_candidates(store: Store) -> list[str]:
    """Paths of notes whose proposal conflicted and that have no newer open proposal.

    These are the notes to offer for re-curation (``curate`` on just these paths).
    """
    conflicted = {p.path for p in list_proposals(store, ["conflict"])}
    if not conflicted:
        return []
    newer = {p.path for p in list_proposals(store, ["pending", "approved"])}
    return sorted(conflicted - newer)
