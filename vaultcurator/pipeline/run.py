"""``curate``: scan → select → map → engine rounds (:mod:`.runner`) → proposals → links → apply.

:func:`run_curation` validates, selects the notes, writes the job's custom_id map and hands
the job to :class:`~vaultcurator.pipeline.runner.JobRunner`; :func:`finish` (shared with
``resume``) adds related links and, with ``--yes``, applies the proposals.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.estimate import Estimate
from vaultcurator.curation.plan import Selection, plan_selection
from vaultcurator.curation.prompts import prompt_version
from vaultcurator.curation.requests import (
    build_request,
    chunk_requests,
    custom_id_for,
    load_body,
    serialized_size,
)
from vaultcurator.domain.jobs import JobOptions, MapEntry
from vaultcurator.domain.limits import MAX_BATCH_REQUESTS, SAFE_BATCH_BYTES
from vaultcurator.domain.progress import ProgressCallback, ignore_progress
from vaultcurator.domain.requests import CurationRequest
from vaultcurator.engines.registry import provider
from vaultcurator.errors import UsageError, VaultCuratorError
from vaultcurator.pipeline.costing import ensure_calibration, job_estimate, refuse_over_cap
from vaultcurator.pipeline.report import CurationReport
from vaultcurator.pipeline.runner import NOTE_CHANGED, JobRunner
from vaultcurator.review.apply import ApplyReport
from vaultcurator.store import jobs
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.workspace import Workspace, scan

DRY_RUN_SAMPLE = 5


@dataclass(slots=True)
class CurateOptions:
    """Per-run choices that are not settings (engine, mode, sizes... live in Settings)."""

    all_notes: bool = False
    only: str | None = None
    limit: int | None = None
    deadline_minutes: float | None = None
    yes: bool = False
    dry_run: bool = False
    links: bool = True
    """Also propose related-note links for the curated notes (``--no-links`` turns it off)."""
    paths: frozenset[str] | None = None
    """Only these vault-relative paths (watch mode: the notes that just changed)."""


@dataclass(slots=True)
class DryRun:
    """What ``--dry-run`` shows: the requests that would be sent, and their estimate."""

    selection: Selection
    engine: str
    mode: str
    requests: int
    sample: list[tuple[str, str]]
    """``(custom_id, path)`` of the first few requests."""
    chunks: list[tuple[int, int]]
    """``(requests, serialized bytes)`` per batch, as they would be submitted."""
    estimate: Estimate | None
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Notes whose file changed since the scan (path, reason)."""
    max_cost: float | None = None
    """The spending cap the job would run under (shown beside the estimate)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": True,
            "engine": self.engine,
            "mode": self.mode,
            "requests": self.requests,
            "sample": [{"custom_id": c, "path": p} for c, p in self.sample],
            "chunks": [{"requests": n, "bytes": b} for n, b in self.chunks],
            "estimate": None if self.estimate is None else self.estimate.to_dict(),
            "up_to_date": self.selection.up_to_date,
            "limited": self.selection.limited,
            "invalid": [{"path": n.path, "error": n.error} for n in self.selection.invalid]
            + [{"path": p, "error": why} for p, why in self.selection.unsupported],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "max_cost": self.max_cost,
        }


def job_options(
    settings: CurationSettings, options: CurateOptions, mode: str, root: Path | None = None
) -> JobOptions:
    """What a job must remember to be resumed exactly as it was started."""
    deadline_at = (
        time.time() + options.deadline_minutes * 60
        if options.deadline_minutes is not None
        else None
    )
    return JobOptions(
        mode=mode,
        batch_size=settings.batch_size,
        poll_interval=settings.poll_interval,
        poll_interval_max=settings.poll_interval_max,
        max_retries=settings.max_retries,
        concurrency=settings.concurrency,
        realtime_max=settings.realtime_max,
        max_tokens=settings.max_tokens,
        deadline_at=deadline_at,
        yes=options.yes,
        links=options.links,
        max_cost=settings.max_cost,
        prompt_version=prompt_version(root) if settings.engine == "anthropic" else None,
        tag_policy=settings.tag_policy,
        max_tags=settings.max_tags,
    )


def validate(settings: CurationSettings, options: CurateOptions) -> None:
    """Usage errors (exit 2) before anything is scanned or sent."""
    if not 1 <= settings.batch_size <= MAX_BATCH_REQUESTS:
        raise UsageError(f"--batch-size must be between 1 and {MAX_BATCH_REQUESTS:,}")
    if settings.max_tags < 1:
        raise UsageError("--max-tags must be at least 1")
    if settings.poll_interval <= 0 or settings.poll_interval_max <= 0:
        raise UsageError("--poll-interval must be more than 0 seconds")
    if settings.max_retries < 0:
        raise UsageError("--max-retries must be 0 or more")
    if settings.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if options.limit is not None and options.limit < 0:
        raise UsageError("--limit must be 0 or more")
    if options.deadline_minutes is not None and options.deadline_minutes <= 0:
        raise UsageError("--deadline must be more than 0 minutes")


# --------------------------------------------------------------------------- entry points


def refuse_if_unfinished(ws: Workspace) -> None:
    """One job at a time: a second one would send (and pay for) the same notes again."""
    unfinished = jobs.latest_job(ws.store)
    if unfinished is not None:
        raise UsageError(
            f"curation job {unfinished.id} is unfinished ({unfinished.status}); "
            f"finish it with `vaultcurator resume {ws.root}` "
            f"or drop it with `vaultcurator cancel {ws.root}`"
        )


def map_entries(notes: Iterable[Note]) -> Iterator[MapEntry]:
    for note in notes:
        yield MapEntry(
            custom_id=custom_id_for(note.index, note.path),
            note_index=note.index,
            path=note.path,
            base_hash=note.hash,
            old_tags=list(note.tags),
            old_description=note.description,
        )


def run_curation(
    ws: Workspace,
    options: CurateOptions,
    progress: ProgressCallback = ignore_progress,
    *,
    inventory: Inventory | None = None,
) -> CurationReport | DryRun:
    """``curate``: scan, select, persist the job's map, run it, then apply if ``--yes``.

    ``inventory`` is a scan the caller just made (watch mode), so it is not scanned twice.
    """
    settings = ws.settings.curation
    validate(settings, options)
    answerer = provider(settings.engine)
    if not options.dry_run:
        answerer.require()
    if not options.dry_run:
        refuse_if_unfinished(ws)
    if inventory is None:
        inventory = scan(ws)
    selection = plan_selection(
        inventory,
        ws.store,
        all_notes=options.all_notes,
        only=options.only,
        limit=options.limit,
        paths=options.paths,
    )
    if options.dry_run:
        return dry_run(ws, inventory, selection, settings)
    invalid = [(n.path, n.error or "invalid") for n in selection.invalid]
    invalid += selection.unsupported
    if not selection.notes:
        return CurationReport(
            job_id=None,
            engine=settings.engine,
            mode=settings.mode,
            status="empty",
            selected=0,
            proposals=0,
            invalid_notes=invalid,
        )
    answerer.check(ws.settings)  # a server that is down fails here, before a job exists
    if settings.max_cost is not None and answerer.priced:
        _, expected = job_estimate(ws.root, inventory, list(selection.notes), settings)
        refuse_over_cap(expected, settings.max_cost)
    elif answerer.priced:  # the runner's caching choice then works on counted tokens
        ensure_calibration(ws.root, inventory, list(selection.notes), settings)
    requested = answerer.requested_mode(settings.mode)
    first = answerer.route(len(selection.notes), requested, settings.realtime_max, True, False)
    model, stored_options = answerer.job(
        ws.settings, job_options(settings, options, requested, ws.root)
    )
    job = jobs.create_job(
        ws.store, engine=settings.engine, mode=first, model=model, options=stored_options
    )
    jobs.record_map(ws.store, job.id, map_entries(selection.notes))
    runner = JobRunner(ws, job, inventory, progress)
    report = finish(ws, runner, runner.drive())
    report.invalid_notes = invalid
    return report


def finish(ws: Workspace, runner: JobRunner, status: str) -> CurationReport:
    """Report the job; with ``--yes`` apply its proposals; run the links step."""
    report = runner.report()
    if status == "interrupted":
        return report
    # Related links join the same proposals, before ``--yes`` applies them.
    if runner.opts.links and ws.settings.links.enabled and report.proposals:
        report.links = propose_job_links(ws, runner)
    if runner.opts.yes and report.proposals:
        report.applied = apply_job(ws, runner.job.id)
    return report


def propose_job_links(ws: Workspace, runner: JobRunner) -> dict[str, Any]:
    """Related-note links for the notes this job curated (part of their proposals).

    A links failure (say, an unreachable Chroma server) never costs the curation results:
    it is reported in the summary and the tags/descriptions stay proposed.
    """
    from vaultcurator.links.propose import propose_related_links
    from vaultcurator.store.proposals import list_proposals

    paths = sorted({p.path for p in list_proposals(ws.store, ["pending"], job_id=runner.job.id)})
    if not paths:
        return {"proposals": 0}
    try:
        links = propose_related_links(ws, runner.inventory, paths=paths, job_id=runner.job.id)
    except VaultCuratorError as exc:
        return {"error": str(exc)}
    return links.to_dict()


def apply_job(ws: Workspace, job_id: int) -> ApplyReport:
    """Apply the job's pending proposals through the conflict-safe edit path (``--yes``)."""
    from vaultcurator.review.apply import apply_proposals
    from vaultcurator.store.proposals import list_proposals

    ids = [p.id for p in list_proposals(ws.store, ["pending"], job_id=job_id)]
    if not ids:
        return ApplyReport(run_id=None)
    return apply_proposals(ws, ids=ids, include_pending=True)


