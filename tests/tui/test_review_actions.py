"""The review screen driven like a user would: keys and clicks, asserting on the store first."""

from __future__ import annotations

from textual.widgets import Input, Select

from tests.tui.conftest import running, settle, text_of
from vaultcurator.store.proposals import get_proposal, list_proposals
from vaultcurator.tui.app import ReviewApp
from vaultcurator.tui.screens.edit import EditScreen
from vaultcurator.tui.screens.modals import ConfirmScreen, ErrorScreen, HelpScreen
from vaultcurator.tui.screens.review import ReviewScreen
from vaultcurator.workspace import Workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"
FUNDS = "Finance/Index Funds.md"
TOMATOES = "Gardening/Tomatoes.md"


def review(app: object) -> ReviewScreen:
    assert isinstance(app, ReviewApp)
    return app.review


def state(ws: Workspace, pid: int) -> str:
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    return proposal.state


async def test_table_lists_every_proposal_with_its_diff(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace) as pilot:
        screen = review(pilot.app)
        assert list(screen.table.ids) == [curated[p] for p in sorted(curated)]
        assert screen.table.current_id == curated[KIMCHI]
        diff = text_of(screen.query_one("#diff"))
        assert KIMCHI in diff and "cuisine/korean" in diff and "[[Miso Soup]]" in diff
        await pilot.press("j")
        assert screen.table.current_id == curated[FUNDS]
        assert FUNDS in text_of(screen.query_one("#diff"))
        await pilot.press("k", "down")
        assert screen.table.current_id == curated[FUNDS]


async def test_approve_and_reject_change_the_store_and_move_on(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace) as pilot:
        await pilot.press("a")
        assert state(workspace, curated[KIMCHI]) == "approved"
        assert review(pilot.app).table.current_id == curated[FUNDS]
        await pilot.press("r")
        assert state(workspace, curated[FUNDS]) == "rejected"
        assert state(workspace, curated[TOMATOES]) == "pending"
        table = review(pilot.app).table
        assert table.get_cell(str(curated[KIMCHI]), "state").plain == "approved"
        assert table.get_cell(str(curated[FUNDS]), "state").plain == "rejected"


async def test_edit_modal_saves_tags_through_the_tag_rules(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace) as pilot:
        await pilot.press("e")
        modal = pilot.app.screen
        assert isinstance(modal, EditScreen)
        modal.query_one("#tags", Input).value = "#Cooking/Korean, fermentation  side dish"
        modal.query_one("#description", Input).value = "Quick napa cabbage kimchi."
        await pilot.pause()
        await pilot.click("#save-approve")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
        proposal = get_proposal(workspace.store, curated[KIMCHI])
        assert proposal is not None
        assert proposal.new_tags == ["cooking/korean", "fermentation", "side", "dish"]
        assert proposal.new_description == "Quick napa cabbage kimchi."
        assert proposal.state == "approved"


async def test_edit_modal_refuses_an_invalid_tag_and_keeps_the_proposal(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    before = get_proposal(workspace.store, curated[KIMCHI])
    async with running(workspace) as pilot:
        await pilot.press("e")
        modal = pilot.app.screen
        assert isinstance(modal, EditScreen)
        modal.query_one("#tags", Input).value = "recipe 2026"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert pilot.app.screen is modal  # not closed
        feedback = text_of(modal.query_one("#tag-feedback"))
        assert "'2026' is not a valid tag" in feedback
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ReviewScreen)
    assert get_proposal(workspace.store, curated[KIMCHI]) == before


async def test_text_filter_then_approve_all_shown(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace) as pilot:
        screen = review(pilot.app)
        await pilot.press("slash", *"garden", "enter")
        assert list(screen.table.ids) == [curated[TOMATOES]]
        await pilot.press("A")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        assert state(workspace, curated[TOMATOES]) == "approved"
        others = [pid for path, pid in curated.items() if path != TOMATOES]
        assert {state(workspace, pid) for pid in others} == {"pending"}
        # The text filter also searches tags and descriptions (the core's filter).
        await pilot.press("slash")
        screen.query_one("#search", Input).value = "kahneman"
        await pilot.press("enter")
        assert list(screen.table.ids) == [curated["Reading/Books/Thinking, Fast and Slow.md"]]


async def test_state_filter_and_sorting(workspace: Workspace, curated: dict[str, int]) -> None:
    async with running(workspace) as pilot:
        screen = review(pilot.app)
        await pilot.press("a", "a")
        select = screen.query_one("#state-filter", Select)
        select.value = "approved"
        await pilot.pause()
        assert list(screen.table.ids) == [curated[KIMCHI], curated[FUNDS]]
        await pilot.press("f")  # next filter: rejected
        assert select.value == "rejected"
        assert list(screen.table.ids) == []
        select.value = "open"
        await pilot.pause()
        # Click the "State" header: the core's sort puts pending before approved.
        await pilot.click("#proposals", offset=(screen.table.path_width + 3, 0))
        await pilot.pause()
        assert screen.table.sort_key == "state"
        assert list(screen.table.ids)[-2:] == [curated[KIMCHI], curated[FUNDS]]
        await pilot.press("S")
        assert list(screen.table.ids)[:2] == [curated[FUNDS], curated[KIMCHI]]


async def test_help_screen_and_command_palette_list_the_actions(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace) as pilot:
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        text = text_of(pilot.app.screen.query_one("#help-body"))
        for phrase in ("approve the selected", "undo the last apply", "start a curation run"):
            assert phrase in text
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ReviewScreen)
        titles = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert {"Approve", "Apply approved", "Undo last apply", "Jobs"} <= titles


async def test_worker_failure_shows_the_error_dialog(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace) as pilot:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        workspace.store.close()  # the next load fails in its worker thread
        app.load_proposals()
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        assert "closed database" in text_of(app.screen.query_one("#message-body"))
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen)
        assert app.is_running


async def test_small_terminal_stacks_the_diff_under_the_table(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace, size=(80, 24)) as pilot:
        screen = review(pilot.app)
        assert screen.has_class("narrow")
        table, pane = screen.table, screen.diff_pane
        assert pane.region.y >= table.region.bottom
        assert table.path_width >= 30
        await pilot.press("a")
        assert len(list_proposals(workspace.store, ["approved"])) == 1
