"""Cancel (``x``) and resume (``R``) on the jobs screen, against the fake Anthropic server.

Each test starts from a real interrupted batch job: ``curate`` killed in a subprocess right
after its first batch was created (the curation tests' crash hook). The app then drives the
real ``cancel_job`` / ``resume_job`` through its workers; assertions are on the fake's request
log, its batches and the store first, the screen second.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest
from textual.widgets import DataTable

from tests.curation.test_batch import assert_each_note_got_its_own_answer, creates
from tests.fakes.anthropic_server import FakeAnthropic
from tests.tui.conftest import interrupted_batch_job, last_run_summary, running, settle
from vaultcurator.store import jobs
from vaultcurator.store.proposals import list_proposals
from vaultcurator.tui.screens.jobs import JobsScreen
from vaultcurator.tui.screens.modals import ConfirmScreen
from vaultcurator.workspace import Workspace


@pytest.fixture
def slow_batch_ws(tmp_path: Path, fake_anthropic: FakeAnthropic) -> Iterator[Workspace]:
    """40 notes in one batch that finishes a quarter per poll; polled once: 10 answered."""
    fake_anthropic.batches_polls_to_end = 4
    ws = interrupted_batch_job(tmp_path / "vault", fake_anthropic, 40, batch_size=100)
    anthropic.Anthropic().messages.batches.retrieve(fake_anthropic.batch_ids()[0])
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def three_chunks_ws(tmp_path: Path, fake_anthropic: FakeAnthropic) -> Iterator[Workspace]:
    """30 notes in three chunks of 10: only the first batch was created before the crash."""
    fake_anthropic.batches_polls_to_end = 1
    ws = interrupted_batch_job(tmp_path / "vault", fake_anthropic, 30, batch_size=10)
    try:
        yield ws
    finally:
        ws.close()


def job_row(screen: object, job_id: int) -> list[str]:
    """The job's line on the jobs screen, as plain text."""
    assert isinstance(screen, JobsScreen)
    table = screen.query_one("#jobs-table", DataTable)
    return [cell.plain for cell in table.get_row(f"job-{job_id}")]


async def test_cancel_stops_the_batch_and_keeps_finished_answers(
    slow_batch_ws: Workspace, fake_anthropic: FakeAnthropic
) -> None:
    ws = slow_batch_ws
    job = jobs.latest_job(ws.store)
    assert job is not None and job.status == "running"
    batch_id = fake_anthropic.batch_ids()[0]
    async with running(ws) as pilot:
        await pilot.press("J")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, JobsScreen)
        assert job_row(screen, job.id)[1] == "running"
        await pilot.press("x")
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert fake_anthropic.requests_to("batches.cancel") == []  # nothing before the answer
        await pilot.press("y")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert job_row(screen, job.id)[1:5] == ["canceled", "40/40", "10", "30"]

    cancels = fake_anthropic.requests_to("batches.cancel")
    assert [(r.method, r.path, r.status) for r in cancels] == [
        ("POST", f"/v1/messages/batches/{batch_id}/cancel", 200)
    ]
    batch = fake_anthropic.batch_json(batch_id)
    assert batch["processing_status"] == "ended" and batch["cancel_initiated_at"]
    assert batch["request_counts"]["succeeded"] == 10
    assert batch["request_counts"]["canceled"] == 30
    assert creates(fake_anthropic) == 1

    after = jobs.get_job(ws.store, job.id)
    assert after is not None and after.status == "canceled"
    assert jobs.status_counts(ws.store, job.id) == {"succeeded": 10, "failed": 30}
    answered = {r.path for r in jobs.job_requests(ws.store, job.id, ["succeeded"])}
    kept = list_proposals(ws.store, ["pending"])
    assert len(kept) == 10 and {p.path for p in kept} == answered
    assert jobs.latest_job(ws.store) is None  # nothing left to resume


async def test_resume_finishes_the_job_without_sending_a_batch_twice(
    three_chunks_ws: Workspace, fake_anthropic: FakeAnthropic
) -> None:
    ws = three_chunks_ws
    job = jobs.latest_job(ws.store)
    assert job is not None
    first_batch = fake_anthropic.batch_ids()[0]
    async with running(ws) as pilot:
        await pilot.press("J")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, JobsScreen)
        await pilot.press("R")
        assert pilot.app.screen is screen  # in the background: the jobs screen stays
        await settle(pilot)
        summary = last_run_summary(pilot.app)
        assert f"Job {job.id}: done" in summary and "30 proposal(s)" in summary
        assert pilot.app.screen is screen
        assert job_row(screen, job.id)[1:5] == ["done", "30/30", "30", "0"]
        await pilot.press("x")  # a finished job cannot be canceled: no dialog, no request
        assert pilot.app.screen is screen

    assert creates(fake_anthropic) == 3  # one per chunk; the first one never sent again
    assert fake_anthropic.batch_ids()[0] == first_batch
    sent = [
        r["custom_id"]
        for create in fake_anthropic.requests_to("batches.create")
        for r in create.body["requests"]
    ]
    assert len(sent) == len(set(sent)) == 30
    assert fake_anthropic.requests_to("batches.cancel") == []

    after = jobs.get_job(ws.store, job.id)
    assert after is not None and after.status == "done"
    assert jobs.status_counts(ws.store, job.id) == {"succeeded": 30}
    mapped = {r.path for r in jobs.job_requests(ws.store, job.id)}
    assert {p.path for p in list_proposals(ws.store, ["pending"], job_id=job.id)} == mapped
    assert_each_note_got_its_own_answer(ws.root, 30)
