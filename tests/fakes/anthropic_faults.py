"""Fault plan for the fake Anthropic server: HTTP-level faults and per-batch-item outcomes.

Tests change it at runtime from the test thread while server threads consume it, so every
operation takes the plan's lock. Rules are consumed first-in, first-out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Literal

from .anthropic_protocol import ERROR_TYPE_FOR_STATUS

ResultKind = Literal["errored", "expired", "canceled"]
CustomIdMatch = str | Collection[str] | Callable[[str], bool]

# Endpoint names used by `fail_next` & co. and recorded on each logged request.
ENDPOINTS = frozenset(
    {
        "messages",
        "count_tokens",
        "batches.create",
        "batches.list",
        "batches.retrieve",
        "batches.cancel",
        "batches.delete",
        "batches.results",
    }
)
ANY_ENDPOINT = "*"


class ResultFault(Exception):
    """How one request ends instead of succeeding: `errored`, `expired` or `canceled`.

    Used by `Faults.result_for` rules, and may also be raised or returned by a responder.
    An `errored` fault on `/v1/messages` becomes an HTTP error of `error_type`.
    """

    def __init__(
        self,
        kind: ResultKind = "errored",
        error_type: str = "overloaded_error",
        message: str | None = None,
    ) -> None:
        super().__init__(f"{kind}: {error_type}")
        if kind not in ("errored", "expired", "canceled"):
            raise ValueError(f"unknown result kind {kind!r}")
        self.kind: ResultKind = kind
        self.error_type = error_type
        self.message = message or f"Injected {error_type}"

    def result(self) -> dict[str, object]:
        """The `result` object of a batch results line."""
        if self.kind != "errored":
            return {"type": self.kind}
        return {
            "type": "errored",
            "error": {
                "type": "error",
                "error": {"type": self.error_type, "message": self.message},
            },
        }


@dataclass
class HttpFault:
    """One queued HTTP-level fault; `status=None` means no error (pure delay)."""

    endpoint: str
    remaining: int
    status: int | None = None
    error_type: str | None = None
    message: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    disconnect: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _ResultRule:
    match: Callable[[str], bool]
    fault: ResultFault
    remaining: int | None


@dataclass
class _LineRule:
    """A hostile results-file rule: ``duplicate`` a line (wrong copy first) or add a
    ``foreign`` line claiming a request that went into another batch."""

    kind: Literal["duplicate", "foreign"]
    match: Callable[[str], bool]
    remaining: int | None


def _matcher(match: CustomIdMatch) -> Callable[[str], bool]:
    if isinstance(match, str):
        return lambda custom_id: custom_id == match
    if callable(match):
        return match
    wanted = frozenset(match)
    return lambda custom_id: custom_id in wanted


def _check_endpoint(endpoint: str) -> None:
    if endpoint != ANY_ENDPOINT and endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; use one of {sorted(ENDPOINTS)} or '*'")


class Faults:
    """Thread-safe, runtime-configurable fault plan (see `FakeAnthropic.faults`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._http: list[HttpFault] = []
        self._results: list[_ResultRule] = []
        self._lines: list[_LineRule] = []
        self.echo_auth_next = 0
        """Answer the next N calls with an error whose message echoes the Authorization
        header (a gateway leaking the caller's key); see `echo_auth_in_errors`."""

    # ------------------------------------------------------------------ configuration

    def fail_next(
        self,
        endpoint: str,
        status: int = 529,
        *,
        times: int = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
        error_type: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `times` calls of `endpoint` ('*' = any) with an HTTP error.

        A 429 gets `retry-after: 1` unless `retry_after` says otherwise (floats are
        honoured by the SDK, so tests can use e.g. 0.01 to stay fast).
        """
        _check_endpoint(endpoint)
        if status == 429 and retry_after is None:
            retry_after = 1.0
        fault = HttpFault(
            endpoint,
            times,
            status=status,
            error_type=error_type or ERROR_TYPE_FOR_STATUS.get(status, "api_error"),
            message=message,
            retry_after=retry_after,
            delay=delay,
            headers=dict(headers or {}),
        )
        with self._lock:
            self._http.append(fault)

    def delay_next(self, endpoint: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next `times` calls of `endpoint` for `seconds`, then answer normally."""
        _check_endpoint(endpoint)
        with self._lock:
            self._http.append(HttpFault(endpoint, times, delay=seconds))

    def disconnect_next(self, endpoint: str, *, times: int = 1) -> None:
        """Drop the connection without any response (the SDK sees a connection error)."""
        _check_endpoint(endpoint)
        with self._lock:
            self._http.append(HttpFault(endpoint, times, disconnect=True))

    def result_for(
        self,
        match: CustomIdMatch,
        kind: ResultKind = "errored",
        *,
        error_type: str = "overloaded_error",
        message: str | None = None,
        times: int | None = None,
    ) -> None:
        """Make batch requests whose custom_id matches end as `kind` instead of succeeding.

        `match` is a custom_id, a collection of them, or a predicate. Rules apply when a
        batch is created; `times` limits how many requests a rule may hit (None = all),
        which lets a resubmitted request succeed the second time.
        """
        fault = ResultFault(kind, error_type, message)
        with self._lock:
            self._results.append(_ResultRule(_matcher(match), fault, times))

    def duplicate_result(self, match: CustomIdMatch, *, times: int | None = None) -> None:
        """Serve the results line of each matching custom_id twice, a wrong copy first.

        The wrong copy carries another request's result from the same batch (the answer for
        a different note), so a client that takes the first line for an id misroutes it.
        `times` limits how many ids the rule may hit (None = all), so a retried request can
        come back clean.
        """
        with self._lock:
            self._lines.append(_LineRule("duplicate", _matcher(match), times))

    def foreign_result(self, match: CustomIdMatch = lambda _: True, *, times: int = 1) -> None:
        """Put first in the next served results file a line for a request of *another* batch.

        The line claims the first matching custom_id of the newest other batch and carries
        this batch's first result (a wrong answer), as a confused or hostile server might.
        """
        with self._lock:
            self._lines.append(_LineRule("foreign", _matcher(match), times))

    def echo_auth_in_errors(self, times: int = 1) -> None:
        """Answer the next `times` calls (any endpoint) with a 400 whose error message
        repeats the request's Authorization / x-api-key header verbatim."""
        with self._lock:
            self.echo_auth_next += times

    def clear(self) -> None:
        """Drop every pending rule."""
        with self._lock:
            self._http.clear()
            self._results.clear()
            self._lines.clear()
            self.echo_auth_next = 0

    @property
    def pending_http(self) -> list[HttpFault]:
        """Unconsumed HTTP faults (copies), to assert a test used what it queued."""
        with self._lock:
            return [HttpFault(**vars(f)) for f in self._http if f.remaining > 0]

    # ------------------------------------------------------------------ server side

    def take_http(self, endpoint: str) -> HttpFault | None:
        """Consume one use of the oldest rule matching `endpoint`."""
        with self._lock:
            for fault in self._http:
                if fault.remaining > 0 and fault.endpoint in (endpoint, ANY_ENDPOINT):
                    fault.remaining -= 1
                    self._http = [f for f in self._http if f.remaining > 0]
                    return fault
        return None

    def take_echo_auth(self) -> bool:
        """Consume one use of `echo_auth_in_errors`."""
        with self._lock:
            if self.echo_auth_next <= 0:
                return False
            self.echo_auth_next -= 1
            return True

    def tamper_results(
        self, lines: list[dict[str, object]], others: list[list[str]]
    ) -> list[dict[str, object]]:
        """`lines` (one batch's results) as the hostile rules serve them; `others`: the
        custom_ids of every other batch, newest first. Called once per batch (cached)."""
        out = list(lines)
        with self._lock:
            for rule in self._lines:
                if rule.remaining == 0 or not out:
                    continue
                if rule.kind == "foreign":
                    claimed = next((cid for ids in others for cid in ids if rule.match(cid)), None)
                    if claimed is None:
                        continue
                    out.insert(0, {"custom_id": claimed, "result": out[0]["result"]})
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    continue
                tampered: list[dict[str, object]] = []
                for i, line in enumerate(out):
                    cid = str(line["custom_id"])
                    if rule.remaining != 0 and rule.match(cid):
                        wrong = out[(i + 1) % len(out)]["result"]
                        tampered.append({"custom_id": cid, "result": wrong})
                        if rule.remaining is not None:
                            rule.remaining -= 1
                    tampered.append(line)
                out = tampered
            self._lines = [r for r in self._lines if r.remaining != 0]
        return out

    def take_result(self, custom_id: str) -> ResultFault | None:
        """Consume one use of the oldest result rule matching `custom_id`."""
        with self._lock:
            for rule in self._results:
                if rule.remaining == 0 or not rule.match(custom_id):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule.fault
        return None
