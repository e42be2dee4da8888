"""The jobs screen: live progress of curation jobs and their batches; cancel and resume.

Every second the screen posts :class:`~vaultcurator.tui.messages.JobsRequested`; an app
worker builds the snapshot from the store and the app hands it down with
:meth:`JobsScreen.show`. Cancel and resume go up as messages too. The screen only formats
what :mod:`vaultcurator.tui.jobs_model` computed.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from vaultcurator.tui.jobs_model import JobsSnapshot, JobView, format_cost, format_duration
from vaultcurator.tui.messages import JobCancelRequested, JobResumeRequested, JobsRequested
from vaultcurator.tui.widgets import RunLine

REFRESH_SECONDS = 1.0
COLUMNS = (
    ("Job / batch", "item", 17),
    ("State", "state", 11),
    ("Done", "done", 7),
    ("OK", "ok", 4),
    ("Err", "err", 3),
    ("Elapsed", "elapsed", 7),
    ("ETA", "eta", 6),
    ("Cost", "cost", 7),
)
"""(label, key, width): 62 cells, padding and a scrollbar fit an 80-column terminal."""
JOB_STYLES = {
    "running": "bold yellow",
    "planned": "yellow",
    "interrupted": "magenta",
    "done": "green",
    "failed": "bold red",
    "canceled": "dim",
}


class JobsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,J", "close", "Back"),
        Binding("x", "cancel_job", "Cancel job"),
        Binding("R", "resume_job", "Resume job"),
        Binding("g", "refresh", "Refresh"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, live: bool = True, run_status: str | None = None) -> None:
        super().__init__(id="jobs-screen")
        self.live = live
        self.run_status = run_status
        """The running curation's line (the app keeps it current through :meth:`show_run`)."""
        self.snapshot: JobsSnapshot | None = None
        self._row_jobs: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="jobs-summary")
        yield DataTable(id="jobs-table", cursor_type="row", zebra_stripes=True)
        yield RunLine(id="run-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#jobs-table", DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        self.show_run(self.run_status)
        self.action_refresh()
        if self.live:
            self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def action_refresh(self) -> None:
        self.post_message(JobsRequested())

    def show_run(self, text: str | None) -> None:
        self.run_status = text
        for line in self.query("#run-status").results(RunLine):  # none before compose
            line.show_run(text)

    def show(self, snapshot: JobsSnapshot) -> None:
        """Redraw from a snapshot, keeping the cursor on the same line when possible."""
        self.snapshot = snapshot
        table = self.query_one("#jobs-table", DataTable)
        keep = table.cursor_row
        table.clear()
        self._row_jobs = []
        for job in snapshot.jobs:
            table.add_row(*_job_cells(job), key=f"job-{job.id}")
            self._row_jobs.append(job.id)
            for batch in job.batches:
                name = f"└ batch {batch.chunk_no + 1}"
                if batch.attempt:
                    name += f" retry {batch.attempt}"
                table.add_row(
                    Text(name),
                    Text(batch.state, style=JOB_STYLES.get(batch.state, "")),
                    Text(f"{batch.done}/{batch.total}"),
                    Text(str(batch.succeeded)),
                    Text(str(batch.errored), style="red" if batch.errored else ""),
                    Text(format_duration(batch.elapsed)),
                    Text(format_duration(batch.eta)),
                    Text(""),
                    key=f"batch-{batch.row}",
                )
                self._row_jobs.append(job.id)
        if self._row_jobs:
            table.move_cursor(row=min(keep, len(self._row_jobs) - 1), animate=False)
        running = snapshot.running
        summary = (
            f"{len(snapshot.jobs)} recent job(s), {running} running or pending"
            if snapshot.jobs
            else "No curation jobs yet. Press escape, then c to start one."
        )
        self.query_one("#jobs-summary", Static).update(Text(summary))

    @property
    def selected_job(self) -> JobView | None:
        if self.snapshot is None or not self._row_jobs:
            return None
        table = self.query_one("#jobs-table", DataTable)
        job_id = self._row_jobs[min(table.cursor_row, len(self._row_jobs) - 1)]
        return next((j for j in self.snapshot.jobs if j.id == job_id), None)

    def action_cancel_job(self) -> None:
        job = self.selected_job
        if job is None:
            self.notify("No job selected.", severity="warning")
        elif not job.resumable:
            self.notify(f"Job {job.id} is {job.status}; nothing to cancel.", severity="warning")
        else:
            self.post_message(JobCancelRequested(job.id))

    def action_resume_job(self) -> None:
        job = self.selected_job
        if job is None:
            self.notify("No job selected.", severity="warning")
        elif not job.resumable:
            self.notify(f"Job {job.id} is {job.status}; nothing to resume.", severity="warning")
        else:
            self.post_message(JobResumeRequested(job.id))

    def action_cursor_down(self) -> None:
        self.query_one("#jobs-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#jobs-table", DataTable).action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)


def _job_cells(job: JobView) -> tuple[Text, ...]:
    failed = job.counts.get("failed", 0) + job.counts.get("canceled", 0)
    label = f"Job {job.id} · {job.mode if job.engine == 'anthropic' else job.engine}"
    return (
        Text(label, style="bold", overflow="ellipsis", no_wrap=True),
        Text(job.status, style=JOB_STYLES.get(job.status, "")),
        Text(f"{job.done}/{job.total}"),
        Text(str(job.counts.get("succeeded", 0))),
        Text(str(failed), style="red" if failed else ""),
        Text(format_duration(job.elapsed)),
        Text(format_duration(job.eta)),
        Text(format_cost(job.cost_usd)),
    )
