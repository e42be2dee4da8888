"""Curation runs in the background: ``c`` (start), ``C`` (re-curate conflicts), ``R`` on the
jobs screen (resume), ``X`` (cancel, from any screen) and a quit that asks while a run is on.

A run's work goes on a daemon thread, not a Textual thread worker: Textual's thread workers
run on the event loop's default executor, which the interpreter joins at exit, so quitting
during a batch poll used to leave a blank screen until the poll ended. The job is persisted
step by step (the curation core's promise: a crash loses nothing, ``resume`` picks it up), so
the thread may be abandoned when the user quits. An async Textual worker awaits the thread's
future, so a failure still reaches the app's one error dialog, and the thread only posts
messages (:class:`~vaultcurator.tui.messages.RunProgress`, ``CurationFinished``).

While a run is on, the review screen stays usable; the run's line (``#run-status``) on the
review and jobs screens shows its progress, elapsed time and an ETA from the throughput seen
so far, and the jobs screen its batches.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App
from textual.message import Message
from textual.timer import Timer

from vaultcurator.config import engine_name, mode_name
from vaultcurator.domain.progress import BatchStatus, NoteDone, Notice, ProgressEvent, RoundStarted
from vaultcurator.review.apply import recurate_candidates
from vaultcurator.tui.jobs_model import format_duration
from vaultcurator.tui.messages import (
    CurationFinished,
    EstimateReady,
    EstimateRequested,
    JobActionDone,
    JobCancelRequested,
    JobResumeRequested,
    RunProgress,
)
from vaultcurator.tui.screens.curate import CurateRequest, CurateScreen
from vaultcurator.tui.screens.modals import ConfirmScreen
from vaultcurator.tui.summaries import curation_summary

if TYPE_CHECKING:
    from vaultcurator.workspace import Workspace

QUIT_TITLE = "Quit while a curation run is on?"
API_KEY_ENV = "ANTHROPIC_API_KEY"
"""Checked by name only (the key is never read here); the SDK loads only when a run starts."""


class StopRequested(KeyboardInterrupt):
    """Raised inside the run's progress callback once the user quit: the job runner treats it
    as Ctrl-C (the job is left ``interrupted``, every finished answer kept)."""


@dataclasses.dataclass(slots=True)
class RunState:
    """What the run's line shows; updated on the UI thread from :class:`RunProgress`."""

    title: str
    started_at: float
    done: int = 0
    total: int = 0
    detail: str = ""
    canceling: bool = False

    def eta(self, now: float) -> float | None:
        """Seconds left at the throughput observed so far (None before the first answer)."""
        elapsed = now - self.started_at
        if self.done <= 0 or self.total <= 0 or self.done >= self.total or elapsed <= 0:
            return None
        return elapsed * (self.total - self.done) / self.done

    def line(self, now: float) -> str:
        """One line, short enough for 80 columns."""
        parts = [self.title]
        if self.total:
            parts.append(f"{self.done}/{self.total}")
        if self.detail:
            parts.append(self.detail)
        parts.append(format_duration(now - self.started_at))
        eta = self.eta(now)
        if eta is not None:
            parts.append(f"ETA {format_duration(eta)}")
        if self.canceling:
            parts.append("canceling…")
        return " · ".join(parts) + "   X cancel · J jobs"


