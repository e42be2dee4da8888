"""Approve / reject / edit, approve-all on a filtered set, and the table's view model."""

from __future__ import annotations

import pytest

from tests.review.conftest import propose
from vaultcurator.errors import VaultCuratorError
from vaultcurator.review import actions
from vaultcurator.store.proposals import get_proposal, list_proposals, set_state
from vaultcurator.workspace import Workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"
MISO = "Cooking/Recipes/Miso Soup.md"
RUST = "Programming/Rust/Rust.md"


def state_of(ws: Workspace, pid: int) -> str:
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    return proposal.state


def test_approve_reject_and_back_to_pending(ws: Workspace) -> None:
    a = propose(ws, KIMCHI, tags=["recipe", "korean", "cooking/fermentation"])
    b = propose(ws, MISO, description="A quick dashi-based soup.")

    result = actions.approve(ws.store, [a])
    assert result.changed == [a] and not result.skipped
    assert state_of(ws, a) == "approved"
    assert state_of(ws, b) == "pending"

    assert actions.reject(ws.store, [a, b]).changed == [a, b]
    assert {state_of(ws, a), state_of(ws, b)} == {"rejected"}

    assert actions.approve(ws.store, [b]).changed == [b]  # a rejection can be reversed
    assert actions.reset_to_pending(ws.store, [a, b]).changed == [a, b]
    assert state_of(ws, a) == state_of(ws, b) == "pending"


def test_actions_skip_proposals_in_final_states(ws: Workspace) -> None:
    a = propose(ws, KIMCHI, tags=["recipe"])
    set_state(ws.store, [a], "applied")
    result = actions.approve(ws.store, [a, 9999])
    assert result.changed == []
    assert (a, "is applied") in result.skipped
    assert (9999, "no such proposal") in result.skipped
    assert state_of(ws, a) == "applied"
    assert actions.reject(ws.store, [a]).skipped == [(a, "is applied")]


def test_approve_all_only_touches_the_filtered_set(ws: Workspace) -> None:
    cooking = [propose(ws, p, tags=["recipe"]) for p in (KIMCHI, MISO)]
    rust = propose(ws, RUST, tags=["rust", "programming"])
    conflicted = propose(ws, "Finance/Index Funds.md", tags=["finance"])
    set_state(ws.store, [conflicted], "conflict")

    shown = actions.filter_proposals(list_proposals(ws.store), text="cooking recipes")
    assert [p.id for p in shown] == cooking

    result = actions.approve_all(ws.store, shown)
    assert sorted(result.changed) == sorted(cooking)
    assert state_of(ws, rust) == "pending"

    # A filter that includes a conflict: it is skipped, not approved.
    everything = actions.filter_proposals(list_proposals(ws.store), states=["pending", "conflict"])
    result = actions.approve_all(ws.store, everything)
    assert result.changed == [rust]
    assert result.skipped == [(conflicted, "is conflict")]


def test_edit_normalises_tags_and_reports_what_changed(ws: Workspace) -> None:
    pid = propose(ws, KIMCHI, tags=["recipe"], description="old")
    outcome = actions.edit(
        ws.store,
        pid,
        tags="#Korean, Fermentation  C++ 2024",
        description="Spicy\nfermented cabbage. ",
    )
    assert outcome.proposal.new_tags == ["korean", "fermentation", "cpp"]
    assert outcome.proposal.new_description == "Spicy fermented cabbage."
    assert outcome.tags is not None
    assert outcome.tags.rejected == [("2024", "a tag needs at least one letter")]
    assert ("C++", "cpp") in outcome.tags.changed
    assert any("2024" in m for m in outcome.messages)
    assert outcome.proposal.state == "pending"


def test_edit_keeps_the_vaults_casing_and_dedupes(ws: Workspace) -> None:
    pid = propose(ws, RUST, tags=["rust"])
    outcome = actions.edit(
        ws.store,
        pid,
        tags=["MachineLearning", "machinelearning", "rust", "Rust"],
        existing_tags=["MachineLearning"],
    )
    assert outcome.proposal.new_tags == ["MachineLearning", "rust"]


def test_strict_edit_refuses_invalid_tags_and_saves_nothing(ws: Workspace) -> None:
    pid = propose(ws, KIMCHI, tags=["recipe"])
    with pytest.raises(actions.EditRejected) as info:
        actions.edit(ws.store, pid, tags=["ok-tag", "???"], description="x", strict=True)
    assert "'???' is not a valid tag" in str(info.value)
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    assert proposal.new_tags == ["recipe"]
    assert proposal.has_description is False


def test_edit_then_approve_and_edit_of_applied_is_refused(ws: Workspace) -> None:
    pid = propose(ws, KIMCHI, tags=["recipe"])
    outcome = actions.edit(ws.store, pid, tags="recipe korean", approve_after=True)
    assert outcome.proposal.state == "approved"
    set_state(ws.store, [pid], "applied")
    with pytest.raises(VaultCuratorError, match="is applied"):
        actions.edit(ws.store, pid, tags="x")


def test_rows_count_changes_and_sort(ws: Workspace) -> None:
    # Kimchi has tags recipe, fermentation, fermenting, korean.
    a = propose(
        ws,
        KIMCHI,
        tags=["recipe", "korean", "cooking/fermentation"],
        related=["[[Fermentation Basics]]", "[[Miso Soup]]"],
    )
    b = propose(ws, MISO, description="A quick dashi-based soup.")
    rows = {r.id: r for r in actions.load_rows(ws.store)}
    row = rows[a]
    assert (row.tags_added, row.tags_removed) == (1, 2)
    assert row.tags_text == "+1 −2"
    assert (row.related_added, row.related_removed) == (1, 1)
    assert row.description_changed is False
    assert rows[b].description_changed is True
    assert rows[b].tags_text == ""

    by_tags = actions.sort_rows(rows.values(), "tags")
    assert [r.id for r in by_tags] == [a, b]
    by_path_desc = actions.sort_rows(rows.values(), "path", reverse=True)
    assert [r.id for r in by_path_desc] == [b, a]
    assert [r.id for r in actions.filter_rows(rows.values(), text="miso")] == [b]
    assert actions.filter_rows(rows.values(), states=["approved"]) == []
    with pytest.raises(ValueError):
        actions.sort_rows(rows.values(), "nope")  # type: ignore[arg-type]


def test_text_filter_searches_tags_and_descriptions(ws: Workspace) -> None:
    a = propose(ws, KIMCHI, tags=["korean"])
    b = propose(ws, RUST, description="Systems language with ownership.")
    proposals = list_proposals(ws.store)
    assert [p.id for p in actions.filter_proposals(proposals, text="OWNERSHIP")] == [b]
    assert [p.id for p in actions.filter_proposals(proposals, text="korean")] == [a]
    assert len(actions.filter_proposals(proposals, text="  ")) == 2
