"""Message Batches engine: submit chunks, poll with backoff, stream results, never duplicate.

The ledger (:mod:`vaultcurator.store.jobs`) is written around every API call so a crash at
any point can be resumed without sending a request twice:

1. ``begin_batch`` stores the chunk as ``submitting`` (fingerprint, request count) *before*
   the create call; 2. the batch id is stored the moment create returns, before the next
   chunk is sent; 3. a chunk left in ``submitting`` (the process died, or the create call's
   answer was lost) is first looked for among the account's recent batches
   (:meth:`BatchEngine.reconcile`) and only sent again when it is not there.

Create is never retried blindly by the SDK (no idempotency key: a retried create can make a
second batch); this module retries it only after reconciling. Results are streamed line by
line and matched to notes only through the job's map.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anthropic

from vaultcurator.curation.requests import batch_item, chunk_requests
from vaultcurator.domain.jobs import LIVE_BATCH_STATES, BatchRecord, fingerprint
from vaultcurator.domain.limits import MAX_BATCH_REQUESTS, SAFE_BATCH_BYTES
from vaultcurator.domain.progress import BatchStatus, Notice, ProgressCallback
from vaultcurator.domain.requests import CurationRequest, RequestOutcome
from vaultcurator.engines.base import (
    Canceled,
    EngineSetup,
    OutcomeParser,
    PreparedNote,
    no_checkpoint,
)
from vaultcurator.engines.client import (
    error_message_of,
    is_transient,
    raise_if_fatal,
    retry_after_seconds,
)
from vaultcurator.errors import VaultCuratorError
from vaultcurator.store.ledger import JobLedger

CLOCK_SLACK = 120.0
"""Seconds a batch's server-side ``created_at`` may precede our ``submitted_at``."""
LIST_PAGE = 100
REFUSED_STATUSES = frozenset({400, 413, 422})
"""Create answers that mean the chunk was refused and no batch exists."""


class BatchSubmitError(VaultCuratorError):
    """A chunk could not be created; the job stays resumable."""


@dataclass(frozen=True, slots=True)
class BatchOptions:
    batch_size: int = 10_000
    max_bytes: int = SAFE_BATCH_BYTES
    poll_interval: float = 30.0
    poll_interval_max: float = 600.0
    backoff: float = 1.5
    deadline_at: float | None = None
    """Epoch seconds; batches unfinished by then are canceled (their rest goes realtime)."""
    create_attempts: int = 4


def _ts(value: Any) -> float | None:
    return None if value is None else float(value.timestamp())


def _counts(batch: Any) -> dict[str, int]:
    rc = batch.request_counts
    return {
        "processing": int(rc.processing),
        "succeeded": int(rc.succeeded),
        "errored": int(rc.errored),
        "canceled": int(rc.canceled),
        "expired": int(rc.expired),
    }


def outcome_from_line(line: Any, parse: OutcomeParser) -> RequestOutcome:
    """One results line as an outcome (``succeeded`` replies go through ``parse``)."""
    custom_id = str(line.custom_id)
    result = line.result
    kind = getattr(result, "type", None)
    if kind == "succeeded":
        return parse(custom_id, result.message, True)
    if kind == "errored":
        inner = getattr(getattr(result, "error", None), "error", None)
        error_type = str(getattr(inner, "type", None) or "api_error")
        message = str(getattr(inner, "message", None) or error_type)
        return RequestOutcome(
            custom_id, "errored", error_type=error_type, error=message, via_batch=True
        )
    if kind == "expired":
        return RequestOutcome(
            custom_id,
            "expired",
            error_type="expired",
            error="the batch expired before this request ran",
            via_batch=True,
        )
    if kind == "canceled":
        return RequestOutcome(
            custom_id,
            "canceled",
            error_type="canceled",
            error="its batch was canceled",
            via_batch=True,
        )
    return RequestOutcome(
        custom_id,
        "errored",
        error_type="api_error",
        error=f"unknown result type {kind!r}",
        via_batch=True,
    )


