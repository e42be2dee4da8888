"""The contract between request building, the engines and result handling.

Requests are keyed by ``custom_id`` (``n{index:06d}_{slug}``), built from the job's global
note index; the id -> note map is persisted before anything is sent, and every outcome is
matched back only through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class CurationRequest:
    custom_id: str
    note_index: int
    path: str
    base_hash: str
    params: dict[str, Any]
    """Messages API parameters (model, max_tokens, system, messages, output_config, ...)."""


@dataclass(frozen=True, slots=True)
class CurationAnswer:
    """A validated answer: tags already passed through the tag rules."""

    tags: list[str]
    description: str
    description_note: str | None = None
    """Why ``description`` is empty, when an engine may propose none (the offline one)."""


@dataclass(slots=True)
class Usage:
    input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            self.cache_read_input_tokens + other.cache_read_input_tokens,
            self.output_tokens + other.output_tokens,
        )


OutcomeKind = Literal["succeeded", "errored", "expired", "canceled"]


@dataclass(slots=True)
class RequestOutcome:
    """What one engine call produced for one ``custom_id``."""

    custom_id: str
    kind: OutcomeKind
    answer: CurationAnswer | None = None
    error_type: str | None = None
    """API error type (``overloaded_error``, ``invalid_request_error``, ...) or
    ``invalid_output`` when the model's answer failed validation."""
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    via_batch: bool = False

    @property
    def retryable(self) -> bool:
        """Whether another attempt could succeed (see :func:`is_retryable`)."""
        return self.kind != "succeeded" and is_retryable(self.error_type)


NOT_RETRYABLE = frozenset({"invalid_request_error", "note_changed"})
"""Failures another attempt cannot fix: the API rejected the request as invalid, or the note
changed since the job was planned. Reported, never retried."""


def is_retryable(error_type: str | None) -> bool:
    """The one rule for retrying a failed request: everything but :data:`NOT_RETRYABLE`."""
    return error_type not in NOT_RETRYABLE
