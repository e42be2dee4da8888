"""Apply writes only what was approved, never over a changed note; undo restores every byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.conftest import propose, vault_hashes
from vaultcurator.errors import UsageError
from vaultcurator.review import actions
from vaultcurator.review.apply import (
    apply_proposals,
    count_for_apply,
    recurate_candidates,
)
from vaultcurator.review.undo import undo_apply, undoable_run
from vaultcurator.store.proposals import get_proposal, list_proposals
from vaultcurator.vault import frontmatter as fm
from vaultcurator.workspace import Workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"
MISO = "Cooking/Recipes/Miso Soup.md"
RUST = "Programming/Rust/Rust.md"
SCALAR = "Archive/2024/Scalar frontmatter.md"


def meta(ws: Workspace, path: str) -> dict[str, object]:
    return fm.parse((ws.root / path).read_bytes()).frontmatter


def all_notes(root: Path) -> list[str]:
    skip = {".obsidian", ".trash", ".vaultcurator", "Templates"}
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() == ".md" and not skip & set(p.relative_to(root).parts)
    )


def test_apply_writes_only_approved_proposals(ws: Workspace) -> None:
    a = propose(ws, KIMCHI, tags=["recipe", "korean"], related=["[[Miso Soup]]"])
    b = propose(ws, MISO, description="Dashi and miso.")
    c = propose(ws, RUST, tags=["rust"])
    actions.approve(ws.store, [a])
    actions.reject(ws.store, [c])
    miso_before = (ws.root / MISO).read_bytes()
    rust_before = (ws.root / RUST).read_bytes()
    assert count_for_apply(ws.store) == 1

    seen: list[tuple[int, int]] = []
    report = apply_proposals(ws, progress=lambda done, total: seen.append((done, total)))

    assert report.ok and report.applied == [KIMCHI] and report.run_id is not None
    assert seen == [(0, 1), (1, 1)]
    kimchi = meta(ws, KIMCHI)
    assert kimchi["tags"] == ["recipe", "korean"]
    assert kimchi["related"] == ["[[Miso Soup]]"]
    assert (ws.root / MISO).read_bytes() == miso_before
    assert (ws.root / RUST).read_bytes() == rust_before
    proposal = get_proposal(ws.store, a)
    assert proposal is not None
    assert (proposal.state, proposal.apply_run_id) == ("applied", report.run_id)
    assert {p.id: p.state for p in list_proposals(ws.store)} == {
        a: "applied",
        b: "pending",
        c: "rejected",
    }


def test_all_pending_and_related_key_from_settings(vault_copy: Path) -> None:
    from vaultcurator.workspace import open_workspace

    with open_workspace(vault_copy, overrides={"links.property": "see-also"}) as ws:
        propose(ws, MISO, related=["[[Kimchi]]"])
        assert apply_proposals(ws).run_id is None  # nothing approved: no run at all
        report = apply_proposals(ws, include_pending=True)
        assert report.applied == [MISO]
        assert meta(ws, MISO)["see-also"] == ["[[Kimchi]]"]
        assert "related" not in meta(ws, MISO)
        assert b'  - "[[Kimchi]]"' in (ws.root / MISO).read_bytes()


def test_changed_note_is_a_conflict_and_left_untouched(ws: Workspace) -> None:
    a = propose(ws, KIMCHI, tags=["recipe"])
    b = propose(ws, MISO, tags=["soup"])
    actions.approve(ws.store, [a, b])
    note = ws.root / KIMCHI
    edited = note.read_bytes().replace(b"Salt napa cabbage", b"Salt the napa cabbage")
    note.write_bytes(edited)

    report = apply_proposals(ws)

    assert not report.ok
    assert report.applied == [MISO]
    assert report.conflicts == [(KIMCHI, "changed on disk since the proposal was made")]
    assert note.read_bytes() == edited
    proposal = get_proposal(ws.store, a)
    assert proposal is not None and proposal.state == "conflict"
    assert recurate_candidates(ws.store) == [KIMCHI]
    propose(ws, KIMCHI, tags=["recipe", "korean"])  # re-curated: no longer a candidate
    assert recurate_candidates(ws.store) == []


def test_deleted_note_is_a_conflict(ws: Workspace) -> None:
    a = propose(ws, KIMCHI, tags=["recipe"])
    actions.approve(ws.store, [a])
    (ws.root / KIMCHI).unlink()
    report = apply_proposals(ws)
    assert report.conflicts == [(KIMCHI, "deleted since the proposal was made")]
    assert not (ws.root / KIMCHI).exists()


def test_unparseable_note_fails_with_its_reason(ws: Workspace) -> None:
    a = propose(ws, SCALAR, tags=["archive"])
    actions.approve(ws.store, [a])
    before = (ws.root / SCALAR).read_bytes()
    report = apply_proposals(ws)
    assert [p for p, _ in report.failed] == [SCALAR]
    reason = report.failed[0][1]
    assert "mapping" in reason
    proposal = get_proposal(ws.store, a)
    assert proposal is not None
    assert (proposal.state, proposal.error) == ("failed", reason)
    assert (ws.root / SCALAR).read_bytes() == before


def test_ids_restrict_the_apply(ws: Workspace) -> None:
    a = propose(ws, KIMCHI, tags=["recipe"])
    b = propose(ws, MISO, tags=["soup"])
    actions.approve(ws.store, [a, b])
    report = apply_proposals(ws, ids=[b])
    assert report.applied == [MISO]
    proposal = get_proposal(ws.store, a)
    assert proposal is not None and proposal.state == "approved"


def test_proposal_already_true_is_unchanged(ws: Workspace) -> None:
    a = propose(ws, MISO, description="Dashi, miso and tofu in ten minutes.")
    actions.approve(ws.store, [a])
    before = (ws.root / MISO).read_bytes()
    report = apply_proposals(ws)
    assert report.unchanged == [MISO] and report.applied == [] and report.ok
    assert (ws.root / MISO).read_bytes() == before


def test_apply_then_undo_restores_every_byte(ws: Workspace) -> None:
    before = vault_hashes(ws.root)
    notes = all_notes(ws.root)
    ids = [
        propose(
            ws,
            path,
            tags=["curated", f"topic/n{i}"],
            description=f"Note number {i}: a one-line description.",
            related=["[[Home]]"],
        )
        for i, path in enumerate(notes)
    ]
    assert len(ids) > 40
    assert actions.approve_all(ws.store, list_proposals(ws.store)).count == len(ids)

    report = apply_proposals(ws)
    assert report.run_id is not None
    assert len(report.applied) > 30 and not report.conflicts
    assert SCALAR in dict(report.failed)
    assert vault_hashes(ws.root) != before
    assert undoable_run(ws.store) == report.run_id

    summary = undo_apply(ws)

    assert summary.run_id == report.run_id and summary.ok
    assert sorted(summary.restored) == sorted(report.applied)
    assert vault_hashes(ws.root) == before
    assert summary.reopened == len(report.applied)
    states = {p.path: p.state for p in list_proposals(ws.store)}
    assert {states[p] for p in report.applied} == {"pending"}
    assert states[SCALAR] == "failed"
    assert undoable_run(ws.store) is None
    with pytest.raises(UsageError, match="nothing to undo"):
        undo_apply(ws)

    # The reopened proposals match the restored bytes again: they apply cleanly once more.
    actions.approve_all(ws.store, list_proposals(ws.store, ["pending"]))
    again = apply_proposals(ws)
    assert sorted(again.applied) == sorted(report.applied) and not again.conflicts


def test_undo_after_a_later_edit_reports_a_conflict_and_leaves_that_note(ws: Workspace) -> None:
    before = vault_hashes(ws.root)
    a = propose(ws, KIMCHI, tags=["recipe"])
    b = propose(ws, MISO, tags=["soup"])
    actions.approve(ws.store, [a, b])
    report = apply_proposals(ws)
    assert sorted(report.applied) == [KIMCHI, MISO]
    note = ws.root / KIMCHI
    edited = note.read_bytes() + b"\nA line the user added after the apply.\n"
    note.write_bytes(edited)

    summary = undo_apply(ws, report.run_id)

    assert not summary.ok
    assert summary.restored == [MISO]
    assert [p for p, _ in summary.conflicts] == [KIMCHI]
    assert note.read_bytes() == edited
    after = vault_hashes(ws.root)
    assert after[MISO] == before[MISO]
    proposal = get_proposal(ws.store, a)
    assert proposal is not None and proposal.state == "applied"
    proposal = get_proposal(ws.store, b)
    assert proposal is not None and proposal.state == "pending"


def test_undo_of_an_older_run_by_id(ws: Workspace) -> None:
    before = vault_hashes(ws.root)
    a = propose(ws, KIMCHI, tags=["recipe"])
    actions.approve(ws.store, [a])
    first = apply_proposals(ws)
    b = propose(ws, MISO, tags=["soup"])
    actions.approve(ws.store, [b])
    second = apply_proposals(ws)
    assert first.run_id is not None and second.run_id is not None

    summary = undo_apply(ws, first.run_id)
    assert summary.restored == [KIMCHI]
    assert vault_hashes(ws.root)[KIMCHI] == before[KIMCHI]
    assert vault_hashes(ws.root)[MISO] != before[MISO]
    assert undoable_run(ws.store) == second.run_id
    with pytest.raises(UsageError, match="already undone"):
        undo_apply(ws, first.run_id)


def test_two_selected_proposals_for_one_note_apply_the_newest(ws: Workspace) -> None:
    old = propose(ws, KIMCHI, tags=["recipe"])
    actions.approve(ws.store, [old])
    new = propose(ws, KIMCHI, tags=["recipe", "korean"])  # a later curation, still pending
    assert new != old
    report = apply_proposals(ws, include_pending=True)
    assert report.applied == [KIMCHI] and report.superseded == [KIMCHI] and report.ok
    assert meta(ws, KIMCHI)["tags"] == ["recipe", "korean"]
    states = {p.id: p.state for p in list_proposals(ws.store)}
    assert states == {old: "superseded", new: "applied"}


def test_undo_keeps_one_pending_proposal_per_note(ws: Workspace) -> None:
    first = propose(ws, KIMCHI, tags=["recipe"])
    actions.approve(ws.store, [first])
    apply_proposals(ws)
    later = propose(ws, KIMCHI, tags=["recipe", "spicy"])  # built from the applied bytes
    summary = undo_apply(ws)
    assert summary.restored == [KIMCHI] and summary.reopened == 1
    states = {p.id: p.state for p in list_proposals(ws.store)}
    assert states == {first: "pending", later: "superseded"}