class BackgroundRun:
    """One curation (or resume) on a daemon thread; ``stop`` ends it at its next event."""

    def __init__(
        self,
        title: str,
        work: Callable[[Callable[[ProgressEvent], None]], Message],
        post: Callable[[Message], object],
        now: float,
    ) -> None:
        self.state = RunState(title=title, started_at=now)
        self.stop = threading.Event()
        self.future: concurrent.futures.Future[Message] = concurrent.futures.Future()
        self._work = work
        self._post = post
        self._last_post = 0.0
        self.thread = threading.Thread(target=self._main, name="vaultcurator-run", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _main(self) -> None:
        try:
            result = self._work(self._on_event)
        except BaseException as exc:  # handed to the awaiting worker: the error dialog shows it
            with contextlib.suppress(concurrent.futures.InvalidStateError):  # app gone
                self.future.set_exception(exc)
            return
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            self.future.set_result(result)

    def _on_event(self, event: ProgressEvent) -> None:
        """Thread side: events become messages (at most ~10 a second for note events)."""
        if self.stop.is_set():
            raise StopRequested
        if isinstance(event, NoteDone):
            now = time.monotonic()
            if event.done < event.total and now - self._last_post < 0.1:
                return
            self._last_post = now
            self._post(RunProgress(event.done, event.total, ""))
        elif isinstance(event, BatchStatus):
            detail = f"batch {event.chunk_no + 1} {event.processing_status}"
            self._post(RunProgress(event.done, event.total, detail))
        elif isinstance(event, RoundStarted):
            self._post(RunProgress(0, event.count, f"{event.mode}"))
        elif isinstance(event, Notice):
            self._post(RunProgress(-1, 0, event.text))


class RunsApp(App[int]):
    """The app's curation-run half (the review app derives from it)."""

    ws: Workspace
    clock: Callable[[], float]
    blink: bool
    current_run: BackgroundRun | None = None
    """The curation run on now, if any."""
    last_run: CurationFinished | None = None
    """How the last run ended (its summary is also notified)."""
    abandoned_run: BackgroundRun | None = None
    """A run the user quit during (its thread may still be ending; ``run_app`` says so)."""
    _ticker: Timer | None = None

    # -- starting ------------------------------------------------------------------------------

    def _curate_screen(self, conflicts: list[str] | None = None) -> CurateScreen:
        settings = self.ws.settings.curation
        return CurateScreen(
            engine=settings.engine,
            mode=settings.mode,
            blink=self.blink,
            conflicts=conflicts or (),
            has_key=bool(os.environ.get(API_KEY_ENV)),
        )

    def on_estimate_requested(self, message: EstimateRequested) -> None:
        if isinstance(message.request, CurateRequest):
            self.estimate_worker(message.request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="estimate")
    def estimate_worker(self, request: CurateRequest) -> None:
        """The curate dialog's cost line for its current choice (nothing is sent)."""
        text = estimate_line(self._workspace_for(request), request)
        self.post_message(EstimateReady(request, text))

    def on_estimate_ready(self, message: EstimateReady) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, CurateScreen):
                screen.show_estimate(message.request, message.text)

    def _refuse_second_run(self) -> bool:
        if self.current_run is not None:
            self.notify("A curation run is on (J shows it; X cancels it).", severity="warning")
            return True
        return False

    def action_curate(self) -> None:
        if not self._refuse_second_run():
            self.push_screen(self._curate_screen(), self._curation_chosen)

    def action_recurate(self) -> None:
        """``C``: the curate modal, preset to the conflicted notes that still need a proposal."""
        if self._refuse_second_run():
            return
        try:
            paths = recurate_candidates(self.ws.store)
        except Exception as exc:  # shown; the app keeps running
            self.show_error("Re-curation failed", exc)
            return
        if not paths:
            self.notify("No conflicted notes to re-curate.")
            return
        self.push_screen(self._curate_screen(paths), self._curation_chosen)

    def show_error(self, title: str, error: BaseException | str) -> None:
        raise NotImplementedError  # the review app shows its error dialog

    def _curation_chosen(self, request: CurateRequest | None) -> None:
        if request is None:
            return
        scope = {"changed": "changed notes", "all": "all notes"}.get(
            request.scope, f"{request.folder}"
        )
        if request.paths is not None:
            scope = f"{len(request.paths)} conflicted"
        ws = self._workspace_for(request)

        def work(progress: Callable[[ProgressEvent], None]) -> Message:
            from vaultcurator.pipeline.run import CurateOptions, DryRun, run_curation

            options = CurateOptions(
                all_notes=request.all_notes, only=request.only, paths=request.paths
            )
            report = run_curation(ws, options, progress)
            assert not isinstance(report, DryRun)
            return CurationFinished(*curation_summary(report))

        self._start_run(f"Curating {scope} ({request.engine})", work)

    def _workspace_for(self, request: CurateRequest) -> Workspace:
        curation = dataclasses.replace(
            self.ws.settings.curation,
            engine=engine_name(request.engine),
            mode=mode_name(request.mode),
        )
        settings = dataclasses.replace(self.ws.settings, curation=curation)
        return dataclasses.replace(self.ws, settings=settings)

    def _start_run(
        self, title: str, work: Callable[[Callable[[ProgressEvent], None]], Message]
    ) -> None:
        run = BackgroundRun(title, work, self.post_message, self.clock())
        self.current_run = run
        run.start()
        self.await_run(run)
        if self._ticker is None:  # the run's line shows a live elapsed time
            self._ticker = self.set_interval(1.0, self.show_run_status)
        self.notify(f"{title}: running in the background. J shows it, X cancels it.")
        self.show_run_status()

    @work(exclusive=True, exit_on_error=False, group="run")
    async def await_run(self, run: BackgroundRun) -> None:
        try:
            message = await asyncio.wrap_future(run.future)
        finally:
            if self.current_run is run:
                self.current_run = None
                self.show_run_status()
        self.post_message(message)

    # -- progress --------------------------------------------------------------------------------

    def on_run_progress(self, message: RunProgress) -> None:
        run = self.current_run
        if run is None:
            return
        state = run.state
        if message.done >= 0:
            state.done, state.total = message.done, message.total
        if message.detail:
            state.detail = message.detail
        self.show_run_status()

    def run_status_text(self) -> str | None:
        return None if self.current_run is None else self.current_run.state.line(self.clock())

    def show_run_status(self) -> None:
        """Hand the run's line to every screen that shows one (review and jobs screens)."""
        text = self.run_status_text()
        for screen in self.screen_stack:
            show = getattr(screen, "show_run", None)
            if callable(show):
                show(text)

    def on_curation_finished(self, message: CurationFinished) -> None:
        self.last_run = message
        detail = "\n".join(message.lines[:4])
        failed = "failures" in message.title
        self.notify(
            detail, title=message.title, severity="warning" if failed else "information", timeout=12
        )
        self.post_message(_Reload())

    def on__reload(self, message: _Reload) -> None:
        """After a run: new proposals into the table, and the jobs screen up to date."""
        self.reload_after_run()

    def reload_after_run(self) -> None:
        raise NotImplementedError  # the review app reloads its table and jobs screen

    # -- cancel and resume -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.current_run is not None
        return True

    def action_cancel_run(self) -> None:
        """``X``: cancel the running job from any screen (asks first)."""
        from vaultcurator.store.jobs import latest_job

        job = latest_job(self.ws.store)
        if self.current_run is None or job is None:
            self.notify("No curation run to cancel.", severity="warning")
            return
        self.post_message(JobCancelRequested(job.id))

    def on_job_cancel_requested(self, message: JobCancelRequested) -> None:
        from vaultcurator.store.jobs import latest_job

        job_id = message.job_id
        job = latest_job(self.ws.store)
        if job is None or job.id != job_id:
            self.notify("Only the newest unfinished job can be canceled.", severity="warning")
            return
        body = Text(
            f"Job {job_id}: its running batches are canceled; answers already completed are "
            "kept as proposals."
        )
        self.push_screen(
            ConfirmScreen(f"Cancel job {job_id}?", body, yes="Cancel job"),
            self._cancel_confirmed,
        )

    def _cancel_confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        if self.current_run is not None:
            self.current_run.state.canceling = True
            self.show_run_status()
        self.notify("Canceling the job's batches…")
        self.cancel_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group="cancel")
    def cancel_worker(self) -> None:
        from vaultcurator.pipeline.resume import cancel_job

        report = cancel_job(self.ws)
        text = f"Job {report.job_id} canceled: {report.kept} answer(s) kept"
        if report.still_canceling:
            text += f"; {len(report.still_canceling)} batch(es) still ending (resume fetches them)"
        self.post_message(JobActionDone(text))

    def on_job_action_done(self, message: JobActionDone) -> None:
        self.notify(message.text)
        self.reload_after_run()

    def on_job_resume_requested(self, message: JobResumeRequested) -> None:
        from vaultcurator.store.jobs import latest_job

        if self._refuse_second_run():
            return
        job_id = message.job_id
        job = latest_job(self.ws.store)
        if job is None or job.id != job_id:
            self.notify("Only the newest unfinished job can be resumed.", severity="warning")
            return
        ws = self.ws

        def work(progress: Callable[[ProgressEvent], None]) -> Message:
            from vaultcurator.pipeline.resume import resume_job

            return CurationFinished(*curation_summary(resume_job(ws, progress)))

        self._start_run(f"Resuming job {job_id}", work)

    # -- quitting ------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit at once, unless a run is on: then ask, and say what happens to its job."""
        if self.current_run is None or isinstance(self.screen, _QuitConfirm):
            self._abandon_run()
            self.exit(0)
            return
        self.push_screen(_QuitConfirm(self._quit_body()), self._quit_confirmed)

    def _quit_body(self) -> Text:
        from vaultcurator.store.jobs import LIVE_BATCH_STATES, job_batches, latest_job

        job = latest_job(self.ws.store)
        name = f"Job {job.id}" if job is not None else "The job"
        batches = job is not None and bool(job_batches(self.ws.store, job.id, LIVE_BATCH_STATES))
        vault = self.ws.root
        if batches:
            what = f"{name}'s batch keeps running at Anthropic; its answers are not lost."
        else:
            what = f"{name} stops here; the notes answered so far keep their proposals."
        return Text.assemble(
            what,
            "\n\n",
            ("vaultcurator resume ", "bold"),
            (str(vault), "bold"),
            " (or R on the jobs screen next time) fetches the rest.\n\n",
            ("ctrl+q again quits at once.", "dim"),
        )

    def _quit_confirmed(self, yes: bool | None) -> None:
        if yes:
            self._abandon_run()
            self.exit(0)

    def _abandon_run(self) -> None:
        """The run stops at its next event; a thread blocked in a poll is left to the exit."""
        if self.current_run is not None:
            self.current_run.stop.set()
            self.abandoned_run = self.current_run


