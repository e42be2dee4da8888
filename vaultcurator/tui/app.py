"""The review app: one factory (:func:`create_app`) for the CLI, the tests and the benchmark.

Workers live here, on the app, so that one handler (:meth:`ReviewApp.on_worker_state_changed`)
turns any worker failure into the error dialog. Every worker is a thread that calls the core
and posts a typed message (:mod:`vaultcurator.tui.messages`); handlers on the UI thread
update the screens.

Attributes down, messages up: the app builds its screens with what they need (the store,
blinking, the narrow width) and updates them through their own methods, never their widgets.
Screens never import this module: they post request messages (load, preview, jobs, an action
failed) that bubble up to the handlers here, and the app-wide commands are ``app.*`` actions
(``action_apply``, ``action_undo``…) named in the bindings of :mod:`vaultcurator.tui.keys`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from functools import cached_property, partial
from typing import ClassVar, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from vaultcurator.review.actions import ALL_STATES
from vaultcurator.review.apply import apply_proposals, count_for_apply
from vaultcurator.review.diff import note_preview, render_unified_diff
from vaultcurator.review.undo import undo_apply, undoable_run
from vaultcurator.store.journal import list_runs
from vaultcurator.store.proposals import Proposal, count_by_state, list_proposals
from vaultcurator.tui.jobs_model import jobs_snapshot
from vaultcurator.tui.keys import palette_entries
from vaultcurator.tui.messages import (
    ActionFailed,
    ApplyFinished,
    JobsRefreshed,
    JobsRequested,
    PreviewLoaded,
    PreviewRequested,
    ProposalsLoaded,
    ProposalsRequested,
    UndoFinished,
    WorkProgress,
)
from vaultcurator.tui.runs import RunsApp, StopRequested
from vaultcurator.tui.screens.jobs import JobsScreen
from vaultcurator.tui.screens.modals import (
    ConfirmScreen,
    ErrorScreen,
    HelpScreen,
    MessageScreen,
    ProgressScreen,
)
from vaultcurator.tui.screens.review import ReviewScreen
from vaultcurator.tui.screens.taxonomy import TaxonomyScreen
from vaultcurator.tui.summaries import apply_summary, undo_summary
from vaultcurator.workspace import Workspace

LOADED_STATES: tuple[str, ...] = tuple(s for s in ALL_STATES if s != "superseded")
"""Everything the table can show; superseded proposals are history, not review material."""
NARROW_BELOW = 110
"""Below this many columns the diff pane goes under the table instead of beside it."""
T = TypeVar("T")


class ReviewApp(RunsApp):
    """Review proposals, apply them, undo, start curation runs, watch jobs."""

    CSS_PATH = "app.tcss"
    TITLE = "vaultcurator"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        Binding("X", "cancel_run", "Cancel run", show=False),
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        clock: Callable[[], float] = time.time,
        blink: bool = True,
        live_jobs: bool = True,
    ) -> None:
        super().__init__()
        self.ws = workspace
        self.clock = clock
        """Time source for elapsed/ETA on the jobs screen (tests pass a fixed one)."""
        self.blink = blink
        """Blinking text cursors (tests turn it off for stable snapshots)."""
        self.live_jobs = live_jobs
        """Refresh the jobs screen every second (off for snapshots)."""
        self.narrow_below = NARROW_BELOW
        self.progress_screen: ProgressScreen | None = None
        self.loads_done = 0
        """How many proposal loads reached the table (tests and the benchmark wait on it)."""
        self.title = f"vaultcurator — {workspace.root.name}"

    def get_default_screen(self) -> Screen[None]:
        return self.review

    @cached_property
    def review(self) -> ReviewScreen:
        """The app's base screen (made once; the app calls its methods, never its widgets)."""
        return ReviewScreen(self.ws.store, blink=self.blink, narrow_below=self.narrow_below)

    # -- the one place worker failures become a dialog ------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        if isinstance(event.worker.error, StopRequested):
            return  # the user quit during a run: the job is left for resume
        error = event.worker.error
        self._close_progress()
        name = event.worker.name.replace("_", " ")
        self.show_error(f"{name} failed", error if error is not None else "unknown error")

    def show_error(self, title: str, error: BaseException | str) -> None:
        self.push_screen(ErrorScreen(title, error))

    def on_action_failed(self, message: ActionFailed) -> None:
        """A screen's quick core call failed."""
        self.show_error(message.title, message.error)

    def guard(self, what: str, action: Callable[[], T]) -> T | None:
        """Run a quick core call on the UI thread; a failure shows the error dialog."""
        try:
            return action()
        except Exception as exc:  # every failure is shown; the app keeps running
            self.show_error(what, exc)
            return None

    def _open_progress(self, title: str) -> ProgressScreen:
        self._close_progress()
        self.progress_screen = ProgressScreen(title)
        self.push_screen(self.progress_screen)
        return self.progress_screen

    def _close_progress(self) -> None:
        screen = self.progress_screen
        self.progress_screen = None
        if screen is not None and screen.is_attached and not screen.finished:
            screen.dismiss(None)

    def _finish_progress(self, title: str, summary: RenderableType) -> None:
        screen = self.progress_screen
        if screen is not None and screen.is_attached:
            screen.finish(title, summary)
        else:
            self.push_screen(MessageScreen(title, summary))

    # -- loading --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load_proposals(self) -> None:
        self.post_message(ProposalsLoaded(list_proposals(self.ws.store, LOADED_STATES)))

    def on_proposals_requested(self, message: ProposalsRequested) -> None:
        self.load_proposals()

    def on_proposals_loaded(self, message: ProposalsLoaded) -> None:
        self.review.show_proposals(message.proposals)
        self.loads_done += 1

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def load_preview(self, proposal: Proposal) -> None:
        rendered = render_unified_diff(
            self.ws.root, proposal, related_key=self.ws.settings.links.property
        )
        note = rendered.error or ""
        if rendered.stale and not rendered.error:
            note = "The note changed since this proposal was made: apply would mark a conflict."
        body = note_preview(self.ws.root, proposal.path)  # path-checked, never raises
        self.post_message(PreviewLoaded(proposal.id, rendered.text, note, body))

    def on_preview_requested(self, message: PreviewRequested) -> None:
        self.load_preview(message.proposal)

    def on_preview_loaded(self, message: PreviewLoaded) -> None:
        self.review.show_preview(message)

    # -- apply ----------------------------------------------------------------------------------

    def action_apply(self) -> None:
        store = self.ws.store
        counts = self.guard("Apply failed", lambda: count_by_state(store))
        todo = self.guard("Apply failed", lambda: count_for_apply(store))
        if counts is None or todo is None:
            return
        if not todo:
            self.notify(
                "Nothing approved to apply. Approve proposals with a or A first.",
                severity="warning",
            )
            return
        body = Text.assemble(
            (f"{todo} approved proposal(s)", "bold green"),
            " will be written to their notes.\n",
            f"{counts.get('pending', 0)} pending and {counts.get('rejected', 0)} rejected "
            "stay as they are.\n\n",
            (
                "A note changed since its proposal becomes a conflict and is left untouched. "
                "u undoes the whole run.",
                "dim",
            ),
        )
        self.push_screen(
            ConfirmScreen("Apply approved proposals?", body, yes=f"Apply {todo}"),
            self._apply_confirmed,
        )

    def _apply_confirmed(self, yes: bool | None) -> None:
        if yes:
            self._open_progress("Applying approved proposals…")
            self.apply_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def apply_worker(self) -> None:
        report = apply_proposals(self.ws, progress=self._progress_poster())
        self.post_message(ApplyFinished(report))

    def _progress_poster(self) -> Callable[[int, int], None]:
        """A thread-side progress callback that posts at most ~100 messages per run."""
        last = [-1]

        def post(done: int, total: int) -> None:
            step = max(1, total // 100)
            if done == total or done - last[0] >= step or done == 0:
                last[0] = done
                self.post_message(WorkProgress(done, total))

        return post

    def on_work_progress(self, message: WorkProgress) -> None:
        screen = self.progress_screen
        if screen is not None and screen.is_attached and not screen.finished and message.done >= 0:
            screen.set_progress(message.done, message.total, message.detail)

    def on_apply_finished(self, message: ApplyFinished) -> None:
        self._finish_progress(*apply_summary(message.report))
        self.load_proposals()

    # -- undo -----------------------------------------------------------------------------------

    def action_undo(self) -> None:
        store = self.ws.store
        run_id = self.guard("Undo failed", lambda: undoable_run(store))
        if run_id is None:
            self.notify("No apply run to undo.", severity="warning")
            return
        runs = self.guard("Undo failed", lambda: list_runs(store))
        info = next((r for r in runs or [] if r.id == run_id), None)
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.started_at)) if info else "?"
        writes = info.writes if info else 0
        body = Text.assemble(
            f"Apply run #{run_id} ({when}) wrote ",
            (f"{writes} note(s)", "bold"),
            ".\n",
            "Each note gets back its exact previous bytes; a note edited since is a conflict "
            "and is left alone.",
        )
        self.push_screen(
            ConfirmScreen("Undo the last apply?", body, yes="Undo"), self._undo_confirmed
        )

    def _undo_confirmed(self, yes: bool | None) -> None:
        if yes:
            self._open_progress("Undoing the last apply…")
            self.undo_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def undo_worker(self) -> None:
        self.post_message(UndoFinished(undo_apply(self.ws)))

    def on_undo_finished(self, message: UndoFinished) -> None:
        self._finish_progress(*undo_summary(message.summary))
        self.load_proposals()

    # -- curation runs (background: see tui/runs.py) and jobs ------------------------------------

    def reload_after_run(self) -> None:
        self.load_proposals()
        if any(isinstance(screen, JobsScreen) for screen in self.screen_stack):
            self.refresh_jobs()

    def action_jobs(self) -> None:
        if not isinstance(self.screen, JobsScreen):
            self.push_screen(JobsScreen(live=self.live_jobs, run_status=self.run_status_text()))

    def action_taxonomy(self) -> None:
        if not isinstance(self.screen, TaxonomyScreen):
            self.push_screen(TaxonomyScreen(self.ws))

    @work(thread=True, exclusive=True, exit_on_error=False, group="jobs")
    def refresh_jobs(self) -> None:
        self.post_message(JobsRefreshed(jobs_snapshot(self.ws.store, self.clock())))

    def on_jobs_requested(self, message: JobsRequested) -> None:
        self.refresh_jobs()
        self.show_run_status()  # the live jobs screen ticks every second: so does the timer

    def on_jobs_refreshed(self, message: JobsRefreshed) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, JobsScreen):
                screen.show(message.snapshot)

    # -- help and the command palette -----------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        review = self.review
        for title, help_text, action in palette_entries():
            yield SystemCommand(title, help_text, partial(review.run_action, action))


def create_app(
    workspace: Workspace,
    *,
    clock: Callable[[], float] = time.time,
    blink: bool = True,
    live_jobs: bool = True,
) -> ReviewApp:
    """The app for ``workspace``; tests pass a fixed clock and turn blinking off."""
    return ReviewApp(workspace, clock=clock, blink=blink, live_jobs=live_jobs)


def run_app(workspace: Workspace) -> int:
    """Run the review UI in the terminal until the user quits; returns the exit status."""
    app = create_app(workspace)
    result = app.run()
    left = app.abandoned_run
    if left is not None and left.thread.is_alive():
        left.thread.join(timeout=1.0)  # a run between two events stops at once
        print(
            "vaultcurator: the curation job was left running; "
            f"`vaultcurator resume {workspace.root}` fetches the rest.",
            file=sys.stderr,
        )
    return int(result or 0)


__all__ = ["LOADED_STATES", "ReviewApp", "create_app", "run_app"]
