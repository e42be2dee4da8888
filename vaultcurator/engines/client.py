"""Anthropic clients and the retry layer shared by the sync and realtime engines.

The SDK's own retries are turned off for message calls (``max_retries=0``) so that one
layer, this one, decides: 429/529/5xx and dropped connections are retried, honoring the
server's ``retry-after`` / ``retry-after-ms`` headers, with exponential backoff otherwise.
Batch *creation* is never retried blindly (the API has no idempotency key, so a retried
create could duplicate a batch); the batch engine reconciles instead.

The API key is read by the SDK from ``ANTHROPIC_API_KEY`` and never stored or printed here;
``ANTHROPIC_BASE_URL`` is honored by the SDK too.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anthropic

from vaultcurator.domain.requests import RequestOutcome
from vaultcurator.domain.secrets import scrub
from vaultcurator.errors import ConfigError

API_KEY_ENV = "ANTHROPIC_API_KEY"
RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
ERROR_TYPE_FOR_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
FATAL_TYPES = frozenset(
    {"authentication_error", "permission_error", "billing_error", "not_found_error"}
)
"""Errors no note can get past (a bad key, an unknown model): the run stops with a message."""

T = TypeVar("T")


def require_api_key() -> None:
    """Fail early (exit 2) when no key is configured; the key itself is never read here."""
    if not os.environ.get(API_KEY_ENV):
        raise ConfigError(
            f"{API_KEY_ENV} is not set: export your Anthropic API key as {API_KEY_ENV}, "
            "or use --engine local to curate offline (nothing leaves the machine)"
        )


def make_client(*, max_retries: int = 2, timeout: float = 600.0) -> anthropic.Anthropic:
    """A synchronous client (key and base URL from the environment)."""
    return anthropic.Anthropic(max_retries=max_retries, timeout=timeout)


def make_async_client(*, max_retries: int = 0, timeout: float = 600.0) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(max_retries=max_retries, timeout=timeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait before retrying one transient failure."""

    attempts: int = 5
    """Total tries of one call (1 = no retry)."""
    base_delay: float = 0.5
    max_delay: float = 60.0
    max_retry_after: float = 300.0
    """A server asking for a longer wait than this is still obeyed only up to this cap."""


def retry_after_seconds(headers: Any) -> float | None:
    """Parse ``retry-after-ms`` / ``retry-after`` (seconds, float or HTTP date)."""
    if headers is None:
        return None
    millis: str | None = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value: str | None = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, anthropic.APIConnectionError):
        return True
    if isinstance(exc, anthropic.APIStatusError):
        if exc.status_code in RETRYABLE_STATUSES:
            return True
        return exc.status_code >= 500
    return False


def retry_delay(exc: BaseException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before try ``attempt + 1``, or None when the error is final."""
    if attempt >= policy.attempts or not is_transient(exc):
        return None
    if isinstance(exc, anthropic.APIStatusError):
        asked = retry_after_seconds(exc.response.headers)
        if asked is not None:
            return min(asked, policy.max_retry_after)
    backoff: float = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
    return backoff * (0.75 + random.random() / 2)


def call_with_retries(
    fn: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep
) -> T:
    attempt = 1
    while True:
        try:
            return fn()
        except Exception as exc:
            delay = retry_delay(exc, attempt, policy)
            if delay is None:
                raise
            sleep(delay)
            attempt += 1


@dataclass(slots=True)
class SharedPause:
    """Account-wide back-off: a 429 makes every concurrent worker wait, not just one."""

    until: float = 0.0

    def push(self, seconds: float) -> None:
        self.until = max(self.until, time.monotonic() + seconds)

    async def wait(self) -> None:
        while (left := self.until - time.monotonic()) > 0:
            await asyncio.sleep(left)


async def call_with_retries_async(
    fn: Callable[[], Awaitable[T]], policy: RetryPolicy, pause: SharedPause | None = None
) -> T:
    attempt = 1
    while True:
        if pause is not None:
            await pause.wait()
        try:
            return await fn()
        except Exception as exc:
            delay = retry_delay(exc, attempt, policy)
            if delay is None:
                raise
            rate_limited = isinstance(exc, anthropic.APIStatusError) and exc.status_code == 429
            if pause is not None and rate_limited:
                pause.push(delay)
            else:
                await asyncio.sleep(delay)
            attempt += 1


def error_type_of(exc: BaseException) -> str:
    """The API's error type for a failed call (``overloaded_error``, ...)."""
    if isinstance(exc, anthropic.APIStatusError):
        body = exc.body
        if isinstance(body, dict):
            inner = body.get("error")
            if isinstance(inner, dict) and isinstance(inner.get("type"), str):
                return str(inner["type"])
        return ERROR_TYPE_FOR_STATUS.get(exc.status_code, "api_error")
    if isinstance(exc, anthropic.APITimeoutError):
        return "timeout_error"
    if isinstance(exc, anthropic.APIConnectionError):
        return "connection_error"
    return "api_error"


def error_message_of(exc: BaseException) -> str:
    """The failure as one line, scrubbed of anything key-like (a gateway may echo the
    ``Authorization`` header in its error text; this text is stored and printed)."""
    if isinstance(exc, anthropic.APIStatusError):
        body = exc.body
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            message = body["error"].get("message")
            if isinstance(message, str):
                return scrub(f"HTTP {exc.status_code}: {message}")
        return f"HTTP {exc.status_code}"
    return scrub(str(exc) or type(exc).__name__)


def raise_if_fatal(exc: BaseException) -> None:
    """Stop the run on errors that would fail every note alike (exit status 2)."""
    error_type = error_type_of(exc)
    if error_type in FATAL_TYPES:
        raise ConfigError(
            f"the Anthropic API refused the request ({error_type}: {error_message_of(exc)}); "
            f"check {API_KEY_ENV}, the model id and the account"
        ) from None


def outcome_from_error(custom_id: str, exc: BaseException) -> RequestOutcome:
    """A failed call as an ``errored`` outcome (retryable unless the request was invalid)."""
    error_type = error_type_of(exc)
    if error_type == "request_too_large":
        error_type = "invalid_request_error"
    return RequestOutcome(
        custom_id=custom_id, kind="errored", error_type=error_type, error=error_message_of(exc)
    )
