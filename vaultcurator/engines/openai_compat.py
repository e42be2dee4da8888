"""The ``openai-compatible`` engine: curate with a local model (Ollama, LM Studio, llama.cpp,
vLLM) through the official ``openai`` SDK and the Chat Completions API.

Like the realtime engine, a fixed pool of ``concurrency`` workers (default 2: a local GPU or
CPU serves one or two requests well) pulls requests from one iterator, and every outcome is
recorded the moment it arrives; Ctrl-C keeps every finished answer and ``resume`` sends the
rest. A worker looks at the job before each request, so ``cancel`` from another terminal (or
the TUI) stops the run after the requests in flight.

Nothing leaves the machine unless the user set a non-loopback URL: the base URL is always
passed to the SDK explicitly (``OPENAI_BASE_URL`` is never consulted), and for a loopback
server the HTTP client ignores proxy variables and follows no redirects.

Errors: timeouts, 429/5xx and dropped connections are retried with exponential backoff
(``openai.attempts``, honouring ``retry-after``); a server that does not answer at all, a
model it does not have and a refused key stop the run with one line that says what to do
(``ollama pull <model>``...). See :mod:`.openai_wire` for the request/reply translation and
the structured-output fallback.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import openai

from vaultcurator.config import OpenAISettings
from vaultcurator.domain.progress import NoteDone, Notice
from vaultcurator.domain.requests import CurationRequest, RequestOutcome
from vaultcurator.domain.secrets import scrub
from vaultcurator.engines import openai_wire
from vaultcurator.engines.base import EngineSetup, OutcomeParser, PerNoteEngine, PreparedNote
from vaultcurator.engines.openai_wire import (
    OUTPUT_LEVELS,
    Endpoint,
    OutputLevel,
    as_message,
    chat_body,
    check_base_url,
    model_missing_message,
    not_running_message,
    refused_key_message,
    rejects_output_format,
    says_model_missing,
)
from vaultcurator.errors import ConfigError
from vaultcurator.store.jobs import get_job

API_KEY_ENVS = ("VAULTCURATOR_OPENAI_API_KEY", "OPENAI_API_KEY")
NO_KEY = "not-needed"
"""Sent as the bearer token when no key is set (local servers ignore it; the SDK needs one)."""
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_DELAY = 30.0
MAX_RETRY_AFTER = 120.0
PREFLIGHT_TIMEOUT = 10.0

OnOutcome = Callable[[CurationRequest, RequestOutcome], None]
GARBLED = (openai.APIResponseValidationError, json.JSONDecodeError)
"""A reply that is not the JSON the protocol promises (a crashed server, a proxy page)."""


def api_key() -> str | None:
    """The key a server needs, from the environment only (never stored, never printed)."""
    for name in API_KEY_ENVS:
        value = os.environ.get(name)
        if value:
            return value
    return None


def make_client(endpoint: Endpoint) -> openai.AsyncOpenAI:
    """An SDK client bound to ``endpoint`` only; its own retries are off (ours decide)."""
    http_client = openai.DefaultAsyncHttpxClient(
        trust_env=not endpoint.local, follow_redirects=False
    )
    return openai.AsyncOpenAI(
        api_key=api_key() or NO_KEY,
        base_url=endpoint.base_url,
        timeout=endpoint.timeout,
        max_retries=0,
        http_client=http_client,
    )


# --------------------------------------------------------------------------- errors


def _message_of(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(exc.message or "")


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) / scale)
            except ValueError:
                continue
    return None


def retry_delay(exc: BaseException, attempt: int, endpoint: Endpoint) -> float | None:
    """Seconds before try ``attempt + 1``, or None when the failure is final."""
    if attempt >= endpoint.attempts:
        return None
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code not in RETRYABLE_STATUSES and exc.status_code < 500:
            return None
        asked = _retry_after(exc)
        if asked is not None:
            return min(asked, MAX_RETRY_AFTER)
    elif not isinstance(exc, (openai.APIConnectionError, *GARBLED)):
        return None
    backoff: float = min(MAX_DELAY, endpoint.base_delay * 2.0 ** (attempt - 1))
    return backoff * (0.75 + random.random() / 2)


def raise_if_fatal(exc: BaseException, endpoint: Endpoint) -> None:
    """Stop the run (ConfigError, exit 2) on what would fail every note alike."""
    if isinstance(exc, openai.APITimeoutError):
        return
    if isinstance(exc, openai.APIConnectionError):
        raise ConfigError(not_running_message(endpoint.base_url)) from None
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in (401, 403):
            raise ConfigError(refused_key_message(endpoint.base_url, status)) from None
        if says_model_missing(status, _message_of(exc)):
            raise ConfigError(model_missing_message(endpoint.model, endpoint.base_url)) from None


def outcome_from_error(custom_id: str, exc: BaseException) -> RequestOutcome:
    """A final failure of one request as an ``errored`` outcome."""
    if isinstance(exc, openai.APITimeoutError):
        error_type, text = "timeout_error", "the server did not answer in time"
    elif isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        error_type = (
            "invalid_request_error"
            if 400 <= status < 500 and status != 429
            else ("rate_limit_error" if status == 429 else "api_error")
        )
        text = f"HTTP {status}: {_message_of(exc)}".rstrip(": ")
    elif isinstance(exc, GARBLED):
        error_type, text = "api_error", "the server's reply was not valid JSON"
    else:
        error_type, text = "api_error", str(exc) or type(exc).__name__
    return RequestOutcome(
        custom_id=custom_id, kind="errored", error_type=error_type, error=scrub(text)
    )


# --------------------------------------------------------------------------- one call


@dataclass(slots=True)
class Session:
    """What the workers of one run share: the client and the output level that works."""

    client: openai.AsyncOpenAI
    endpoint: Endpoint
    level: OutputLevel = "json_schema"
    notify: Callable[[str], None] = field(default=lambda text: None)

    def downgrade(self, tried: OutputLevel) -> bool:
        """Move to the next structured-output level after ``tried`` was refused."""
        if self.level != tried:
            return True  # another worker already moved on
        index = OUTPUT_LEVELS.index(tried)
        if index + 1 >= len(OUTPUT_LEVELS):
            return False
        self.level = OUTPUT_LEVELS[index + 1]
        self.notify(
            f"{self.endpoint.base_url} does not support response_format {tried}; "
            f"using {self.level} with answer validation"
        )
        return True

    async def complete(self, params: dict[str, Any]) -> object:
        """The server's reply to a Messages-shaped request (transient failures retried with
        backoff, the structured-output level lowered when the server refuses it)."""
        attempt = 1
        while True:
            level = self.level
            body = chat_body(params, self.endpoint.model, level)
            try:
                return await self.client.chat.completions.create(**body)
            except openai.APIStatusError as exc:
                if rejects_output_format(exc.status_code, _message_of(exc)) and self.downgrade(
                    level
                ):
                    continue
                delay = retry_delay(exc, attempt, self.endpoint)
                if delay is None:
                    raise
            except (openai.APIConnectionError, *GARBLED) as exc:
                delay = retry_delay(exc, attempt, self.endpoint)
                if delay is None:
                    raise
            await asyncio.sleep(delay)
            attempt += 1

    async def curate(self, request: CurationRequest, parse: OutcomeParser) -> RequestOutcome:
        try:
            completion = await self.complete(request.params)
        except (openai.OpenAIError, *GARBLED) as exc:
            raise_if_fatal(exc, self.endpoint)
            return outcome_from_error(request.custom_id, exc)
        return parse(request.custom_id, as_message(completion), False)

    async def preflight(self) -> list[str] | None:
        """Fail at once, with one line, when the server is down or the URL is not an API.

        Returns the model ids the server lists (None when it lists none or cannot say).
        """
        try:
            page = await self.client.models.list(
                timeout=min(PREFLIGHT_TIMEOUT, self.endpoint.timeout)
            )
        except openai.APITimeoutError:
            return None  # alive but busy: the calls themselves will wait longer
        except openai.APIConnectionError:
            raise ConfigError(not_running_message(self.endpoint.base_url)) from None
        except openai.APIStatusError as exc:
            if exc.status_code in (401, 403):
                raise ConfigError(
                    refused_key_message(self.endpoint.base_url, exc.status_code)
                ) from None
            if exc.status_code == 404:
                raise ConfigError(
                    f"no OpenAI-compatible API at {self.endpoint.base_url} (HTTP 404 on "
                    "/models): the URL usually ends in /v1, e.g. http://127.0.0.1:11434/v1"
                ) from None
            return None
        except (openai.OpenAIError, *GARBLED):
            return None  # a server without /models can still answer chat completions
        return [model.id for model in page.data] or None

    async def check_model(self) -> None:
        """ConfigError naming ``ollama pull`` when the server does not have the model.

        A model the server lists is taken as there; otherwise a one-token request asks
        (llama.cpp lists a file alias, LM Studio loads models on demand).
        """
        listed = await self.preflight()
        if listed is not None and listed_has(listed, self.endpoint.model):
            return
        body = chat_body(
            {"messages": [{"role": "user", "content": "ok"}]}, self.endpoint.model, "text"
        )
        body["max_tokens"] = 1
        try:
            await self.client.chat.completions.create(**body)
        except openai.APIStatusError as exc:
            raise_if_fatal(exc, self.endpoint)
        except (openai.OpenAIError, *GARBLED):
            return  # not a missing model: the run's own retries deal with it


def listed_has(listed: list[str], model: str) -> bool:
    """Whether ``model`` is among the server's ids (Ollama adds ``:latest`` to bare names)."""
    wanted = {model, model.removesuffix(":latest"), f"{model}:latest"}
    return any(name in wanted for name in listed)


