"""The job ledger: what the engines write through (one job's map, batches and outcomes)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from vaultcurator.domain.jobs import BatchRecord, Job, RecordResult
from vaultcurator.domain.requests import RequestOutcome
from vaultcurator.domain.secrets import scrub, scrub_optional
from vaultcurator.store.db import Store
from vaultcurator.store.jobs import (
    abandon_batch,
    batch_created,
    batch_custom_ids,
    begin_batch,
    get_batch,
    job_batches,
    job_requests,
    known_batch_ids,
    lookup,
    mark_failed,
    next_chunk_no,
    reset_to_planned,
    resubmitting,
    update_batch,
)
from vaultcurator.store.proposals import add_proposal

log = logging.getLogger(__name__)

TagPolicy = Callable[[Sequence[str], Sequence[str]], tuple[list[str], dict[str, str]]]
"""``(author tags, engine tags) -> (new tags, {removed tag: reason})``: the curation layer's
tag policy (:func:`vaultcurator.curation.tag_policy.policy_for`), injected by the runner."""


@dataclass(slots=True)
class JobLedger:
    """What the engines write through: one job's map, batches and outcomes.

    ``record`` matches an outcome to its note only through the stored map; an unknown
    custom_id, or one read from a batch it was not submitted in, is logged and counted in
    ``rejected``, never applied. Error text is scrubbed of key-like tokens before it is stored.
    """

    store: Store
    job: Job
    engine_name: str
    model: str | None
    rejected: list[str] = field(default_factory=list)
    proposals: list[int] = field(default_factory=list)
    tag_policy: TagPolicy | None = None
    """Every engine's tags pass through it before they become a proposal (None: as given)."""

    @property
    def job_id(self) -> int:
        return self.job.id

    # -- the batch engine's view of the job (every call is one committed step)

    def begin_chunk(self, custom_ids: Sequence[str], attempt: int) -> BatchRecord:
        """The next chunk, stored as ``submitting`` before its create call."""
        chunk_no = next_chunk_no(self.store, self.job.id)
        return begin_batch(self.store, self.job.id, chunk_no, attempt, custom_ids)

    def batch(self, row: int) -> BatchRecord:
        return get_batch(self.store, row)

    def batches(self, states: Sequence[str] | None = None) -> list[BatchRecord]:
        return job_batches(self.store, self.job.id, states)

    def batch_created(self, row: int, batch_id: str, created_at: float | None) -> None:
        batch_created(self.store, row, batch_id, created_at)

    def resubmitting(self, row: int) -> None:
        resubmitting(self.store, row)

    def known_batch_ids(self) -> set[str]:
        return known_batch_ids(self.store)

    def update_batch(
        self,
        row: int,
        *,
        state: str | None = None,
        counts: dict[str, int] | None = None,
        ended_at: float | None = None,
    ) -> None:
        update_batch(self.store, row, state=state, counts=counts, ended_at=ended_at)

    def abandon_batch(self, row: int, reason: str, *, error_type: str) -> None:
        abandon_batch(self.store, row, scrub(reason), error_type=error_type)

    def release_batch(self, row: int) -> int:
        """A batch that never existed or vanished: its unanswered requests are queued again."""
        ids = batch_custom_ids(self.store, row)
        update_batch(self.store, row, state="lost")
        reset_to_planned(self.store, self.job.id, ids)
        return len(ids)

    def waiting_in(self, row: int) -> list[str]:
        """Custom ids still waiting on the batch stored at ``row``."""
        return [
            e.custom_id
            for e in job_requests(self.store, self.job.id, ("submitted",))
            if e.batch_row == row
        ]

    def mark_failed(
        self, custom_id: str, error_type: str, error: str, *, count_attempt: bool = False
    ) -> None:
        mark_failed(
            self.store,
            self.job.id,
            custom_id,
            error_type,
            scrub(error),
            count_attempt=count_attempt,
        )

    def reject_ambiguous(self, custom_id: str, batch_row: int, copies: int, batch_id: str) -> bool:
        """Several result lines for one id in one batch: none is trusted (which copy is the
        note's own answer cannot be told). The request fails as ``ambiguous_result`` and is
        retried like any retryable failure; True when it was waiting on that batch."""
        entry = lookup(self.store, self.job.id, custom_id)
        if entry is None or entry.batch_row != batch_row or entry.status != "submitted":
            return False
        self.rejected.append(custom_id)
        log.warning("job %s: %d result lines for %r rejected", self.job.id, copies, custom_id)
        self.mark_failed(
            custom_id,
            "ambiguous_result",
            f"batch {batch_id} returned {copies} result lines for this request; none was used",
            count_attempt=True,
        )
        return True

    def record(self, outcome: RequestOutcome, *, batch_row: int | None = None) -> RecordResult:
        """Persist one outcome (a success becomes a proposal at once).

        ``batch_row``: the batch the outcome was read from. A line is accepted only from the
        batch its request was submitted in (a line claiming a request of another batch is
        ``foreign``: rejected, so it can neither land on the note nor shadow the genuine
        answer). A failure read from a batch the request is no longer waiting on (results
        fetched twice after a crash) is stale and ignored, so it cannot use up its retries.
        """
        entry = lookup(self.store, self.job.id, outcome.custom_id)
        if entry is None:
            log.warning(
                "job %s: result for unknown custom_id %r rejected", self.job.id, outcome.custom_id
            )
            self.rejected.append(outcome.custom_id)
            return "unknown"
        if batch_row is not None and entry.batch_row != batch_row:
            log.warning(
                "job %s: result for %r read from batch row %s, but it was submitted in %s;"
                " rejected",
                self.job.id,
                outcome.custom_id,
                batch_row,
                entry.batch_row,
            )
            self.rejected.append(outcome.custom_id)
            return "foreign"
        if entry.status == "succeeded":
            return "duplicate"
        waiting = entry.status == "submitted" and entry.batch_row == batch_row
        if batch_row is not None and outcome.kind != "succeeded" and not waiting:
            return "duplicate"
        usage = outcome.usage
        if outcome.kind == "succeeded" and outcome.answer is not None:
            new_tags: list[str] = list(outcome.answer.tags)
            reasons: dict[str, str] = {}
            if self.tag_policy is not None:
                new_tags, reasons = self.tag_policy(entry.old_tags or [], new_tags)
            # Nothing proposed (the offline engine proposes only what the evidence supports):
            # the key is left alone, never written as ``tags: []`` or ``description: ""``.
            tags_touched = bool(new_tags or entry.old_tags)
            description = outcome.answer.description
            proposal_id = add_proposal(
                self.store,
                path=entry.path,
                note_index=entry.note_index,
                base_hash=entry.base_hash,
                engine=self.engine_name,
                model=self.model,
                old_tags=entry.old_tags,
                new_tags=new_tags if tags_touched else None,
                tag_reasons=reasons,
                old_description=entry.old_description,
                new_description=description,
                set_description=bool(description),
                description_note=None if description else outcome.answer.description_note,
                job_id=self.job.id,
            )
            self.proposals.append(proposal_id)
            status, error_type, error, attempt = "succeeded", None, None, 1
        elif outcome.kind == "canceled":
            status, error_type, error, attempt = "canceled", "canceled", outcome.error, 0
        else:
            status = "failed"
            error_type = outcome.error_type or outcome.kind
            error = outcome.error or outcome.kind
            attempt = 1
        self.store.execute(
            "UPDATE requests SET status = ?, error_type = ?, error = ?,"
            " attempts = attempts + ?, input_tokens = input_tokens + ?,"
            " cache_creation_tokens = cache_creation_tokens + ?,"
            " cache_read_tokens = cache_read_tokens + ?, output_tokens = output_tokens + ?,"
            " via_batch = ? WHERE job_id = ? AND custom_id = ?",
            (
                status,
                error_type,
                scrub_optional(error),
                attempt,
                usage.input_tokens,
                usage.cache_creation_input_tokens,
                usage.cache_read_input_tokens,
                usage.output_tokens,
                1 if outcome.via_batch else 0,
                self.job.id,
                outcome.custom_id,
            ),
        )
        return "recorded"
