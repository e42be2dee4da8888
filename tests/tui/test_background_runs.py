"""Curation started from the TUI runs in the background (issue 14), at 80x24.

Real batch curation against the repo's wire-protocol fake (the real SDK over HTTP): the user
keeps approving rows while the batch is out, cancels it from the review screen, or quits
(asked first; the job is left for ``resume``). The fake's batches end only when the test
says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from tests.curation.conftest import write_vault
from tests.fakes.anthropic_server import FakeAnthropic
from tests.tui.conftest import last_run_summary, make_app, settle, text_of
from vaultcurator.store import jobs
from vaultcurator.store.proposals import add_proposal, get_proposal, list_proposals
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.tui.app import ReviewApp
from vaultcurator.tui.runs import QUIT_TITLE
from vaultcurator.tui.screens.curate import CurateScreen
from vaultcurator.tui.screens.jobs import JobsScreen
from vaultcurator.tui.screens.modals import ConfirmScreen
from vaultcurator.tui.screens.review import ReviewScreen
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace, open_workspace

SMALL = (80, 24)
CONFIG = """\
[curation]
mode = "batch"
poll_interval = 0.01
poll_interval_max = 0.05
[links]
enabled = false
"""


@pytest.fixture
def batch_ws(tmp_path: Path, fake_anthropic: FakeAnthropic) -> Iterator[Workspace]:
    """Six notes; three already have pending proposals, so ``c`` (changed notes) sends the
    other three as one batch to the fake."""
    vault = write_vault(tmp_path / "vault", 6)
    (vault / ".vaultcurator").mkdir()
    (vault / ".vaultcurator" / "config.toml").write_text(CONFIG, encoding="utf-8")
    ws = open_workspace(vault)
    inventory = scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store))
    for note in inventory.notes[:3]:
        add_proposal(
            ws.store,
            path=note.path,
            note_index=note.index,
            base_hash=note.hash,
            engine="local",
            old_tags=list(note.tags),
            new_tags=[*note.tags, "reviewed"],
        )
    try:
        yield ws
    finally:
        ws.close()


def never_ends(fake: FakeAnthropic) -> None:
    """Batches stay ``in_progress`` until the test calls ``fake.force_end``: "while the batch
    runs" is a state the test holds, not a timing it hopes for."""
    fake.batches_polls_to_end = None
    fake.batches_seconds_to_end = 3600


async def wait_for(pilot: Pilot[int], condition: object, what: str) -> None:
    """Pump the app until ``condition()`` holds (a state, not a duration)."""
    for _ in range(2000):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def start_batch_run(pilot: Pilot[int]) -> ReviewApp:
    app = pilot.app
    assert isinstance(app, ReviewApp)
    await pilot.press("c")
    modal = app.screen
    assert isinstance(modal, CurateScreen)
    assert modal.query_one("#engine", Select).value == "anthropic"  # a key is set
    modal.query_one("#mode", Select).value = "batch"
    await pilot.pause()
    await pilot.click("#start")
    await wait_for(pilot, lambda: app.current_run is not None, "the run to start")
    return app


def run_line(app: ReviewApp) -> str:
    line = app.screen.query_one("#run-status")
    assert line.has_class("on"), "the run's line is hidden"
    return text_of(line)


async def test_user_keeps_approving_while_a_batch_runs(
    batch_ws: Workspace, fake_anthropic: FakeAnthropic
) -> None:
    ws = batch_ws
    never_ends(fake_anthropic)
    before = {p.path: p.id for p in list_proposals(ws.store, ["pending"])}
    app = make_app(ws)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await start_batch_run(pilot)
        assert isinstance(app.screen, ReviewScreen)  # no blocking modal
        await wait_for(
            pilot, lambda: fake_anthropic.requests_to("batches.create"), "the batch to be sent"
        )
        assert "Curating changed notes" in run_line(app)

        await pilot.press("a", "a")  # approve the first two rows, batch still out
        assert app.current_run is not None
        states = {path: get_proposal(ws.store, pid).state for path, pid in before.items()}  # type: ignore[union-attr]
        assert sorted(states.values()) == ["approved", "approved", "pending"]

        await pilot.press("J")  # the jobs screen shows the running job, and the run's line
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen), "the jobs screen")
        await pilot.pause(0.1)
        assert "Curating" in run_line(app)
        job = jobs.latest_job(ws.store)
        assert job is not None and job.status == "running"
        await pilot.press("escape")

        fake_anthropic.force_end(fake_anthropic.batch_ids()[0])
        await settle(pilot)
        assert app.current_run is None
        assert not app.screen.query_one("#run-status").has_class("on")
        summary = last_run_summary(app)
        assert "3 note(s) selected, 3 proposal(s), 0 failed" in summary
        new = [p for p in list_proposals(ws.store, ["pending"]) if p.path not in before]
        assert len(new) == 3 and {p.id for p in new} <= set(app.review.table.ids)
        # the decisions made during the run survived the reload
        assert sorted(get_proposal(ws.store, pid).state for pid in before.values()) == [  # type: ignore[union-attr]
            "approved",
            "approved",
            "pending",
        ]
    assert len(fake_anthropic.requests_to("batches.create")) == 1


async def test_cancel_from_the_review_screen_stops_the_batch(
    batch_ws: Workspace, fake_anthropic: FakeAnthropic
) -> None:
    ws = batch_ws
    never_ends(fake_anthropic)
    app = make_app(ws)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await start_batch_run(pilot)
        await wait_for(
            pilot, lambda: fake_anthropic.requests_to("batches.retrieve"), "a first poll"
        )
        await pilot.press("X")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert fake_anthropic.requests_to("batches.cancel") == []  # nothing before the answer
        await pilot.press("y")
        await wait_for(pilot, lambda: app.current_run is None, "the run to end")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
    assert len(fake_anthropic.requests_to("batches.cancel")) >= 1
    job = jobs.latest_job(ws.store, ("canceled",))
    assert job is not None
    assert jobs.latest_job(ws.store) is None  # nothing left running


async def test_quit_during_a_batch_asks_and_leaves_the_job_for_resume(
    batch_ws: Workspace, fake_anthropic: FakeAnthropic
) -> None:
    ws = batch_ws
    never_ends(fake_anthropic)
    app = make_app(ws)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await start_batch_run(pilot)
        await wait_for(
            pilot, lambda: fake_anthropic.requests_to("batches.retrieve"), "a first poll"
        )
        await pilot.press("q")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        body = text_of(confirm.query_one(".dialog-body"))
        assert QUIT_TITLE in text_of(confirm.query_one(".dialog-title"))
        assert "batch keeps running at Anthropic" in body
        assert f"vaultcurator resume {ws.root}" in body
        await pilot.press("n")  # changed my mind: the run goes on
        assert isinstance(app.screen, ReviewScreen) and app.current_run is not None
        await pilot.press("ctrl+q")  # asks again; ctrl+q a second time quits at once
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    left = app.abandoned_run
    assert left is not None
    left.thread.join(timeout=30)  # stops at its next poll
    assert not left.thread.is_alive()
    job = jobs.latest_job(ws.store)  # resumable: interrupted, its batch still at the fake
    assert job is not None and job.status == "interrupted"
    assert fake_anthropic.requests_to("batches.cancel") == []
    batch = fake_anthropic.batch_json(fake_anthropic.batch_ids()[0])
    assert batch["processing_status"] == "in_progress"
