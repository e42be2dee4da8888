"""Apply, undo, curation and the jobs screen, through the real app and the real core."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, RadioButton, Select

from tests.tui.conftest import last_run_summary, make_batch_job, running, settle, text_of
from vaultcurator.store.proposals import get_proposal, list_proposals
from vaultcurator.tui.app import ReviewApp
from vaultcurator.tui.screens.curate import CurateScreen
from vaultcurator.tui.screens.jobs import JobsScreen
from vaultcurator.tui.screens.modals import ConfirmScreen, ProgressScreen
from vaultcurator.tui.screens.review import ReviewScreen
from vaultcurator.workspace import Workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"
FUNDS = "Finance/Index Funds.md"
TOMATOES = "Gardening/Tomatoes.md"


def vault_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".vaultcurator" not in p.relative_to(root).parts
    }


def note(ws: Workspace, path: str) -> str:
    return ws.root.joinpath(*path.split("/")).read_text(encoding="utf-8")


async def test_apply_asks_first_then_writes_and_reports_conflicts(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    tomatoes = workspace.root / "Gardening" / "Tomatoes.md"
    edited = tomatoes.read_bytes() + b"\nEdited in Obsidian after curation.\n"
    tomatoes.write_bytes(edited)
    before = vault_bytes(workspace.root)
    async with running(workspace) as pilot:
        await pilot.press("a", "a", "a")  # Kimchi, Index Funds, Tomatoes
        await pilot.press("w")
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "3 approved proposal(s)" in text_of(confirm.query_one(".dialog-body"))
        assert vault_bytes(workspace.root) == before  # nothing written before the answer
        await pilot.click("#yes")
        await settle(pilot)
        progress = pilot.app.screen
        assert isinstance(progress, ProgressScreen) and progress.finished
        summary = text_of(progress.query_one("#progress-summary"))
        assert "Applied 2" in summary and "conflicts 1" in summary and TOMATOES in summary
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, ReviewScreen)
        table = pilot.app.screen.table
        assert table.get_cell(str(curated[TOMATOES]), "state").plain == "conflict"

    assert get_proposal(workspace.store, curated[KIMCHI]).state == "applied"  # type: ignore[union-attr]
    assert get_proposal(workspace.store, curated[FUNDS]).state == "applied"  # type: ignore[union-attr]
    assert get_proposal(workspace.store, curated[TOMATOES]).state == "conflict"  # type: ignore[union-attr]
    assert tomatoes.read_bytes() == edited
    kimchi = note(workspace, KIMCHI)
    assert "cuisine/korean" in kimchi and "[[Miso Soup]]" in kimchi
    assert "description: " in kimchi
    assert kimchi.endswith(before[KIMCHI].decode().split("---\n", 2)[2])  # body untouched
    assert "etf" in note(workspace, FUNDS)


async def test_apply_declined_writes_nothing(workspace: Workspace, curated: dict[str, int]) -> None:
    before = vault_bytes(workspace.root)
    async with running(workspace) as pilot:
        await pilot.press("A", "y", "w")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
    assert vault_bytes(workspace.root) == before
    assert len(list_proposals(workspace.store, ["approved"])) == len(curated)


async def test_apply_then_undo_restores_every_byte(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    before = vault_bytes(workspace.root)
    async with running(workspace) as pilot:
        await pilot.press("A", "y", "w", "y")
        await settle(pilot)
        await pilot.press("enter")
        assert vault_bytes(workspace.root) != before
        assert len(list_proposals(workspace.store, ["applied"])) == len(curated)
        await pilot.press("u")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        progress = pilot.app.screen
        assert isinstance(progress, ProgressScreen)
        assert f"Restored {len(curated)}" in text_of(progress.query_one("#progress-summary"))
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        assert {screen.table.get_cell(str(pid), "state").plain for pid in curated.values()} == {
            "pending"
        }
    assert vault_bytes(workspace.root) == before
    assert len(list_proposals(workspace.store, ["pending"])) == len(curated)


async def test_undo_with_nothing_applied_only_says_so(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace) as pilot:
        await pilot.press("u")
        assert isinstance(pilot.app.screen, ReviewScreen)


async def test_curation_run_with_the_local_engine(workspace: Workspace) -> None:
    async with running(workspace) as pilot:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        assert app.review.table.ids == []
        await pilot.press("c")
        modal = app.screen
        assert isinstance(modal, CurateScreen)
        modal.query_one("#scope-folder", RadioButton).value = True
        modal.query_one("#folder").value = "Cooking"  # type: ignore[attr-defined]
        modal.query_one("#engine", Select).value = "local"
        await pilot.pause()
        await pilot.click("#start")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)  # no modal: the run went on in the background
        assert "proposal(s)" in last_run_summary(app)
        made = list_proposals(workspace.store, ["pending"])
        assert made and all(p.path.startswith("Cooking/") for p in made)
        assert {p.engine for p in made} == {"local"}
        assert sorted(app.review.table.ids) == sorted(p.id for p in made)


async def test_jobs_screen_shows_batch_progress_from_the_store(workspace: Workspace) -> None:
    job_id = make_batch_job(workspace)
    async with running(workspace) as pilot:
        await pilot.press("J")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, JobsScreen)
        table = screen.query_one("#jobs-table", DataTable)
        job_row = [c.plain for c in table.get_row(f"job-{job_id}")]
        assert job_row[:5] == [f"Job {job_id} · batch", "running", "2/3", "2", "0"]
        assert job_row[5] == "11m00s"  # elapsed from the fixed clock
        assert job_row[7].startswith("$")
        batch_row = [c.plain for c in table.get_row_at(1)]
        assert batch_row[:5] == ["└ batch 1", "in_progress", "2/3", "2", "0"]
        assert batch_row[5:7] == ["10m00s", "5m00s"]  # ETA from the pace so far
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ReviewScreen)
