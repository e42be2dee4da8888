"""Test doubles for external services (currently: the Anthropic API)."""

from .anthropic_faults import ENDPOINTS, Faults, HttpFault, ResultFault
from .anthropic_protocol import FakeAPIError
from .anthropic_responder import (
    Reply,
    Responder,
    default_responder,
    instance_for_schema,
    request_marker,
    target_schema,
    user_text,
)
from .anthropic_server import FakeAnthropic, RecordedRequest, parse_results_jsonl

__all__ = [
    "ENDPOINTS",
    "FakeAPIError",
    "FakeAnthropic",
    "Faults",
    "HttpFault",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ResultFault",
    "default_responder",
    "instance_for_schema",
    "parse_results_jsonl",
    "request_marker",
    "target_schema",
    "user_text",
]
