"""SVG snapshots of the main screen with a diff, the edit modal and the jobs screen.

Fixed data (the fixture vault, fixed proposals, a fixed clock), fixed size, no blinking, no
animation. Regenerate with ``--snapshot-update`` and look at the SVGs before keeping them.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from tests.tui.conftest import SIZE, make_app, make_batch_job, settle
from vaultcurator.workspace import Workspace

SnapCompare = Callable[..., bool]


async def _loaded(pilot: Pilot[int]) -> None:
    await settle(pilot)


async def _approved_first(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)


def test_main_screen_with_a_diff(
    snap_compare: SnapCompare, workspace: Workspace, curated: dict[str, int]
) -> None:
    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=_approved_first)


def test_edit_modal(
    snap_compare: SnapCompare, workspace: Workspace, curated: dict[str, int]
) -> None:
    async def open_edit(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=open_edit)


def test_jobs_screen(snap_compare: SnapCompare, workspace: Workspace) -> None:
    make_batch_job(workspace)

    async def open_jobs(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=open_jobs)


# -- issue 14: 80x24 first (and 120x36), the keys that matter in the footer -------------------

SMALL = (80, 24)
LARGE = (120, 36)


def test_main_screen_80x24(
    snap_compare: SnapCompare, workspace: Workspace, curated: dict[str, int]
) -> None:
    assert snap_compare(make_app(workspace), terminal_size=SMALL, run_before=_approved_first)


def test_main_screen_120x36(
    snap_compare: SnapCompare, workspace: Workspace, curated: dict[str, int]
) -> None:
    assert snap_compare(make_app(workspace), terminal_size=LARGE, run_before=_approved_first)


def test_preview_80x24(
    snap_compare: SnapCompare, workspace: Workspace, curated: dict[str, int]
) -> None:
    async def preview(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(make_app(workspace), terminal_size=SMALL, run_before=preview)


def test_help_80x24(
    snap_compare: SnapCompare, workspace: Workspace, curated: dict[str, int]
) -> None:
    async def help_(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.1)  # the grid's wrapped height settles the scrollbar

    assert snap_compare(make_app(workspace), terminal_size=SMALL, run_before=help_)


def test_jobs_screen_80x24(snap_compare: SnapCompare, workspace: Workspace) -> None:
    make_batch_job(workspace)

    async def open_jobs(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)

    assert snap_compare(make_app(workspace), terminal_size=SMALL, run_before=open_jobs)
