"""``resume`` and ``cancel``: finish or stop the vault's active curation job.

Resume works from the store alone: stored batches are polled and fetched (never created
again), a chunk caught in ``submitting`` is looked for among the account's recent batches
before it is ever sent again, and whatever still lacks an answer is sent in new rounds. The
notes are rescanned (incrementally) only to rebuild requests that were never sent; a note
that changed since the job started is reported, not sent.

Cancel marks the job canceled first (so a ``curate`` still running elsewhere sends nothing
new), cancels its live batches and keeps every result they completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaultcurator.domain.jobs import Job
from vaultcurator.domain.progress import Notice, ProgressCallback, ignore_progress
from vaultcurator.engines.registry import provider
from vaultcurator.errors import UsageError
from vaultcurator.pipeline.report import CurationReport
from vaultcurator.pipeline.run import finish
from vaultcurator.pipeline.runner import JobRunner
from vaultcurator.store import jobs
from vaultcurator.workspace import Workspace, scan

CANCEL_POLL_INTERVAL = 2.0
CANCEL_WAIT = 120.0
"""Seconds ``cancel`` waits for canceled batches to end so their results can be kept."""


def active_job(ws: Workspace) -> Job:
    job = jobs.latest_job(ws.store)
    if job is None:
        raise UsageError(f"no unfinished curation job in {ws.root}; nothing to resume")
    return job


def resume_job(
    ws: Workspace,
    progress: ProgressCallback = ignore_progress,
    *,
    overrides: dict[str, Any] | None = None,
) -> CurationReport:
    """Finish the active job; ``overrides`` replace stored options (e.g. ``poll_interval``)."""
    job = active_job(ws)
    provider(job.engine).require()
    if overrides:
        jobs.update_job(ws.store, job.id, options=job.options.with_overrides(overrides))
        job = jobs.get_job(ws.store, job.id) or job
    progress(Notice(f"resuming job {job.id} ({job.engine}, {job.options.mode})"))
    runner = JobRunner(ws, job, scan(ws), progress)
    return finish(ws, runner, runner.drive())


@dataclass(slots=True)
class CancelReport:
    job_id: int
    canceled_batches: list[str] = field(default_factory=list)
    still_canceling: list[str] = field(default_factory=list)
    """Batches that had not ended when ``cancel`` stopped waiting (``resume`` fetches them)."""
    kept: int = 0
    """Notes with a proposal (answers completed before the cancel are kept)."""
    not_done: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "canceled_batches": list(self.canceled_batches),
            "still_canceling": list(self.still_canceling),
            "kept": self.kept,
            "not_done": self.not_done,
        }


def cancel_job(
    ws: Workspace,
    progress: ProgressCallback = ignore_progress,
    *,
    poll_interval: float = CANCEL_POLL_INTERVAL,
    wait: float = CANCEL_WAIT,
) -> CancelReport:
    """Cancel the active job's live batches and keep what they completed."""
    job = active_job(ws)
    store = ws.store
    jobs.update_job(store, job.id, options=job.options.with_overrides({"canceled": True}))
    report = CancelReport(job_id=job.id)
    if jobs.job_batches(store, job.id, jobs.LIVE_BATCH_STATES):
        answerer = provider(job.engine)
        answerer.require()
        runner = JobRunner(ws, job, scan(ws), progress)
        for name in answerer.engines:
            stopped = runner.engine(name).cancel(poll_interval, wait)
            report.canceled_batches += stopped.canceled
            report.still_canceling += stopped.still_canceling
    counts = jobs.status_counts(store, job.id)
    report.kept = counts.get("succeeded", 0)
    report.not_done = sum(counts.values()) - report.kept
    if report.still_canceling:
        jobs.set_job_status(store, job.id, "interrupted")
    else:
        for entry in jobs.job_requests(store, job.id, ("planned", "submitted", "canceled")):
            jobs.mark_failed(
                store,
                job.id,
                entry.custom_id,
                "canceled",
                "the job was canceled before this note was answered",
            )
        jobs.set_job_status(store, job.id, "canceled")
    return report
