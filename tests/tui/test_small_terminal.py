"""Issue 14 at 80x24: the keys that matter are in the footer, the preview and the help are
usable, long paths stay distinguishable, the jobs columns fit; bulk approve respects the
reviewer's rejections; the curate dialog prices the choice and starts on the local engine
when there is no API key. The real app, headless, on a copy of the fixture vault."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer, Select

from tests.tui.conftest import FIXED_NOW, make_batch_job, running, settle, text_of
from vaultcurator.store import jobs
from vaultcurator.store.proposals import add_proposal, get_proposal
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.tui.app import ReviewApp
from vaultcurator.tui.jobs_model import jobs_snapshot
from vaultcurator.tui.render import middle_ellipsis
from vaultcurator.tui.screens.curate import CurateScreen
from vaultcurator.tui.screens.jobs import JobsScreen
from vaultcurator.tui.screens.modals import ConfirmScreen, HelpScreen
from vaultcurator.tui.screens.review import ReviewScreen
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace

SMALL = (80, 24)
KIMCHI = "Cooking/Recipes/Kimchi.md"
FUNDS = "Finance/Index Funds.md"


def screen_text(app: ReviewApp) -> list[str]:
    """What the terminal shows, line by line (the app's own screenshot, as plain text)."""
    return [
        "".join(segment.text for segment in line)
        for line in app.screen._compositor.render_update(full=True).strips  # type: ignore[attr-defined]
    ]


async def test_footer_shows_jobs_help_and_quit_at_80x24(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace, SMALL) as pilot:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        footer = app.screen.query_one(Footer)
        bottom = screen_text(app)[-1]
        assert footer.region.y == SMALL[1] - 1
        for key, label in (("J", "Jobs"), ("?", "Help"), ("q", "Quit"), ("a", "Approve")):
            assert f"{key} {label}" in bottom, bottom


async def test_preview_is_on_screen_at_80x24(workspace: Workspace, curated: dict[str, int]) -> None:
    async with running(workspace, SMALL) as pilot:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        await pilot.press("p")
        await settle(pilot)
        preview = app.review.diff_pane.query_one("#preview")
        assert preview.display and preview.region.height > 0
        pane = app.review.diff_pane.region
        assert pane.y <= preview.region.y < pane.bottom  # starts inside the visible pane
        shown = "\n".join(screen_text(app))
        assert "What apply would write" in shown and "+++ b/Cooking/Recipes/Kimchi.md" in shown
        await pilot.press("p")
        assert "What apply would write" not in "\n".join(screen_text(app))


async def test_help_scrolls_with_arrows_without_tab(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace, SMALL) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        scroll = help_screen.query_one("#help-scroll")
        assert scroll.max_scroll_y > 0  # more keys than fit at 80x24
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ReviewScreen)


@pytest.mark.parametrize(
    ("path", "width", "shown"),
    [
        ("Reading/Books/Thinking, Fast and Slow.md", 36, "Reading/…/Thinking, Fast and Slow.md"),
        ("short.md", 36, "short.md"),
        ("Projects/2024/meeting notes 2024-01-05.md", 20, "…eting notes 2024-01-05.md"[-20:]),
    ],
)
def test_middle_ellipsis_keeps_the_file_name(path: str, width: int, shown: str) -> None:
    cut = middle_ellipsis(path, width)
    assert len(cut) <= width
    assert cut.endswith(path[-8:])  # the end of the name, which tells notes apart
    if len(path) <= width:
        assert cut == path
    if "/" in shown and "…" in shown:
        assert cut == shown


async def test_long_paths_stay_distinguishable_in_the_table(workspace: Workspace) -> None:
    inventory = scan_vault(workspace.root, workspace.settings.scan, StoreScanCache(workspace.store))
    note = inventory.by_path()[KIMCHI]
    folder = "Archive/Old projects/Client work/Meetings/Weekly"
    paths = [f"{folder}/meeting notes 2024-01-0{i}.md" for i in (5, 6)]
    for path in paths:  # proposals for long-named notes (the table shows store rows)
        add_proposal(
            workspace.store,
            path=path,
            note_index=note.index,
            base_hash=note.hash,
            engine="local",
            new_tags=["meeting"],
        )
    async with running(workspace, SMALL) as pilot:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        table = app.review.table.region
        text = "\n".join(screen_text(app)[table.y : table.bottom])
        for path in paths:
            assert path not in text  # too long for the column...
            assert path.rsplit("/", 1)[1] in text  # ...but the file names are whole


async def test_jobs_columns_fit_80_columns(workspace: Workspace) -> None:
    job_id = make_batch_job(workspace)
    async with running(workspace, SMALL) as pilot:
        await pilot.press("J")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, JobsScreen)
        table = screen.query_one("#jobs-table", DataTable)
        assert table.virtual_size.width <= table.size.width  # no column cut off
        lines = screen_text(pilot.app)  # type: ignore[arg-type]
        header = next(line for line in lines if "Job / batch" in line)
        for label in ("State", "Done", "Elapsed", "ETA", "Cost"):
            assert label in header
        row = next(line for line in lines if f"Job {job_id} · batch" in line)
        assert "5m30s" in row and "$0.0" in row


