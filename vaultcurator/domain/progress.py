"""Progress events of a curation run.

The engines never print nor import a UI library: they call a :data:`ProgressCallback` with
these small immutable events, and the CLI (rich progress bars) or the TUI renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RoundStarted:
    """A set of requests is about to be sent (``round`` 0 is the first pass, 1.. retries)."""

    mode: str
    count: int
    round: int


@dataclass(frozen=True, slots=True)
class NoteDone:
    """One note answered (or failed) in sync, realtime or local mode."""

    custom_id: str
    path: str
    kind: str
    """``succeeded``, ``errored``, ``expired`` or ``canceled``."""
    done: int
    total: int
    error: str | None = None
    eta: float | None = None
    """Estimated seconds left from the throughput so far (engines that measure it)."""


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """A batch as of its last poll."""

    chunk_no: int
    batch_id: str
    processing_status: str
    """``in_progress``, ``canceling`` or ``ended`` (``fetched`` once its results are stored)."""
    total: int
    processing: int
    succeeded: int
    errored: int
    expired: int
    canceled: int
    elapsed: float
    """Seconds since the batch was created."""
    eta: float | None
    """Estimated seconds left, from the pace so far; None before anything finished."""

    @property
    def done(self) -> int:
        return self.total - self.processing


@dataclass(frozen=True, slots=True)
class Notice:
    """A line worth telling the user (a batch created, a deadline reached, a rejected id)."""

    text: str


ProgressEvent = RoundStarted | NoteDone | BatchStatus | Notice
ProgressCallback = Callable[[ProgressEvent], None]


def ignore_progress(event: ProgressEvent) -> None:
    """The default callback: nobody is watching."""
