"""Routing rules and the retry-after parsing the retry layer relies on."""

from __future__ import annotations

import pytest

from vaultcurator.curation.routing import route, route_retry
from vaultcurator.engines.client import retry_after_seconds


@pytest.mark.parametrize(
    ("count", "mode", "expected"),
    [
        (1, "auto", "sync"),
        (2, "auto", "realtime"),
        (20, "auto", "realtime"),
        (21, "auto", "batch"),
        (500, "realtime", "realtime"),
        (1, "batch", "batch"),
        (7, "sync", "sync"),
    ],
)
def test_route(count: int, mode: str, expected: str) -> None:
    assert route(count, mode, realtime_max=20) == expected


def test_retries_follow_size_but_never_escalate_a_forced_interactive_mode() -> None:
    assert route_retry(50, "auto", 20, past_deadline=False) == "batch"
    assert route_retry(5, "batch", 20, past_deadline=False) == "realtime"
    assert route_retry(50, "realtime", 20, past_deadline=False) == "realtime"
    assert route_retry(50, "batch", 20, past_deadline=True) == "realtime"
    assert route_retry(1, "batch", 20, past_deadline=True) == "sync"
    with pytest.raises(ValueError):
        route(3, "fast", 20)


def test_retry_after_headers() -> None:
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert retry_after_seconds({"retry-after": "0.05"}) == 0.05
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