def test_jobs_eta_comes_from_the_batch_counts_before_results_are_fetched(
    workspace: Workspace,
) -> None:
    """A batch half done at the API (its requests not fetched yet) already has an ETA."""
    from vaultcurator.domain.jobs import JobOptions, MapEntry

    inventory = scan_vault(workspace.root, workspace.settings.scan, StoreScanCache(workspace.store))
    notes = [n for n in inventory.notes if n.status == "ok"][:4]
    store = workspace.store
    job = jobs.create_job(
        store, engine="anthropic", mode="batch", model="claude-haiku-4-5", options=JobOptions()
    )
    entries = [MapEntry(f"n{n.index:06d}_x", n.index, n.path, n.hash, [], None) for n in notes]
    jobs.record_map(store, job.id, entries)
    batch = jobs.begin_batch(store, job.id, 0, 0, [e.custom_id for e in entries])
    jobs.batch_created(store, batch.row, "msgbatch_eta", FIXED_NOW - 100)
    jobs.update_batch(store, batch.row, counts={"processing": 2, "succeeded": 2, "errored": 0})
    jobs.set_job_status(store, job.id, "running")
    store.execute("UPDATE jobs SET created_at = ? WHERE id = ?", (FIXED_NOW - 100, job.id))
    store.execute("UPDATE batches SET submitted_at = ? WHERE id = ?", (FIXED_NOW - 100, batch.row))
    view = jobs_snapshot(store, FIXED_NOW).jobs[0]
    assert view.done == 0  # no request has its result yet...
    assert view.eta == pytest.approx(100.0)  # ...but half the batch is done after 100 s


async def test_bulk_approve_leaves_rejected_alone_and_apply_never_writes_them(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    kimchi = workspace.root / KIMCHI
    original = kimchi.read_bytes()
    async with running(workspace, SMALL) as pilot:
        await pilot.press("r")  # reject Kimchi (the first row)
        assert get_proposal(workspace.store, curated[KIMCHI]).state == "rejected"  # type: ignore[union-attr]
        await pilot.press("A")
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Approve 4 pending proposal(s)?" in text_of(confirm.query_one(".dialog-title"))
        body = text_of(confirm.query_one(".dialog-body"))
        assert "4 pending proposal(s) become approved" in body
        assert "1 rejected stay rejected" in body
        await pilot.press("n")  # declined: nothing changed
        assert {get_proposal(workspace.store, pid).state for pid in curated.values()} == {  # type: ignore[union-attr]
            "pending",
            "rejected",
        }
        await pilot.press("A", "y")
        states = {p: get_proposal(workspace.store, pid).state for p, pid in curated.items()}  # type: ignore[union-attr]
        assert states.pop(KIMCHI) == "rejected"
        assert set(states.values()) == {"approved"}
        await pilot.press("w", "y")
        await settle(pilot)
    assert kimchi.read_bytes() == original  # the rejected note was not written
    assert b"finance/investing" in (workspace.root / FUNDS).read_bytes()
    assert get_proposal(workspace.store, curated[KIMCHI]).state == "rejected"  # type: ignore[union-attr]


async def test_bulk_approve_with_nothing_pending_only_says_so(
    workspace: Workspace, curated: dict[str, int]
) -> None:
    async with running(workspace, SMALL) as pilot:
        for _ in curated:
            await pilot.press("r")
        await pilot.press("A")
        assert isinstance(pilot.app.screen, ReviewScreen)  # no dialog, nothing approved
    assert {get_proposal(workspace.store, pid).state for pid in curated.values()} == {"rejected"}  # type: ignore[union-attr]


async def test_curate_dialog_defaults_to_local_without_a_key_and_shows_an_estimate(
    workspace: Workspace, curated: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    async with running(workspace, SMALL) as pilot:
        await pilot.press("c")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CurateScreen)
        assert dialog.query_one("#engine", Select).value == "local"
        assert "No ANTHROPIC_API_KEY" in text_of(dialog.query_one("#no-key"))
        estimate = text_of(dialog.query_one("#estimate"))
        assert "note(s) · local engine: free" in estimate
        dialog.query_one("#engine", Select).value = "anthropic"  # priced even without a key
        await settle(pilot)
        priced = text_of(dialog.query_one("#estimate"))
        assert "batch ≈ $" in priced and "real time ≈ $" in priced
        assert "claude-" in priced
        await pilot.click("#start")  # Claude without a key: refused in the dialog
        assert pilot.app.screen is dialog
        assert "No ANTHROPIC_API_KEY" in text_of(dialog.query_one("#curate-error"))


def test_estimate_counts_the_notes_of_the_chosen_scope(
    workspace: Workspace, tmp_path: Path
) -> None:
    from vaultcurator.tui.runs import estimate_line
    from vaultcurator.tui.screens.curate import CurateRequest

    whole = estimate_line(workspace, CurateRequest("all", None, "local", "auto"))
    folder = estimate_line(workspace, CurateRequest("folder", "Cooking/**", "local", "auto"))
    count = int(whole.split(" ", 1)[0])
    assert 0 < int(folder.split(" ", 1)[0]) < count


def test_run_line_eta_comes_from_the_observed_pace() -> None:
    from vaultcurator.tui.runs import RunState

    state = RunState(title="Curating all notes (anthropic)", started_at=1000.0, total=40)
    assert state.eta(1010.0) is None  # nothing answered yet: no guess
    state.done = 10
    assert state.eta(1030.0) == pytest.approx(90.0)  # 10 in 30 s: 30 more take 90 s
    line = state.line(1030.0)
    assert line.startswith("Curating all notes (anthropic) · 10/40 · 30s · ETA 1m30s")
    assert "X cancel" in line and len(line) <= 80
