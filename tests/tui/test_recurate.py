"""``C``: re-curate the notes whose proposal conflicted on apply, in one key (local engine)."""

from __future__ import annotations

from textual.widgets import RadioButton, Select

from tests.tui.conftest import last_run_summary, running, settle, text_of
from vaultcurator.review.apply import recurate_candidates
from vaultcurator.store import jobs
from vaultcurator.store.proposals import get_proposal, list_proposals
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.tui.app import ReviewApp
from vaultcurator.tui.screens.curate import CurateScreen
from vaultcurator.tui.screens.review import ReviewScreen
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace

TOMATOES = "Gardening/Tomatoes.md"


async def test_recurate_conflicts_makes_a_fresh_proposal_for_just_those_notes(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    store = workspace.store
    tomatoes = workspace.root / "Gardening" / "Tomatoes.md"
    async with running(workspace) as pilot:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        await pilot.press("C")  # no conflict yet: only a notification
        assert isinstance(app.screen, ReviewScreen)

        await pilot.press("a", "a", "a")  # Kimchi, Index Funds, Tomatoes
        tomatoes.write_bytes(tomatoes.read_bytes() + b"\nA late frost took the seedlings.\n")
        await pilot.press("w", "y")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        old_id = curated[TOMATOES]
        assert get_proposal(store, old_id).state == "conflict"  # type: ignore[union-attr]
        assert recurate_candidates(store) == [TOMATOES]

        await pilot.press("C")
        modal = app.screen
        assert isinstance(modal, CurateScreen)
        assert modal.query_one("#scope-conflicts", RadioButton).value
        assert TOMATOES in text_of(modal.query_one("#conflicts"))
        modal.query_one("#engine", Select).value = "local"
        await pilot.pause()
        await pilot.click("#start")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "1 note(s) selected" in last_run_summary(app)

        new_hash = (
            scan_vault(workspace.root, workspace.settings.scan, StoreScanCache(store))
            .by_path()[TOMATOES]
            .hash
        )
        fresh = [p for p in list_proposals(store, ["pending"]) if p.path == TOMATOES]
        assert len(fresh) == 1 and fresh[0].id != old_id
        assert fresh[0].base_hash == new_hash and fresh[0].engine == "local"
        assert fresh[0].id in app.review.table.ids
        # the conflict row is replaced by the fresh proposal, not left beside it
        assert get_proposal(store, old_id).state == "superseded"  # type: ignore[union-attr]
        assert old_id not in app.review.table.ids
        assert [p.path for p in list_proposals(store, ["conflict"])] == []

        job = jobs.latest_job(store, ("done",))
        assert job is not None
        assert [r.path for r in jobs.job_requests(store, job.id)] == [TOMATOES]
        assert recurate_candidates(store) == []  # the conflict is no longer offered
        await pilot.press("C")
        assert isinstance(app.screen, ReviewScreen)

    # the other notes were left alone: their proposals are as the apply left them
    assert {p.path for p in list_proposals(store, ["applied"])} == {
        "Cooking/Recipes/Kimchi.md",
        "Finance/Index Funds.md",
    }
    assert len(list_proposals(store, ["pending"])) == 3  # Type Hints, Thinking, Tomatoes anew
