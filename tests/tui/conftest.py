"""Fixtures for the review TUI: a curated copy of the fixture vault and a deterministic app."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerFailed

from tests.curation.conftest import FAST, write_vault
from tests.curation.test_batch import run_cli
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.crash_cli import CRASH_EXIT_CODE
from tests.fakes.fixtures import fake_anthropic
from vaultcurator.domain.jobs import JobOptions
from vaultcurator.store.proposals import add_proposal
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.tui.app import ReviewApp, create_app
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace, open_workspace

__all__ = ["fake_anthropic"]  # the fake Anthropic server fixture, for the jobs tests

FIXED_NOW = 1_790_000_000.0
"""The clock every test app sees (elapsed / ETA on the jobs screen)."""
SIZE = (100, 30)

CURATED: dict[str, dict[str, object]] = {
    "Cooking/Recipes/Kimchi.md": {
        "new_tags": ["recipe", "fermentation", "cuisine/korean"],
        "new_description": "Napa cabbage kimchi: salting, paste and a week of fermentation.",
        "new_related": ["[[Fermentation Basics]]", "[[Sourdough Bread]]", "[[Miso Soup]]"],
    },
    "Finance/Index Funds.md": {
        "new_tags": ["finance/investing", "etf"],
        "new_description": "Low-cost, broad index funds, rebalanced once a year.",
    },
    "Gardening/Tomatoes.md": {
        "new_tags": ["gardening/vegetables", "tomatoes"],
        "new_description": "Growing tomatoes: starting indoors, pinching, watering, feeding.",
    },
    "Programming/Python/Type Hints.md": {
        "new_tags": ["programming/python", "typing"],
        "new_description": "Modern Python type hints: builtin generics, X | None, Protocols.",
    },
    "Reading/Books/Thinking, Fast and Slow.md": {
        "new_tags": ["books", "psychology", "decision-making"],
        "new_description": "Kahneman's two systems of thinking and the biases they cause.",
    },
}


@pytest.fixture(autouse=True)
def _deterministic_tui(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colours on (the root conftest sets NO_COLOR for CLI output), no animations."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
def workspace(vault_copy: Path) -> Iterator[Workspace]:
    ws = open_workspace(vault_copy)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def curated(workspace: Workspace) -> dict[str, int]:
    """Pending proposals for five notes, built from their real bytes; path -> proposal id."""
    return add_curated(workspace)


def add_curated(workspace: Workspace) -> dict[str, int]:
    """The ``curated`` fixture's proposals (also used to draw docs/review.svg)."""
    inventory = scan_vault(workspace.root, workspace.settings.scan, StoreScanCache(workspace.store))
    notes = inventory.by_path()
    ids: dict[str, int] = {}
    for path, change in CURATED.items():
        note = notes[path]
        new_related = change.get("new_related")
        old_related = note.frontmatter.get("related") if new_related is not None else None
        ids[path] = add_proposal(
            workspace.store,
            path=path,
            note_index=note.index,
            base_hash=note.hash,
            engine="local",
            old_tags=list(note.tags),
            new_tags=list(change["new_tags"]),  # type: ignore[call-overload]
            old_description=note.description,
            new_description=str(change["new_description"]),
            set_description=True,
            old_related=list(old_related) if isinstance(old_related, list) else None,
            new_related=list(new_related) if isinstance(new_related, list) else None,
        )
    return ids


def make_app(ws: Workspace) -> ReviewApp:
    app = create_app(ws, clock=lambda: FIXED_NOW, blink=False, live_jobs=False)
    app.animation_level = "none"
    return app


@pytest.fixture
def app_factory() -> Callable[[Workspace], ReviewApp]:
    return make_app


async def settle(pilot: Pilot[int]) -> None:
    """Wait until every worker finished and its messages were handled."""
    app = pilot.app
    for _ in range(200):
        # A failed worker is shown in the app's error dialog; tests assert on that.
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            await pilot.pause()
            return
    raise AssertionError("workers did not finish")


