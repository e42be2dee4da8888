"""Message Batch state machine of the fake server.

A batch advances only when it is looked at: each GET retrieve is one "poll", and elapsed
time counts too. Requests complete in processing order as progress grows, so
`request_counts.processing` falls plausibly; items planned to expire or be canceled stay
`processing` until the batch ends. Caller holds the server lock around every method.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .anthropic_faults import ResultFault
from .anthropic_protocol import JSON, rfc3339, utcnow

BATCH_TTL = timedelta(hours=24)


@dataclass
class BatchItem:
    index: int
    custom_id: str
    params: Any
    planned: ResultFault | None = None  # from Faults.result_for, fixed at creation
    result: JSON | None = None  # the results-line `result` object once resolved


@dataclass
class Batch:
    """One batch plus the settings it was created under (later changes don't affect it)."""

    id: str
    seq: int
    items: list[BatchItem]
    polls_to_end: int | None
    seconds_to_end: float | None
    cancel_polls_to_end: int
    shuffle_seed: int | None
    created_at: datetime = field(default_factory=utcnow)
    created_mono: float = field(default_factory=time.monotonic)
    processing_status: str = "in_progress"
    polls: int = 0
    cancel_polls: int = 0
    ended_at: datetime | None = None
    cancel_initiated_at: datetime | None = None
    completed: int = 0  # how many of `processable` have a result
    served: list[JSON] | None = None  # the results file once served (hostile rules applied)

    @property
    def processable(self) -> list[BatchItem]:
        """Items that will be processed (not planned to expire or be canceled)."""
        return [i for i in self.items if i.planned is None or i.planned.kind == "errored"]

    def _progress(self) -> float:
        fractions: list[float] = []
        if self.polls_to_end is not None:
            fractions.append(1.0 if self.polls_to_end <= 0 else self.polls / self.polls_to_end)
        if self.seconds_to_end is not None:
            elapsed = time.monotonic() - self.created_mono
            fractions.append(1.0 if self.seconds_to_end <= 0 else elapsed / self.seconds_to_end)
        return min(1.0, max(fractions, default=1.0))

    def advance(self, complete: Callable[[BatchItem], JSON], *, poll: bool) -> None:
        """Move processing forward; `complete` produces a processed item's result."""
        if self.processing_status == "ended":
            return
        if poll:
            self.polls += 1
        if self.processing_status == "canceling":
            if poll:
                self.cancel_polls += 1
            if self.cancel_polls >= self.cancel_polls_to_end:
                self._end(canceled=True)
            return
        todo = self.processable
        target = len(todo) if self._progress() >= 1.0 else int(len(todo) * self._progress())
        while self.completed < target:
            item = todo[self.completed]
            item.result = complete(item)
            self.completed += 1
        if self._progress() >= 1.0:
            self._end(canceled=False)

    def cancel(self) -> None:
        if self.processing_status == "in_progress":
            self.processing_status = "canceling"
            self.cancel_initiated_at = utcnow()
            if self.cancel_polls_to_end <= 0:
                self._end(canceled=True)

    def force_end(self, complete: Callable[[BatchItem], JSON]) -> None:
        """End now as if all time had passed (unless canceling)."""
        if self.processing_status == "in_progress":
            self.polls_to_end, self.seconds_to_end = 0, None
        else:
            self.cancel_polls_to_end = 0
        self.advance(complete, poll=False)

    def _end(self, *, canceled: bool) -> None:
        for item in self.items:
            if item.result is not None:
                continue
            if canceled:
                item.result = {"type": "canceled"}
            elif item.planned is not None:
                item.result = item.planned.result()
        self.processing_status = "ended"
        self.ended_at = utcnow()

    def request_counts(self) -> dict[str, int]:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        for item in self.items:
            kind = "processing" if item.result is None else str(item.result["type"])
            counts[kind] += 1
        return counts

    def to_json(self, base_url: str) -> JSON:
        ended = self.processing_status == "ended"
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": self.processing_status,
            "request_counts": self.request_counts(),
            "ended_at": rfc3339(self.ended_at) if self.ended_at else None,
            "created_at": rfc3339(self.created_at),
            "expires_at": rfc3339(self.created_at + BATCH_TTL),
            "archived_at": None,
            "cancel_initiated_at": (
                rfc3339(self.cancel_initiated_at) if self.cancel_initiated_at else None
            ),
            "results_url": (f"{base_url}/v1/messages/batches/{self.id}/results" if ended else None),
        }

    def results_lines(self) -> list[JSON]:
        """One dict per results line, in request order or a seeded shuffle of it."""
        lines = [{"custom_id": i.custom_id, "result": i.result} for i in self.items]
        if self.shuffle_seed is not None:
            random.Random(self.shuffle_seed * 1_000_003 + self.seq).shuffle(lines)
        return lines
