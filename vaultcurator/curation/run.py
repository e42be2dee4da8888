"""Orchestration of a curation job: scan → select → map → engines → proposals → report.

:func:`run_curation` starts a job; :class:`JobRunner` drives any job to its end and is shared
with ``resume`` (:mod:`vaultcurator.curation.resume`). Driving is a loop of *rounds*: each
round takes the requests that still need an answer (never sent, lost in flight, canceled by a
deadline, or failed with a retryable error and attempts left), routes them by size and sends
them; the first round follows ``--mode``, retries follow the auto rules (see
:mod:`vaultcurator.engines.routing`). Every outcome is persisted the moment it arrives.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation import jobs
from vaultcurator.curation.answers import outcome_from_message
from vaultcurator.curation.cost import job_cost
from vaultcurator.curation.estimate import Estimate, estimate
from vaultcurator.curation.jobs import Job, JobLedger, MapEntry, MappedRequest
from vaultcurator.curation.plan import Selection, plan_selection
from vaultcurator.curation.report import (
    CurationReport,
    NoteDone,
    ProgressCallback,
    RoundStarted,
    ignore_progress,
    report_for_job,
)
from vaultcurator.curation.requests import (
    PromptContext,
    build_request,
    chunk_requests,
    custom_id_for,
    load_body,
    serialized_size,
)
from vaultcurator.curation.types import CurationRequest, RequestOutcome
from vaultcurator.engines.anthropic_batch import BatchEngine, BatchOptions
from vaultcurator.engines.anthropic_realtime import run_realtime
from vaultcurator.engines.anthropic_sync import run_sync
from vaultcurator.engines.client import make_async_client, make_client, require_api_key
from vaultcurator.engines.routing import MAX_BATCH_SIZE, SAFE_BATCH_BYTES, route, route_retry
from vaultcurator.errors import UsageError, VaultCuratorError
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace

NOT_RETRYABLE = frozenset({"invalid_request_error", "note_changed"})
"""Failures another attempt cannot fix: reported, never retried."""
NOTE_CHANGED = "changed on disk since it was scanned; run curate again to include it"
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
            "invalid": [{"path": n.path, "error": n.error} for n in self.selection.invalid],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
        }


def job_options(settings: CurationSettings, options: CurateOptions) -> dict[str, Any]:
    """What a job must remember to be resumed exactly as it was started."""
    deadline_at = (
        time.time() + options.deadline_minutes * 60
        if options.deadline_minutes is not None
        else None
    )
    return {
        "batch_size": settings.batch_size,
        "poll_interval": settings.poll_interval,
        "poll_interval_max": settings.poll_interval_max,
        "max_retries": settings.max_retries,
        "concurrency": settings.concurrency,
        "realtime_max": settings.realtime_max,
        "max_tokens": settings.max_tokens,
        "deadline_at": deadline_at,
        "yes": options.yes,
        "links": options.links,
        "canceled": False,
    }


def validate(settings: CurationSettings, options: CurateOptions) -> None:
    """Usage errors (exit 2) before anything is scanned or sent."""
    if settings.engine not in ("anthropic", "local"):
        raise UsageError(f"unknown engine {settings.engine!r}; use anthropic or local")
    if settings.mode not in ("auto", "sync", "realtime", "batch"):
        raise UsageError(f"unknown mode {settings.mode!r}; use auto, sync, realtime or batch")
    if not 1 <= settings.batch_size <= MAX_BATCH_SIZE:
        raise UsageError(f"--batch-size must be between 1 and {MAX_BATCH_SIZE:,}")
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


# --------------------------------------------------------------------------- the runner


class JobRunner:
    """Drives one job until every request is answered, failed for good, or the job stops."""

    def __init__(
        self,
        ws: Workspace,
        job: Job,
        inventory: Inventory,
        progress: ProgressCallback = ignore_progress,
    ) -> None:
        self.ws = ws
        self.job = job
        self.inventory = inventory
        self.progress = progress
        self.opts = dict(job.options)
        self.settings = dataclasses.replace(
            ws.settings.curation,
            model=job.model or ws.settings.curation.model,
            max_tokens=int(self.opts.get("max_tokens", ws.settings.curation.max_tokens)),
        )
        self.by_path = inventory.by_path()
        # The job's own request count and mode: the prefix (and whether it is grown to be
        # cached) stays the same when the job is resumed.
        requests = sum(jobs.status_counts(ws.store, job.id).values())
        mode = str(self.opts.get("mode", self.settings.mode))
        self.context = PromptContext.build(
            inventory,
            dataclasses.replace(self.settings, mode=mode),
            ws.root,
            expected_requests=requests,
        )
        engine_name = "local" if job.engine == "local" else "anthropic"
        model = job.model if job.engine != "local" else None
        self.ledger = JobLedger(ws.store, job, engine_name, model)
        self.modes_used: list[str] = []
        self.batches_created = 0
        self.deadline_hit = False
        self._local: Any = None

    # ------------------------------------------------------------------ options

    @property
    def max_retries(self) -> int:
        return int(self.opts.get("max_retries", self.settings.max_retries))

    @property
    def deadline_at(self) -> float | None:
        value = self.opts.get("deadline_at")
        return None if value is None else float(value)

    def _past_deadline(self) -> bool:
        return self.deadline_hit or (
            self.deadline_at is not None and time.time() >= self.deadline_at
        )

    def _canceled(self) -> bool:
        current = jobs.get_job(self.ws.store, self.job.id)
        return (
            current is None or current.status == "canceled" or bool(current.options.get("canceled"))
        )

    def parse(self, custom_id: str, message: Any, via_batch: bool) -> RequestOutcome:
        return outcome_from_message(custom_id, message, via_batch, self.context.known_tags)

    # ------------------------------------------------------------------ driving

    def drive(self) -> str:
        """Run rounds until nothing is left; returns the job's final status.

        Ctrl-C (KeyboardInterrupt) leaves the job ``interrupted`` with every finished result
        kept; other errors too, and are re-raised.
        """
        store = self.ws.store
        jobs.set_job_status(store, self.job.id, "running")
        try:
            if self.job.engine == "anthropic":
                self._settle_batches()
            for round_no in itertools.count():
                if self._canceled():
                    break
                todo = self._todo()
                if not todo or round_no > self.max_retries + 2:
                    break
                self._run_round(todo, round_no)
        except KeyboardInterrupt:
            jobs.set_job_status(store, self.job.id, "interrupted")
            return "interrupted"
        except BaseException:
            jobs.set_job_status(store, self.job.id, "interrupted")
            raise
        final: jobs.JobStatus = "canceled" if self._canceled() else "done"
        if final == "canceled":
            self._cancel_leftovers()
        jobs.set_job_status(store, self.job.id, final)
        return final

    def _todo(self) -> list[MappedRequest]:
        out: list[MappedRequest] = []
        for entry in jobs.job_requests(self.ws.store, self.job.id):
            waiting = entry.status in ("planned", "submitted", "canceled")
            if waiting or (entry.status == "failed" and self._retryable(entry)):
                out.append(entry)
        return out

    def _retryable(self, entry: MappedRequest) -> bool:
        return entry.error_type not in NOT_RETRYABLE and entry.attempts <= self.max_retries

    def _mode_for(self, count: int, round_no: int) -> str:
        if self.job.engine == "local":
            return "local"
        mode = str(self.job.options.get("mode", self.job.mode))
        realtime_max = int(self.opts.get("realtime_max", self.settings.realtime_max))
        if round_no == 0 and not self._past_deadline():
            return route(count, mode, realtime_max)
        return route_retry(count, mode, realtime_max, past_deadline=self._past_deadline())

    def _run_round(self, todo: list[MappedRequest], round_no: int) -> None:
        mode = self._mode_for(len(todo), round_no)
        if mode not in self.modes_used:
            self.modes_used.append(mode)
        self.progress(RoundStarted(mode=mode, count=len(todo), round=round_no))
        requests = self._requests(todo)
        if mode == "local":
            self._run_local(todo)
        elif mode == "batch":
            engine = self._batch_engine()
            created = engine.submit(requests, attempt=round_no)
            self.batches_created += len(created)
            engine.wait(created)
            self.deadline_hit = self.deadline_hit or engine.deadline_hit
        else:
            sink = self._note_sink(len(todo))
            if mode == "sync":
                run_sync(make_client(max_retries=0), requests, parse=self.parse, on_outcome=sink)
            else:
                concurrency = int(self.opts.get("concurrency", self.settings.concurrency))
                run_realtime(
                    requests,
                    concurrency=concurrency,
                    parse=self.parse,
                    on_outcome=sink,
                    client_factory=make_async_client,
                )

    def _note_sink(self, total: int) -> Callable[[CurationRequest, RequestOutcome], None]:
        done = itertools.count(1)

        def sink(request: CurationRequest, outcome: RequestOutcome) -> None:
            self.ledger.record(outcome)
            self.progress(
                NoteDone(
                    outcome.custom_id, request.path, outcome.kind, next(done), total, outcome.error
                )
            )

        return sink

    def _batch_engine(self) -> BatchEngine:
        options = BatchOptions(
            batch_size=int(self.opts.get("batch_size", self.settings.batch_size)),
            max_bytes=SAFE_BATCH_BYTES,
            poll_interval=float(self.opts.get("poll_interval", self.settings.poll_interval)),
            poll_interval_max=float(
                self.opts.get("poll_interval_max", self.settings.poll_interval_max)
            ),
            deadline_at=None if self.deadline_hit else self.deadline_at,
        )
        return BatchEngine(
            make_client(), self.ledger, options, parse=self.parse, on_progress=self.progress
        )

    def _settle_batches(self) -> None:
        """Resume: adopt or release chunks caught mid-create, then finish stored batches."""
        live = jobs.job_batches(self.ws.store, self.job.id, jobs.LIVE_BATCH_STATES)
        if not live:
            return
        engine = self._batch_engine()
        for record in live:
            if record.state == "submitting":
                engine.settle_submitting(record)
        ready = [
            r
            for r in jobs.job_batches(self.ws.store, self.job.id, jobs.LIVE_BATCH_STATES)
            if r.batch_id is not None
        ]
        if ready and "batch" not in self.modes_used:
            self.modes_used.append("batch")
        engine.wait(ready)
        self.deadline_hit = self.deadline_hit or engine.deadline_hit

    # ------------------------------------------------------------------ requests

    def _note_for(self, entry: MappedRequest) -> tuple[Note, str] | None:
        """The note as scanned now, if it still has the bytes the job was planned from."""
        note = self.by_path.get(entry.path)
        if note is None or note.hash != entry.base_hash:
            return None
        body = load_body(self.ws.root, note)
        if body is None:
            return None
        return dataclasses.replace(note, index=entry.note_index), body

    def _requests(self, entries: Iterable[MappedRequest]) -> Iterator[CurationRequest]:
        """Build requests lazily (a batch holds one chunk at a time), failing changed notes."""
        for entry in entries:
            found = self._note_for(entry)
            if found is None:
                jobs.mark_failed(
                    self.ws.store, self.job.id, entry.custom_id, "note_changed", NOTE_CHANGED
                )
                continue
            note, body = found
            request = build_request(note, body, self.context, self.settings)
            if request.custom_id != entry.custom_id:
                request = dataclasses.replace(request, custom_id=entry.custom_id)
            yield request

    def _run_local(self, todo: list[MappedRequest]) -> None:
        from vaultcurator.engines.local import LocalCurator

        if self._local is None:
            self._local = LocalCurator(self.inventory, self.settings)
        for done, entry in enumerate(todo, start=1):
            found = self._note_for(entry)
            if found is None:
                jobs.mark_failed(
                    self.ws.store, self.job.id, entry.custom_id, "note_changed", NOTE_CHANGED
                )
                self.progress(
                    NoteDone(entry.custom_id, entry.path, "errored", done, len(todo), NOTE_CHANGED)
                )
                continue
            note, body = found
            try:
                answer = self._local.curate(note, body)
            except Exception as exc:  # the local curator must never stop the whole job
                outcome = RequestOutcome(
                    entry.custom_id, "errored", error_type="local_error", error=str(exc)
                )
            else:
                outcome = RequestOutcome(entry.custom_id, "succeeded", answer=answer)
            self.ledger.record(outcome)
            self.progress(
                NoteDone(entry.custom_id, entry.path, outcome.kind, done, len(todo), outcome.error)
            )

    def _cancel_leftovers(self) -> None:
        for entry in jobs.job_requests(self.ws.store, self.job.id, ("planned", "submitted")):
            jobs.mark_failed(
                self.ws.store,
                self.job.id,
                entry.custom_id,
                "canceled",
                "the job was canceled before this note was answered",
            )

    # ------------------------------------------------------------------ reporting

    def report(self) -> CurationReport:
        job = jobs.get_job(self.ws.store, self.job.id) or self.job
        cost = (
            job_cost(self.ws.store, job.id, job.model)
            if job.engine == "anthropic" and job.model
            else None
        )
        return report_for_job(
            self.ws.store,
            job,
            modes_used=list(self.modes_used),
            batches=len(jobs.job_batches(self.ws.store, job.id)),
            rejected_ids=list(self.ledger.rejected),
            cost=cost,
        )


# --------------------------------------------------------------------------- entry points


def scan(ws: Workspace) -> Inventory:
    """An incremental scan (unchanged files are not read again)."""
    return scan_vault(ws.root, ws.settings.scan, ws.store)


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
    if settings.engine == "anthropic" and not options.dry_run:
        require_api_key()
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
    requested = "local" if settings.engine == "local" else settings.mode
    stored = {**job_options(settings, options), "mode": requested}
    first = (
        requested
        if requested == "local"
        else route(len(selection.notes), requested, settings.realtime_max)
    )
    job = jobs.create_job(
        ws.store,
        engine=settings.engine,
        mode=first,
        model=None if settings.engine == "local" else settings.model,
        options=stored,
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
    if runner.opts.get("links", True) and ws.settings.links.enabled and report.proposals:
        report.links = propose_job_links(ws, runner)
    if runner.opts.get("yes") and report.proposals:
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


def apply_job(ws: Workspace, job_id: int) -> dict[str, Any]:
    """Apply the job's pending proposals through the conflict-safe edit path (``--yes``)."""
    from vaultcurator.review.apply import apply_proposals
    from vaultcurator.store.proposals import list_proposals

    ids = [p.id for p in list_proposals(ws.store, ["pending"], job_id=job_id)]
    if not ids:
        return {"applied": [], "conflicts": [], "failed": []}
    return apply_proposals(ws, ids=ids, include_pending=True).to_dict()


def dry_run(
    ws: Workspace, inventory: Inventory, selection: Selection, settings: CurationSettings
) -> DryRun:
    """Build every request (nothing is sent) and measure the batches they would form."""
    context = PromptContext.build(
        inventory, settings, ws.root, expected_requests=len(selection.notes)
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
    engine = settings.engine
    mode = "local" if engine == "local" else route(count, settings.mode, settings.realtime_max)
    if mode != "batch":
        chunks = []
    result = estimate(selection.notes, context, settings, vault_root=ws.root)
    return DryRun(
        selection=selection,
        engine=engine,
        mode=mode,
        requests=count,
        sample=sample,
        chunks=chunks,
        estimate=None if engine == "local" else result,
        skipped=skipped,
    )