class BatchEngine:
    """Submits and follows the batches of one job through its ledger."""

    def __init__(
        self,
        client: anthropic.Anthropic,
        ledger: JobLedger,
        options: BatchOptions,
        *,
        parse: OutcomeParser,
        on_progress: ProgressCallback,
        on_recorded: Callable[[RequestOutcome], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        checkpoint: Callable[[str], None] = no_checkpoint,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.options = options
        self.parse = parse
        self.on_progress = on_progress
        self.on_recorded = on_recorded
        self.sleep = sleep
        self.clock = clock
        self.checkpoint = checkpoint
        self.build: Callable[[PreparedNote], CurationRequest] | None = None
        self.deadline_hit = False

    @classmethod
    def from_setup(cls, setup: EngineSetup) -> BatchEngine:
        from vaultcurator.engines.client import make_client

        opts = setup.options
        options = BatchOptions(
            batch_size=opts.batch_size,
            poll_interval=opts.poll_interval,
            poll_interval_max=opts.poll_interval_max,
            deadline_at=setup.deadline_at,
        )
        engine = cls(
            make_client(),
            setup.ledger,
            options,
            parse=setup.parse,
            on_progress=setup.progress,
            checkpoint=setup.checkpoint,
        )
        engine.build = setup.build
        return engine

    # ------------------------------------------------------------------ the engine protocol

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        """Submit the notes' requests in chunks, then wait for every batch's results."""
        if self.build is None:
            raise RuntimeError("BatchEngine.run needs a request builder (use from_setup)")
        build = self.build
        created = self.submit((build(n) for n in notes), attempt)
        self.wait(created)

    def settle(self) -> bool:
        """Resume: adopt or release chunks caught mid-create, then finish stored batches.

        True when there were stored batches to finish."""
        for record in self.ledger.batches(LIVE_BATCH_STATES):
            if record.state == "submitting":
                self.settle_submitting(record)
        ready = [r for r in self.ledger.batches(LIVE_BATCH_STATES) if r.batch_id is not None]
        self.wait(ready)
        return bool(ready)

    def cancel(self, poll_interval: float, wait: float) -> Canceled:
        """Cancel the job's live batches; poll them up to ``wait`` s so their results are kept."""
        for record in self.ledger.batches(LIVE_BATCH_STATES):
            if record.state == "submitting":
                self.settle_submitting(record)
        running = [r for r in self.ledger.batches(LIVE_BATCH_STATES) if r.batch_id is not None]
        to_cancel = [r for r in running if r.state in ("in_progress", "submitting")]
        self.cancel_batches(to_cancel, "canceled by the user")
        give_up = time.monotonic() + wait
        pending = running
        while pending:
            pending = [r for r in pending if not self.poll_safely(r)]
            if not pending or time.monotonic() >= give_up:
                break
            self.sleep(poll_interval)
        return Canceled(
            canceled=[str(r.batch_id) for r in to_cancel],
            still_canceling=[str(r.batch_id) for r in pending],
        )

    # ------------------------------------------------------------------ submit

    def submit(self, requests: Iterable[CurationRequest], attempt: int) -> list[BatchRecord]:
        """Chunk ``requests`` and create one batch per chunk, each id stored at once."""
        created: list[BatchRecord] = []
        size = max(1, min(self.options.batch_size, MAX_BATCH_REQUESTS))
        for chunk in chunk_requests(requests, size, self.options.max_bytes):
            record = self.ledger.begin_chunk([r.custom_id for r in chunk], attempt)
            if self._create(record, chunk):
                created.append(self.ledger.batch(record.row))
        return created

    def _create(self, record: BatchRecord, chunk: list[CurationRequest]) -> bool:
        """Create the chunk's batch; True when a batch exists for it (created or found)."""
        body = [batch_item(r) for r in chunk]
        self.checkpoint("batch_submitting")
        creator = self.client.with_options(max_retries=0)
        last: Exception | None = None
        for attempt in range(1, self.options.create_attempts + 1):
            try:
                batch = creator.messages.batches.create(requests=body)  # type: ignore[arg-type]
            except anthropic.APIStatusError as exc:
                raise_if_fatal(exc)
                if exc.status_code in REFUSED_STATUSES:
                    reason = f"batch refused: {error_message_of(exc)}"
                    self.ledger.abandon_batch(
                        record.row, reason, error_type="invalid_request_error"
                    )
                    self.on_progress(Notice(f"chunk {record.chunk_no}: {reason}"))
                    return False
                last = exc
                if exc.status_code not in (429, 529) and self._adopt(record):
                    return True
                wait = retry_after_seconds(exc.response.headers)
                self.sleep(min(wait, 300.0) if wait is not None else self._backoff(attempt))
            except anthropic.APIConnectionError as exc:
                last = exc
                if self._adopt(record):  # the answer was lost, maybe not the batch
                    return True
                self.sleep(self._backoff(attempt))
            else:
                self.checkpoint("batch_create_returned")
                self.ledger.batch_created(record.row, batch.id, _ts(batch.created_at))
                self.checkpoint("batch_created")
                self.on_progress(
                    Notice(
                        f"batch {batch.id} created: chunk {record.chunk_no}, "
                        f"{record.request_count} requests"
                    )
                )
                return True
            self.ledger.resubmitting(record.row)
        raise BatchSubmitError(
            f"could not create the batch for chunk {record.chunk_no} "
            f"({error_message_of(last) if last else 'unknown error'}); "
            "run `vaultcurator resume VAULT` to try again"
        )

    def _backoff(self, attempt: int) -> float:
        """Wait before creating a chunk again: the poll interval, doubling per attempt."""
        return float(min(300.0, self.options.poll_interval * 2.0 ** (attempt - 1)))

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, record: BatchRecord) -> str | None:
        """Find the batch a ``submitting`` chunk may have created; its id, or None.

        Candidates: the account's batches created after the chunk's ``submitted_at`` (with
        slack for clock skew), not already known to this vault, with the same request count.
        An ended candidate is confirmed by its results' custom ids (the fingerprint); one
        still running cannot be checked and is taken as the chunk (the oldest such).
        """
        known = self.ledger.known_batch_ids()
        after = record.submitted_at - CLOCK_SLACK
        unconfirmed: list[Any] = []
        for batch in self.client.messages.batches.list(limit=LIST_PAGE):
            created = _ts(batch.created_at) or 0.0
            if created < after:
                break
            if batch.id in known or sum(_counts(batch).values()) != record.request_count:
                continue
            if batch.processing_status == "ended":
                ids = (
                    str(line.custom_id) for line in self.client.messages.batches.results(batch.id)
                )
                if fingerprint(ids) == record.fingerprint:
                    return str(batch.id)
            else:
                unconfirmed.append(batch)
        if unconfirmed:
            return str(min(unconfirmed, key=lambda b: b.created_at).id)
        return None

    def _adopt(self, record: BatchRecord) -> bool:
        try:
            found = self.reconcile(record)
        except anthropic.APIError:
            return False
        if found is None:
            return False
        self.ledger.batch_created(record.row, found, None)
        self.on_progress(Notice(f"chunk {record.chunk_no}: found its batch {found}"))
        return True

    def settle_submitting(self, record: BatchRecord) -> bool:
        """On resume: adopt the chunk's batch if it exists; else give its requests back.

        Returns True when a batch was found. Otherwise the chunk is marked ``lost`` and its
        requests return to ``planned`` so the next round sends them (only now, after the
        account was searched).
        """
        found = self.reconcile(record)
        if found is not None:
            self.ledger.batch_created(record.row, found, None)
            self.on_progress(Notice(f"chunk {record.chunk_no}: found its batch {found}"))
            return True
        count = self.ledger.release_batch(record.row)
        self.on_progress(
            Notice(f"chunk {record.chunk_no} was never created; its {count} requests will be sent")
        )
        return False

    # ------------------------------------------------------------------ poll & fetch

    def wait(self, records: list[BatchRecord]) -> None:
        """Poll until every batch ended and its results are stored.

        The wait grows by ``backoff`` up to ``poll_interval_max``. At the deadline, batches
        still running are canceled; what they finished is kept (``canceled`` items go back
        to the queue, and the caller routes them to real time).
        """
        pending = {r.row: r for r in records if r.batch_id is not None}
        interval = self.options.poll_interval
        while pending:
            for row in list(pending):
                if self.poll_safely(pending[row]):
                    del pending[row]
            if not pending:
                break
            now = self.clock()
            deadline = self.options.deadline_at
            if deadline is not None and now >= deadline and not self.deadline_hit:
                self.deadline_hit = True
                self.cancel_batches(list(pending.values()), "deadline reached")
                interval = self.options.poll_interval
                continue
            pause = interval
            if deadline is not None and not self.deadline_hit:
                pause = max(0.0, min(pause, deadline - now))
            self.sleep(pause)
            interval = min(interval * self.options.backoff, self.options.poll_interval_max)

    def cancel_batches(self, records: list[BatchRecord], why: str) -> None:
        for record in records:
            assert record.batch_id is not None
            try:
                self.client.messages.batches.cancel(record.batch_id)
            except anthropic.APIStatusError as exc:
                raise_if_fatal(exc)  # an already ended batch answers with an error: fine
            self.ledger.update_batch(record.row, state="canceling")
            self.on_progress(Notice(f"{why}: canceling batch {record.batch_id}"))

    def poll_safely(self, record: BatchRecord) -> bool:
        """``poll``, riding out transient errors (the next poll tries again)."""
        try:
            return self.poll(record)
        except anthropic.NotFoundError:
            # Deleted on the server: its unanswered requests go back to the queue.
            self.ledger.release_batch(record.row)
            self.on_progress(Notice(f"batch {record.batch_id} no longer exists"))
            return True
        except (anthropic.APIConnectionError, anthropic.APIStatusError) as exc:
            raise_if_fatal(exc)
            if isinstance(exc, anthropic.APIStatusError) and not is_transient(exc):
                raise
            self.on_progress(Notice(f"batch {record.batch_id}: {error_message_of(exc)}"))
            return False

    def poll(self, record: BatchRecord) -> bool:
        """Retrieve one batch, report it; fetch its results once ended. True when done."""
        assert record.batch_id is not None
        batch = self.client.messages.batches.retrieve(record.batch_id)
        counts = _counts(batch)
        status = str(batch.processing_status)
        self.ledger.update_batch(record.row, state=status, counts=counts)
        self.on_progress(self._status(record, batch, counts))
        if status != "ended":
            return False
        self.fetch(record)
        self.ledger.update_batch(
            record.row, state="fetched", ended_at=_ts(batch.ended_at) or self.clock()
        )
        return True

    def _status(self, record: BatchRecord, batch: Any, counts: dict[str, int]) -> BatchStatus:
        total = sum(counts.values())
        done = total - counts["processing"]
        created = _ts(batch.created_at) or record.submitted_at
        elapsed = max(0.0, self.clock() - created)
        eta = elapsed * counts["processing"] / done if done and counts["processing"] else None
        return BatchStatus(
            chunk_no=record.chunk_no,
            batch_id=str(batch.id),
            processing_status=str(batch.processing_status),
            total=total,
            processing=counts["processing"],
            succeeded=counts["succeeded"],
            errored=counts["errored"],
            expired=counts["expired"],
            canceled=counts["canceled"],
            elapsed=elapsed,
            eta=0.0 if batch.processing_status == "ended" else eta,
        )

    def fetch(self, record: BatchRecord) -> None:
        """Read the batch's results into the ledger; requests missing from them fail.

        The whole file is read before anything is recorded: an id with more than one line is
        ambiguous (which copy is its own answer cannot be told), so no copy is used, the
        request fails as ``ambiguous_result`` and is retried. A line for a request submitted
        in another batch is rejected by the ledger. Both are reported.
        """
        assert record.batch_id is not None
        outcomes = [
            outcome_from_line(line, self.parse)
            for line in self.client.messages.batches.results(record.batch_id)
        ]
        copies = Counter(o.custom_id for o in outcomes)
        for custom_id, n in copies.items():
            if n > 1:
                again = self.ledger.reject_ambiguous(custom_id, record.row, n, record.batch_id)
                self.on_progress(
                    Notice(
                        f"batch {record.batch_id}: {n} result lines for {custom_id!r} rejected"
                        + ("; none used, the request will be sent again" if again else "")
                    )
                )
        for outcome in outcomes:
            if copies[outcome.custom_id] > 1:
                continue
            verdict = self.ledger.record(outcome, batch_row=record.row)
            if verdict in ("unknown", "foreign"):
                why = "unknown" if verdict == "unknown" else "another batch's"
                self.on_progress(
                    Notice(
                        f"batch {record.batch_id}: result for {why} custom_id "
                        f"{outcome.custom_id!r} rejected"
                    )
                )
            elif self.on_recorded is not None:
                self.on_recorded(outcome)
        for custom_id in self.ledger.waiting_in(record.row):
            self.ledger.mark_failed(
                custom_id,
                "missing_result",
                f"no result line in batch {record.batch_id}",
                count_attempt=True,
            )