@asynccontextmanager
async def running(ws: Workspace, size: tuple[int, int] = SIZE) -> AsyncIterator[Pilot[int]]:
    """The real app, headless, with its proposals loaded into the table."""
    app = make_app(ws)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.loads_done >= 1
        yield pilot


def text_of(widget: object) -> str:
    """The plain text a Static (or Label) shows."""
    assert isinstance(widget, Static)
    out = io.StringIO()
    Console(file=out, width=200, no_color=True, legacy_windows=False).print(widget.content)
    return out.getvalue()


RunBefore = Callable[[Pilot[int]], Awaitable[None]]


def last_run_summary(app: object) -> str:
    """How the app's last background curation run ended: its title and summary lines."""
    assert isinstance(app, ReviewApp)
    assert app.last_run is not None, "no curation run ended"
    return "\n".join([app.last_run.title, *app.last_run.lines])


def make_batch_job(ws: Workspace) -> int:
    """A running batch job over three notes: two answered, one still processing.

    Built through the curation job store (as the batch engine would write it), with fixed
    timestamps so the jobs screen's elapsed / ETA are reproducible. Returns the job id.
    """
    from vaultcurator.domain.jobs import MapEntry
    from vaultcurator.domain.requests import CurationAnswer, RequestOutcome, Usage
    from vaultcurator.store import jobs
    from vaultcurator.store.ledger import JobLedger

    inventory = scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store))
    notes = [n for n in inventory.notes if n.path.startswith("Finance/")][:3]
    job = jobs.create_job(
        ws.store, engine="anthropic", mode="batch", model="claude-haiku-4-5", options=JobOptions()
    )
    entries = [
        MapEntry(f"n{n.index:06d}_note", n.index, n.path, n.hash, list(n.tags), n.description)
        for n in notes
    ]
    jobs.record_map(ws.store, job.id, entries)
    batch = jobs.begin_batch(ws.store, job.id, 0, 0, [e.custom_id for e in entries])
    jobs.batch_created(ws.store, batch.row, "msgbatch_test_0001", FIXED_NOW - 600)
    jobs.update_batch(ws.store, batch.row, counts={"processing": 1, "succeeded": 2, "errored": 0})
    jobs.set_job_status(ws.store, job.id, "running")
    ledger = JobLedger(ws.store, job, "anthropic", job.model)
    for entry in entries[:2]:
        ledger.record(
            RequestOutcome(
                entry.custom_id,
                "succeeded",
                answer=CurationAnswer(tags=["finance"], description="About money."),
                usage=Usage(input_tokens=1500, output_tokens=120),
                via_batch=True,
            )
        )
    ws.store.execute(
        "UPDATE jobs SET created_at = ?, updated_at = ? WHERE id = ?",
        (FIXED_NOW - 660, FIXED_NOW - 60, job.id),
    )
    ws.store.execute(
        "UPDATE batches SET submitted_at = ? WHERE id = ?", (FIXED_NOW - 600, batch.row)
    )
    return job.id


def interrupted_batch_job(
    root: Path, fake: FakeAnthropic, notes: int, *, batch_size: int
) -> Workspace:
    """A vault whose batch curation was killed right after its first batch was created.

    ``vaultcurator curate`` runs in a subprocess against the fake server with the crash hook,
    as the curation tests do: the job is left ``running`` with one live batch at the fake and
    the other chunks never sent. Returns the vault's workspace (the caller closes it).
    """
    vault = write_vault(root, notes)
    done = run_cli(
        vault,
        fake,
        "--mode",
        "batch",
        "--batch-size",
        str(batch_size),
        *FAST,
        crash="batch_created:1",
    )
    assert done.returncode == CRASH_EXIT_CODE, done.stderr
    assert len(fake.batch_ids()) == 1
    return open_workspace(vault)
