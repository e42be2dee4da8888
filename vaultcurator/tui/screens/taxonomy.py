"""The Taxonomy screen: review the vault-wide tag plan, then apply it (and undo it).

Each row is one rename with the notes it edits and the inline ``#tag`` uses that will remain.
Decisions are stored at once (the plan is versioned in the store): approve, reject, edit the
target, approve all (asks first). Apply (asks first) approves the plan with the approved
renames and writes them as one journaled run; undo (asks first) restores that run.

Workers call the core and post typed messages; their failures become the app's error dialog
through :class:`~vaultcurator.tui.messages.ActionFailed`. The screen never imports the app.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Static
from textual.worker import Worker, WorkerState

from vaultcurator.curation.tag_policy import obsidian_accepts
from vaultcurator.domain.taxonomy import Decision, TaxonomyPlan
from vaultcurator.pipeline import taxonomy as pipeline
from vaultcurator.pipeline.taxonomy import PlanApplied
from vaultcurator.review.undo import UndoSummary, undo_apply
from vaultcurator.store.taxonomy import load_plan
from vaultcurator.tui.messages import ActionFailed, ProposalsRequested
from vaultcurator.tui.screens.modals import ConfirmScreen
from vaultcurator.workspace import Workspace, scan

NOTES_SHOWN = 4
"""Paths listed under the table for the highlighted rename (the rest are counted)."""
MARKS: dict[str, tuple[str, str]] = {
    "approved": ("✓", "green"),
    "rejected": ("✗", "red"),
    "pending": ("·", "dim"),
}


class PlanLoaded(Message):
    def __init__(self, plan: TaxonomyPlan | None, notes_by_tag: dict[str, list[str]]) -> None:
        super().__init__()
        self.plan = plan
        self.notes_by_tag = notes_by_tag


class PlanApplyDone(Message):
    def __init__(self, applied: PlanApplied) -> None:
        super().__init__()
        self.applied = applied


class PlanUndoDone(Message):
    def __init__(self, summary: UndoSummary) -> None:
        super().__init__()
        self.summary = summary


class TargetScreen(ModalScreen[str | None]):
    """Edit one rename's target; dismisses with the new tag, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, old: str, target: str) -> None:
        super().__init__(classes="dialog-screen")
        self._old = old
        self._target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Rename {self._old} to:", classes="dialog-title")
            yield Input(self._target, id="target")
            yield Static("", id="target-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip().lstrip("#")
        if not obsidian_accepts(value):
            self.query_one("#target-error", Static).update(
                Text(f"{value!r} is not a tag Obsidian accepts", style="red")
            )
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TaxonomyScreen(Screen[None]):
    """The newest plan's renames; builds a local plan when the vault has none yet."""

    DEFAULT_CSS = """
    TaxonomyScreen #taxonomy-table { height: 1fr; }
    TaxonomyScreen #taxonomy-notes { height: 2; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('approved')", "Approve"),
        Binding("r", "decide('rejected')", "Reject"),
        Binding("e", "edit_target", "Edit"),
        Binding("A", "approve_all", "All"),
        Binding("w", "apply", "Apply"),
        Binding("u", "undo", "Undo"),
        Binding("b", "rebuild", "New plan", show=False),
        Binding("escape,q", "close", "Back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.ws = workspace
        self.plan: TaxonomyPlan | None = None
        self.applied: PlanApplied | None = None
        self.undone: UndoSummary | None = None
        self.notes_by_tag: dict[str, list[str]] = {}

    def compose(self) -> ComposeResult:
        yield Static("Loading the taxonomy plan…", id="taxonomy-summary")
        table: DataTable[Text | str] = DataTable(id="taxonomy-table", cursor_type="row")
        table.add_columns(" ", "Tag", "Becomes", "Notes", "Inline", "Why")
        yield table
        yield Static("", id="taxonomy-notes")
        yield Footer()

    def on_mount(self) -> None:
        self.load_plan(build=False)

    # -- workers (core calls off the UI thread) ------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="taxonomy")
    def load_plan(self, build: bool) -> None:
        notes = scan(self.ws).notes
        plan = None if build else load_plan(self.ws.store)
        if plan is None:
            plan = pipeline.build_plan(self.ws, notes, engine="local")
        by_tag: dict[str, list[str]] = {}
        for note in notes:
            if note.error is None:
                for tag in dict.fromkeys(note.tags):
                    by_tag.setdefault(tag, []).append(note.path)
        self.post_message(PlanLoaded(plan, by_tag))

    @work(thread=True, exclusive=True, exit_on_error=False, group="taxonomy")
    def apply_worker(self, plan: TaxonomyPlan) -> None:
        notes = scan(self.ws).notes
        approved = pipeline.approve(self.ws, plan, notes)
        self.post_message(PlanApplyDone(pipeline.apply_plan(self.ws, approved, notes)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="taxonomy")
    def undo_worker(self) -> None:
        self.post_message(PlanUndoDone(undo_apply(self.ws)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.post_message(ActionFailed("Taxonomy", error if error is not None else "failed"))

    # -- showing the plan ------------------------------------------------------------------------

    def on_plan_loaded(self, message: PlanLoaded) -> None:
        self.notes_by_tag = message.notes_by_tag
        self.show_plan(message.plan)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The notes the highlighted rename edits (their tags property holds the tag)."""
        old = event.row_key.value if event.row_key is not None else None
        paths = self.notes_by_tag.get(old or "", [])
        shown = ", ".join(paths[:NOTES_SHOWN]) + (
            f", … {len(paths) - NOTES_SHOWN} more" if len(paths) > NOTES_SHOWN else ""
        )
        self.query_one("#taxonomy-notes", Static).update(
            Text.assemble((f"{old}: ", "bold"), shown or "no note's tags property (inline only)")
            if old
            else ""
        )

    def show_plan(self, plan: TaxonomyPlan | None) -> None:
        self.plan = plan
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        summary = self.query_one("#taxonomy-summary", Static)
        if plan is None:
            summary.update("No taxonomy plan.")
            return
        counts = {d: sum(r.decision == d for r in plan.renames) for d in MARKS}
        summary.update(
            Text.assemble(
                (f"Plan v{plan.version} ({plan.engine}, {plan.state})", "bold"),
                f"  {len(plan.renames)} renames: ",
                (f"{counts['approved']} approved", "green"),
                ", ",
                (f"{counts['rejected']} rejected", "red"),
                f", {counts['pending']} pending",
            )
        )
        for rename in plan.renames:
            mark, style = MARKS[rename.decision]
            table.add_row(
                Text(mark, style=style),
                rename.old,
                rename.target,
                str(rename.notes),
                str(rename.inline_uses) if rename.inline_uses else "",
                rename.reason,
                key=rename.old,
            )
        if plan.renames:
            table.move_cursor(row=min(max(row, 0), len(plan.renames) - 1))

    def _current(self) -> str | None:
        if self.plan is None or not self.plan.renames:
            return None
        table = self.query_one(DataTable)
        return self.plan.renames[min(table.cursor_row, len(self.plan.renames) - 1)].old

    def _decide(
        self, decisions: dict[str, Decision], targets: dict[str, str] | None = None
    ) -> None:
        if self.plan is None:
            return
        try:
            self.show_plan(pipeline.decide(self.ws, self.plan, decisions, targets))
        except Exception as exc:  # a quick store call: its failure is the app's error dialog
            self.post_message(ActionFailed("Taxonomy", exc))

    # -- actions ---------------------------------------------------------------------------------

    def action_decide(self, decision: Decision) -> None:
        old = self._current()
        if old is not None:
            self._decide({old: decision})
            table = self.query_one(DataTable)
            table.move_cursor(row=table.cursor_row + 1)

    def action_edit_target(self) -> None:
        old = self._current()
        if old is None or self.plan is None:
            return
        rename = next(r for r in self.plan.renames if r.old == old)

        def done(target: str | None) -> None:
            if target:
                self._decide({old: "approved"}, {old: target})

        self.app.push_screen(TargetScreen(old, rename.target), done)

    def action_approve_all(self) -> None:
        if self.plan is None:
            return
        waiting = [r.old for r in self.plan.renames if r.decision == "pending"]
        if not waiting:
            self.notify("Every rename is already decided.", severity="warning")
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._decide(dict.fromkeys(waiting, "approved"))

        body = f"{len(waiting)} pending rename(s) will be approved; rejected ones stay rejected."
        self.app.push_screen(ConfirmScreen("Approve all renames?", body, yes="Approve"), done)

    def action_apply(self) -> None:
        plan = self.plan
        if plan is None or not plan.approved():
            self.notify("Approve renames first (a, or A for all).", severity="warning")
            return
        notes = sum(r.notes for r in plan.approved())
        body = (
            f"{len(plan.approved())} approved rename(s) become the vault's vocabulary and are "
            f"written to about {notes} note(s) in one run (u undoes it). Inline #tags are "
            "not edited."
        )

        def done(yes: bool | None) -> None:
            if yes:
                self.apply_worker(plan)

        self.app.push_screen(ConfirmScreen("Apply the taxonomy plan?", body, yes="Apply"), done)

    def on_plan_apply_done(self, message: PlanApplyDone) -> None:
        self.applied = message.applied
        report = message.applied.report
        written = 0 if report is None else len(report.applied)
        problems = 0 if report is None else len(report.conflicts) + len(report.failed)
        inline = sum(message.applied.inline_remaining.values())
        self.notify(
            f"Taxonomy applied: {written} note(s) written, {problems} left alone; "
            f"{inline} inline use(s) keep their old tag."
        )
        self.show_plan(message.applied.plan)
        self.post_message(ProposalsRequested())

    def action_undo(self) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                self.undo_worker()

        body = "The last apply run gets its notes' exact previous bytes back."
        self.app.push_screen(ConfirmScreen("Undo the last apply?", body, yes="Undo"), done)

    def on_plan_undo_done(self, message: PlanUndoDone) -> None:
        self.undone = message.summary
        self.notify(f"Undone: {len(message.summary.restored)} note(s) restored.")
        self.post_message(ProposalsRequested())

    def action_rebuild(self) -> None:
        self.load_plan(build=True)

    def action_close(self) -> None:
        self.dismiss(None)
