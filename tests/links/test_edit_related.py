"""Related links edited one by one in the review TUI's edit modal (the real app, headless)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.tui.conftest import add_curated, running, settle
from vaultcurator.store.proposals import get_proposal
from vaultcurator.tui.screens.edit import EditScreen
from vaultcurator.tui.screens.review import ReviewScreen
from vaultcurator.workspace import Workspace, open_workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"


@pytest.fixture
def workspace(vault_copy: Path) -> Iterator[Workspace]:
    ws = open_workspace(vault_copy)
    try:
        yield ws
    finally:
        ws.close()


async def test_a_related_link_is_removed_and_another_added_one_by_one(
    workspace: Workspace,
) -> None:
    ids = add_curated(workspace)
    async with running(workspace) as pilot:
        await pilot.press("e")  # the first row is Kimchi
        modal = pilot.app.screen
        assert isinstance(modal, EditScreen)
        assert modal.related_entries == [
            "[[Fermentation Basics]]",
            "[[Sourdough Bread]]",
            "[[Miso Soup]]",
        ]
        modal.related_list.deselect("[[Sourdough Bread]]")  # unticked: removed
        field = modal.query_one("#related-add", Input)
        field.focus()
        field.value = "Tomatoes"
        await pilot.press("enter")  # adds it as a checked entry, does not save
        await pilot.pause()
        assert isinstance(pilot.app.screen, EditScreen)
        assert "[[Tomatoes]]" in modal.related_list.selected
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
    proposal = get_proposal(workspace.store, ids[KIMCHI])
    assert proposal is not None
    assert proposal.new_related == ["[[Fermentation Basics]]", "[[Miso Soup]]", "[[Tomatoes]]"]
    assert proposal.state == "pending"


async def test_related_left_alone_stays_as_proposed(workspace: Workspace) -> None:
    ids = add_curated(workspace)
    before = get_proposal(workspace.store, ids[KIMCHI])
    async with running(workspace) as pilot:
        await pilot.press("e")
        modal = pilot.app.screen
        assert isinstance(modal, EditScreen)
        modal.query_one("#description", Input).value = "Napa cabbage, fermented."
        await pilot.click("#save")
        await settle(pilot)
    after = get_proposal(workspace.store, ids[KIMCHI])
    assert before is not None and after is not None
    assert after.new_related == before.new_related
    assert after.new_description == "Napa cabbage, fermented."