def estimate_line(ws: Workspace, request: CurateRequest) -> str:
    """``N note(s) · batch ≈ $x · real time ≈ $y (MODEL, calibrated · cap $z)``: the dialog's
    choice, priced (with count_tokens when a key is set) beside the spending cap."""
    from vaultcurator.curation.plan import plan_selection
    from vaultcurator.pipeline.costing import job_estimate
    from vaultcurator.workspace import scan

    settings = ws.settings.curation
    inventory = scan(ws)
    selection = plan_selection(
        inventory, ws.store, all_notes=request.all_notes, only=request.only, paths=request.paths
    )
    count = len(selection.notes)
    if settings.engine == "local":
        return f"{count} note(s) · local engine: free, nothing leaves the machine"
    _, result = job_estimate(ws.root, inventory, list(selection.notes), settings)
    costs = {row.mode: row.cost_usd for row in result.rows if not row.cached}
    parts = [f"{count} note(s)"]
    if "batch" in costs:
        parts.append(f"batch ≈ ${costs['batch']:.4f}")
    if "standard" in costs:
        parts.append(f"real time ≈ ${costs['standard']:.4f}")
    how = "calibrated" if result.calibrated else "offline estimate"
    cap = "" if settings.max_cost is None else f" · cap ${settings.max_cost:.2f}"
    return " · ".join(parts) + f" ({result.model}, {how}{cap})"


class _QuitConfirm(ConfirmScreen):
    def __init__(self, body: Text) -> None:
        super().__init__(QUIT_TITLE, body, yes="Quit")


class _Reload(Message):
    """Reload the table and jobs after a run ended (posted so the notification shows first)."""
