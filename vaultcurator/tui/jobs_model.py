"""What the jobs screen shows: recent curation jobs and their batches, read from the store.

A plain snapshot (no widgets), built in a worker thread through the curation job store and
cost tally, so the screen only formats numbers. Elapsed time and ETA depend on ``now``, which
the caller passes in (the app's clock), so a snapshot is reproducible in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vaultcurator.curation.cost import job_cost
from vaultcurator.curation.pricing import UnknownModelError
from vaultcurator.store.db import Store
from vaultcurator.store.jobs import (
    RESUMABLE_STATUSES,
    Job,
    job_batches,
    recent_jobs,
    status_counts,
)

RECENT_JOBS = 20
"""How many of the newest jobs the screen lists."""
REQUEST_DONE_STATES = ("succeeded", "failed", "canceled")
BATCH_OPEN_STATES = ("submitting", "in_progress", "canceling", "ended")


@dataclass(frozen=True, slots=True)
class BatchView:
    row: int
    chunk_no: int
    attempt: int
    batch_id: str | None
    state: str
    total: int
    succeeded: int
    errored: int
    processing: int
    elapsed: float
    eta: float | None
    """Seconds left, estimated from the progress so far; None when it cannot be guessed."""

    @property
    def done(self) -> int:
        return self.total - self.processing


@dataclass(frozen=True, slots=True)
class JobView:
    id: int
    status: str
    engine: str
    mode: str
    model: str | None
    total: int
    """Requests in the job's map."""
    counts: dict[str, int]
    """Requests by status (planned, submitted, succeeded, failed, canceled)."""
    cost_usd: float | None
    """Cost so far (None when the model's price is unknown)."""
    elapsed: float
    eta: float | None
    batches: list[BatchView] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(self.counts.get(s, 0) for s in REQUEST_DONE_STATES)

    @property
    def resumable(self) -> bool:
        return self.status in RESUMABLE_STATUSES

    @property
    def active(self) -> bool:
        """Still running, or waiting for batches to come back."""
        return self.status in ("planned", "running")


@dataclass(frozen=True, slots=True)
class JobsSnapshot:
    jobs: list[JobView]
    taken_at: float

    @property
    def running(self) -> int:
        return sum(1 for j in self.jobs if j.active)


def eta_seconds(elapsed: float, done: int, total: int) -> float | None:
    """Linear estimate of the time left; None before the first result or when finished."""
    if done <= 0 or total <= 0 or done >= total:
        return None
    return elapsed * (total - done) / done


def _batch_view(
    record_state: str,
    counts: dict[str, int],
    total: int,
    elapsed: float,
    row: int,
    chunk_no: int,
    attempt: int,
    batch_id: str | None,
) -> BatchView:
    succeeded = int(counts.get("succeeded", 0))
    errored = sum(int(counts.get(k, 0)) for k in ("errored", "canceled", "expired"))
    if "processing" in counts:
        processing = int(counts["processing"])
    elif record_state in ("ended", "fetched", "lost"):
        processing = 0
    else:
        processing = max(0, total - succeeded - errored)
    done = total - processing
    open_batch = record_state in BATCH_OPEN_STATES and record_state != "ended"
    return BatchView(
        row=row,
        chunk_no=chunk_no,
        attempt=attempt,
        batch_id=batch_id,
        state=record_state,
        total=total,
        succeeded=succeeded,
        errored=errored,
        processing=processing,
        elapsed=elapsed,
        eta=eta_seconds(elapsed, done, total) if open_batch else None,
    )


def job_view(store: Store, job: Job, now: float) -> JobView:
    counts = status_counts(store, job.id)
    total = sum(counts.values())
    end = job.finished_at if job.finished_at is not None else now
    elapsed = max(0.0, end - job.created_at)
    batches = []
    for record in job_batches(store, job.id):
        stop = record.ended_at if record.ended_at is not None else now
        batches.append(
            _batch_view(
                record.state,
                record.counts,
                record.request_count,
                max(0.0, stop - record.submitted_at),
                record.row,
                record.chunk_no,
                record.attempt,
                record.batch_id,
            )
        )
    cost: float | None = None
    if job.model:
        try:
            cost = job_cost(store, job.id, job.model).actual_usd
        except UnknownModelError:
            cost = None
    elif job.engine == "local":
        cost = 0.0
    done = sum(counts.get(s, 0) for s in REQUEST_DONE_STATES)
    # A batch's requests get their status only when its results are fetched, at its end; its
    # own request counts (polled) show the progress before that: the ETA uses what is larger.
    observed = max(done, sum(b.done for b in batches))
    live = job.status in ("planned", "running")
    return JobView(
        id=job.id,
        status=job.status,
        engine=job.engine,
        mode=job.mode,
        model=job.model,
        total=total,
        counts=counts,
        cost_usd=cost,
        elapsed=elapsed,
        eta=eta_seconds(elapsed, observed, total) if live else None,
        batches=batches,
    )


def jobs_snapshot(store: Store, now: float, *, limit: int = RECENT_JOBS) -> JobsSnapshot:
    """The newest ``limit`` curation jobs, newest first, with their batches and cost."""
    jobs = recent_jobs(store, limit)
    return JobsSnapshot(jobs=[job_view(store, j, now) for j in jobs], taken_at=now)


def format_duration(seconds: float | None) -> str:
    """``42s``, ``3m05s``, ``2h14m``; an em dash when unknown."""
    if seconds is None:
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def format_cost(usd: float | None) -> str:
    if usd is None:
        return "?"
    return f"${usd:.4f}" if usd < 1 else f"${usd:.2f}"