def dry_run(
    ws: Workspace, inventory: Inventory, selection: Selection, settings: CurationSettings
) -> DryRun:
    """Build every request (nothing is sent) and measure the batches they would form."""
    # A dry run sends nothing: a stored calibration is used, none is made.
    context, result = job_estimate(
        ws.root, inventory, list(selection.notes), settings, allow_network=False
    )
    skipped: list[tuple[str, str]] = []
    sample: list[tuple[str, str]] = []
    count = 0

    def requests() -> Iterator[CurationRequest]:
        nonlocal count
        for note in selection.notes:
            body = load_body(ws.root, note)
            if body is None:
                skipped.append((note.path, NOTE_CHANGED))
                continue
            request = build_request(note, body, context, settings)
            count += 1
            if len(sample) < DRY_RUN_SAMPLE:
                sample.append((request.custom_id, request.path))
            yield request

    chunks = [
        (len(chunk), sum(serialized_size(r) for r in chunk))
        for chunk in chunk_requests(requests(), settings.batch_size, SAFE_BATCH_BYTES)
    ]
    answerer = provider(settings.engine)
    mode = answerer.route(
        count, answerer.requested_mode(settings.mode), settings.realtime_max, True, False
    )
    if mode != "batch":
        chunks = []
    return DryRun(
        selection=selection,
        engine=settings.engine,
        mode=mode,
        requests=count,
        sample=sample,
        chunks=chunks,
        estimate=result if answerer.priced else None,
        skipped=skipped,
        max_cost=settings.max_cost,
    )
