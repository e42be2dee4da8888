"""The proposals' states tell the truth about what reached the disk."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.review.conftest import propose
from vaultcurator.review.apply import apply_proposals
from vaultcurator.review.undo import undo_apply
from vaultcurator.store.journal import StoreJournal, start_run
from vaultcurator.store.proposals import get_proposal, list_proposals, set_state
from vaultcurator.vault import atomic
from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault.edit import EditRequest, apply_edits
from vaultcurator.workspace import Workspace, open_workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"


@pytest.fixture
def ws(vault_copy: Path) -> Iterator[Workspace]:
    workspace = open_workspace(vault_copy)
    try:
        yield workspace
    finally:
        workspace.close()


def test_folder_fsync_failing_after_replace_still_records_applied(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note was replaced: leaving its proposal ``approved`` would turn the next apply
    into a false conflict and lose track of the write."""
    original = (ws.root / KIMCHI).read_bytes()
    pid = propose(ws, KIMCHI, tags=["fermented"])
    set_state(ws.store, [pid], "approved")

    def broken_fsync(folder: Path) -> None:
        raise OSError(errno.EIO, "I/O error", str(folder))

    monkeypatch.setattr(atomic, "fsync_dir", broken_fsync)
    report = apply_proposals(ws)
    monkeypatch.undo()
    assert report.applied == [KIMCHI]
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None and proposal.state == "applied"
    assert fm.parse((ws.root / KIMCHI).read_bytes()).frontmatter["tags"] == ["fermented"]
    assert undo_apply(ws).restored == [KIMCHI]
    assert (ws.root / KIMCHI).read_bytes() == original


def test_write_whose_state_was_never_recorded_is_not_a_conflict(ws: Workspace) -> None:
    """A process killed after the replace but before the proposal's state was stored: the
    journal knows the note now holds this proposal's bytes."""
    pid = propose(ws, KIMCHI, tags=["fermented"])
    set_state(ws.store, [pid], "approved")
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    run_id = start_run(ws.store)
    [outcome] = apply_edits(
        ws.root,
        [EditRequest(KIMCHI, proposal.updates(), proposal.base_hash, pid)],
        log=StoreJournal(ws.store, run_id),
    )
    assert outcome.error is None  # ...and the process dies here
    report = apply_proposals(ws)
    assert report.conflicts == [] and report.unchanged == [KIMCHI]
    after = get_proposal(ws.store, pid)
    assert after is not None and after.state == "applied" and after.apply_run_id == run_id
    assert [p.id for p in list_proposals(ws.store, ["conflict"])] == []
