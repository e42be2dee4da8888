"""A curation job as the layers see it: the job, its custom_id map, its batches.

Request states: ``planned`` (not sent yet), ``submitted`` (in a batch or in flight),
``succeeded``, ``failed`` (``attempts`` counts the answers that failed or succeeded; a
``canceled`` batch item is not an attempt) and ``canceled`` (its batch was canceled before
it ran: sent again unless the whole job was canceled).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

JobStatus = Literal["planned", "running", "interrupted", "done", "failed", "canceled"]
RESUMABLE_STATUSES: tuple[JobStatus, ...] = ("planned", "running", "interrupted")
LIVE_BATCH_STATES = ("submitting", "in_progress", "canceling", "ended")
"""Batch rows whose results are not fetched yet."""

RecordResult = Literal["recorded", "unknown", "duplicate", "foreign"]
"""``foreign``: a batch results line for a request that was submitted in another batch."""


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    engine: str
    mode: str
    model: str | None
    status: str
    options: JobOptions
    created_at: float
    updated_at: float
    finished_at: float | None


@dataclass(frozen=True, slots=True)
class MapEntry:
    """One line of the job's map, as written before anything is submitted."""

    custom_id: str
    note_index: int
    path: str
    base_hash: str
    old_tags: list[str] | None = None
    old_description: str | None = None


@dataclass(frozen=True, slots=True)
class MappedRequest:
    """A request row: the map entry plus what has happened to it so far."""

    custom_id: str
    note_index: int
    path: str
    base_hash: str
    status: str
    attempts: int
    batch_row: int | None
    error_type: str | None
    error: str | None
    old_tags: list[str] | None
    old_description: str | None


@dataclass(frozen=True, slots=True)
class BatchRecord:
    row: int
    job_id: int
    chunk_no: int
    attempt: int
    batch_id: str | None
    state: str
    request_count: int
    fingerprint: str
    counts: dict[str, int]
    submitted_at: float
    created_at: float | None
    ended_at: float | None


def fingerprint(custom_ids: Iterable[str]) -> str:
    """sha256 of the sorted custom ids: identifies a chunk whatever order it was sent in."""
    digest = hashlib.sha256()
    for custom_id in sorted(custom_ids):
        digest.update(custom_id.encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(slots=True)
class JobOptions:
    """What a job must remember to be resumed exactly as it was started (stored as JSON)."""

    mode: str = "auto"
    """The mode the user asked for (``auto``, ``sync``, ``realtime``, ``batch``; ``local``
    for the offline engine), which decides the routing of every round."""
    batch_size: int = 10_000
    poll_interval: float = 30.0
    poll_interval_max: float = 600.0
    max_retries: int = 2
    concurrency: int = 8
    realtime_max: int = 20
    max_tokens: int = 1024
    deadline_at: float | None = None
    """Epoch seconds after which batches are canceled and the rest goes real time."""
    yes: bool = False
    """Apply the proposals when the job ends (``--yes``)."""
    links: bool = True
    """Also propose related-note links for the curated notes."""
    canceled: bool = False
    """Set by ``cancel``: a runner still going elsewhere sends nothing new."""
    max_cost: float | None = None
    """Spending cap in US dollars (``--max-cost``): no request is sent once the job's spend
    would pass it; ``resume --max-cost`` raises it."""
    prompt_version: str | None = None
    """Hash of the prompt templates the job's requests are rendered from (``status``)."""
    base_url: str | None = None
    """The server of an ``openai-compatible`` job, kept so ``resume`` asks the same one."""
    tag_policy: str | None = None
    """``merge``, ``add`` or ``replace`` as the job started (None: the settings' own)."""
    max_tags: int | None = None
    """The job's tag cap (None: the settings' own)."""

    def to_json(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobOptions:
        """Read stored options; unknown keys (from another version) are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def with_overrides(self, overrides: dict[str, Any]) -> JobOptions:
        """A copy with the given (non-None) fields replaced (``resume --poll-interval``)."""
        merged = {**self.to_json(), **{k: v for k, v in overrides.items() if v is not None}}
        return JobOptions.from_json(merged)