def check_server(settings: OpenAISettings) -> None:
    """Raise the one-line ConfigError now if the server is down or lacks the model, so a
    job that could not run is never created."""

    async def main() -> None:
        endpoint = Endpoint.from_settings(settings)
        session = Session(make_client(endpoint), endpoint)
        try:
            await session.check_model()
        finally:
            await session.client.close()

    asyncio.run(main())


# --------------------------------------------------------------------------- the pool


async def run_openai_async(
    session: Session,
    requests: Iterable[CurationRequest],
    *,
    parse: OutcomeParser,
    on_outcome: OnOutcome,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Curate ``requests`` with at most ``endpoint.concurrency`` calls in flight.

    A fatal error stops every worker and is raised once; ``should_stop`` (a cancel) makes
    the workers take no new request.
    """
    await session.preflight()
    source: Iterator[CurationRequest] = iter(requests)
    fatal: list[BaseException] = []

    async def worker() -> None:
        try:
            while not fatal and not should_stop():
                request = next(source, None)
                if request is None:
                    return
                outcome = await session.curate(request, parse)
                on_outcome(request, outcome)
        except Exception as exc:  # a fatal error or a failing sink: stop all, raise once
            fatal.append(exc)

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, session.endpoint.concurrency)):
            group.create_task(worker())
    if fatal:
        raise fatal[0]


def run_openai(
    endpoint: Endpoint,
    requests: Iterable[CurationRequest],
    *,
    parse: OutcomeParser,
    on_outcome: OnOutcome,
    should_stop: Callable[[], bool] = lambda: False,
    notify: Callable[[str], None] = lambda text: None,
    level: OutputLevel = "json_schema",
) -> OutputLevel:
    """Blocking entry point (its own event loop; Ctrl-C safe). Returns the level that worked."""

    async def main() -> OutputLevel:
        session = Session(make_client(endpoint), endpoint, level, notify)
        try:
            await run_openai_async(
                session, requests, parse=parse, on_outcome=on_outcome, should_stop=should_stop
            )
        finally:
            await session.client.close()
        return session.level

    return asyncio.run(main())


class EtaSink:
    """Records each outcome and reports it with an ETA from the throughput so far."""

    def __init__(
        self, setup: EngineSetup, total: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.setup = setup
        self.total = total
        self.clock = clock
        self.started = clock()
        self.done = 0

    def eta(self) -> float | None:
        elapsed = self.clock() - self.started
        if not self.done or elapsed <= 0:
            return None
        return (self.total - self.done) * elapsed / self.done

    def __call__(self, path: str, outcome: RequestOutcome) -> None:
        self.setup.ledger.record(outcome)
        self.done += 1
        self.setup.progress(
            NoteDone(
                outcome.custom_id,
                path,
                outcome.kind,
                self.done,
                self.total,
                outcome.error,
                eta=self.eta(),
            )
        )


def endpoint_for(setup: EngineSetup) -> Endpoint:
    """The job's endpoint: its stored base URL and model, this machine's other settings."""
    settings = setup.app_settings.openai
    base = Endpoint.from_settings(settings, setup.settings.model)
    return Endpoint(
        base_url=check_base_url(setup.options.base_url or base.base_url),
        model=base.model,
        concurrency=max(1, setup.options.concurrency),
        timeout=base.timeout,
        attempts=base.attempts,
        base_delay=openai_wire.BASE_DELAY,
    )


class OpenAICompatEngine(PerNoteEngine):
    """The engine protocol over :func:`run_openai` (one instance per job: it keeps the
    structured-output level that works across retry rounds)."""

    level: OutputLevel = "json_schema"

    def _stop_requested(self) -> bool:
        ledger = self.setup.ledger
        job = get_job(ledger.store, ledger.job_id)
        return job is None or job.status == "canceled" or job.options.canceled

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        endpoint = endpoint_for(self.setup)
        if not endpoint.local:
            self.setup.progress(
                Notice(f"sending notes to {endpoint.base_url} (not this machine), as configured")
            )
        sink = EtaSink(self.setup, total)
        self.level = run_openai(
            endpoint,
            (self.setup.build(note) for note in notes),
            parse=self.setup.parse,
            on_outcome=lambda request, outcome: sink(request.path, outcome),
            should_stop=self._stop_requested,
            notify=lambda text: self.setup.progress(Notice(text)),
            level=self.level,
        )
