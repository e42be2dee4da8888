"""The Taxonomy screen at 80x24 (issue 10): approve, reject, edit a target, approve all
(asks first), apply (one run) and undo (every byte back). The real app, headless, on a copy
of the fixture vault; decisions are checked in the store and writes on disk."""

from __future__ import annotations

from pathlib import Path

import yaml
from textual.widgets import DataTable, Input

from tests.tui.conftest import running, settle, text_of
from vaultcurator.store.taxonomy import approved_plan, load_plan
from vaultcurator.tui.app import ReviewApp
from vaultcurator.tui.screens.modals import ConfirmScreen
from vaultcurator.tui.screens.taxonomy import TargetScreen, TaxonomyScreen
from vaultcurator.workspace import Workspace

SMALL = (80, 24)


def _has_tag(text: str, tag: str) -> bool:
    """Whether the note's tags property holds ``tag`` exactly as written."""
    try:
        front = yaml.safe_load(text.split("---")[1]) if text.startswith("---") else None
    except yaml.YAMLError:  # the fixture vault's broken note: never edited
        return False
    tags = (front.get("tags") if isinstance(front, dict) else None) or []
    return tag in (tags if isinstance(tags, list) else str(tags).replace(",", " ").split())


def _notes(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*.md")) if ".vaultcurator" not in p.parts}


async def test_taxonomy_screen_review_apply_undo_at_80x24(workspace: Workspace) -> None:
    before = _notes(workspace.root)
    async with running(workspace, SMALL) as pilot:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaxonomyScreen) and screen.plan is not None
        plan = screen.plan
        table = screen.query_one(DataTable)
        assert table.row_count == len(plan.renames) >= 4
        assert table.region.height > 3 and table.region.width <= SMALL[0]
        assert f"Plan v{plan.version}" in text_of(screen.query_one("#taxonomy-summary"))
        first, second, third = (r.old for r in plan.renames[:3])
        notes_line = text_of(screen.query_one("#taxonomy-notes"))
        assert notes_line.startswith(f"{first}: ")  # the notes the highlighted rename edits
        assert screen.query_one("#taxonomy-notes").region.bottom <= SMALL[1] - 1
        carriers = [p for p, d in before.items() if _has_tag(d.decode(errors="replace"), first)]
        for path in carriers[:2]:
            assert str(path.relative_to(workspace.root)) in notes_line

        await pilot.press("a")  # approve the first row; the cursor moves on
        await pilot.press("r")  # reject the second
        decided = load_plan(workspace.store, plan.id)
        assert decided is not None
        decisions = {r.old: r.decision for r in decided.renames}
        assert decisions[first] == "approved" and decisions[second] == "rejected"
        assert table.cursor_row == 2

        await pilot.press("e")  # edit the third row's target
        await settle(pilot)
        assert isinstance(app.screen, TargetScreen)
        field = app.screen.query_one(Input)
        field.value = "two words"
        await pilot.press("enter")
        assert isinstance(app.screen, TargetScreen)  # refused: not a tag
        field.value = "edited/target"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        edited = load_plan(workspace.store, plan.id)
        assert edited is not None
        row = next(r for r in edited.renames if r.old == third)
        assert (row.target, row.decision) == ("edited/target", "approved")

        await pilot.press("A")  # approve all: asks first
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        after_all = load_plan(workspace.store, plan.id)
        assert after_all is not None
        assert {r.decision for r in after_all.renames if r.old != second} == {"approved"}
        assert next(r for r in after_all.renames if r.old == second).decision == "rejected"

        await pilot.press("w")  # apply: asks first, then writes one run
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert screen.applied is not None and screen.applied.report is not None
        report = screen.applied.report
        assert report.ok and report.applied
        vocabulary = approved_plan(workspace.store)
        assert vocabulary is not None and vocabulary.apply_run_id == report.run_id
        written = [p for p, data in before.items() if p.read_bytes() != data]
        assert len(written) == len(report.applied)
        texts = "".join(p.read_text(encoding="utf-8") for p in written)
        assert "edited/target" in texts
        carrying = [p for p, d in before.items() if _has_tag(d.decode(errors="replace"), second)]
        assert carrying  # the rejected rename's notes still carry the tag as written
        assert all(_has_tag(p.read_bytes().decode(errors="replace"), second) for p in carrying)

        await pilot.press("u")  # undo: asks first, restores every byte
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert screen.undone is not None and len(screen.undone.restored) == len(written)
    assert _notes(workspace.root) == before


def test_diff_pane_shows_why_each_author_tag_leaves(workspace: Workspace) -> None:
    from rich.console import Console

    from vaultcurator.review.diff import proposal_diff
    from vaultcurator.store.proposals import add_proposal, get_proposal
    from vaultcurator.tui.render import diff_renderable

    pid = add_proposal(
        workspace.store,
        path="a.md",
        note_index=0,
        base_hash="h",
        engine="taxonomy",
        old_tags=["HUB", "gone", "kept"],
        new_tags=["hub", "kept"],
        tag_reasons={"HUB": "renamed to hub by the taxonomy plan", "gone": "replaced"},
    )
    proposal = get_proposal(workspace.store, pid)
    assert proposal is not None
    console = Console(width=80, record=True, color_system=None)
    console.print(diff_renderable(proposal_diff(proposal)))
    text = console.export_text()
    assert "− gone  replaced" in text
    assert "~ HUB  renamed to hub by the taxonomy plan" in text
