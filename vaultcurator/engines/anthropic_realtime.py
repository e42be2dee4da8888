"""Real-time engine: ``AsyncAnthropic`` with bounded concurrency.

A fixed pool of workers pulls requests from one iterator, so at most ``concurrency`` calls
are in flight and nothing is queued up front. Every outcome is handed to ``on_outcome`` as it
arrives (the caller persists it), so Ctrl-C (``asyncio.run`` cancels the main task on SIGINT)
stops new calls, drops only the calls in flight, and keeps every finished result.

A 429 pauses *all* workers for the server's ``retry-after`` (the limit is account-wide).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator

import anthropic

from vaultcurator.curation.requests import sdk_kwargs
from vaultcurator.domain.requests import CurationRequest, RequestOutcome
from vaultcurator.engines.base import OutcomeParser, PerNoteEngine, PerNoteSink, PreparedNote
from vaultcurator.engines.client import (
    RetryPolicy,
    SharedPause,
    call_with_retries_async,
    make_async_client,
    outcome_from_error,
    raise_if_fatal,
)

OnOutcome = Callable[[CurationRequest, RequestOutcome], None]


async def _curate_one(
    client: anthropic.AsyncAnthropic,
    request: CurationRequest,
    parse: OutcomeParser,
    policy: RetryPolicy,
    pause: SharedPause,
) -> RequestOutcome:
    kwargs = sdk_kwargs(request.params)
    try:
        message = await call_with_retries_async(
            lambda: client.messages.create(**kwargs), policy, pause
        )
    except anthropic.APIError as exc:
        raise_if_fatal(exc)
        return outcome_from_error(request.custom_id, exc)
    return parse(request.custom_id, message, False)


async def run_realtime_async(
    client: anthropic.AsyncAnthropic,
    requests: Iterable[CurationRequest],
    *,
    concurrency: int,
    parse: OutcomeParser,
    on_outcome: OnOutcome,
    policy: RetryPolicy | None = None,
) -> None:
    """Curate ``requests`` with at most ``concurrency`` calls in flight.

    A fatal error (bad key, unknown model) stops every worker and is raised once.
    """
    policy = policy or RetryPolicy()
    pause = SharedPause()
    source: Iterator[CurationRequest] = iter(requests)
    fatal: list[BaseException] = []

    async def worker() -> None:
        try:
            for request in source:  # one shared iterator: each request is taken once
                if fatal:
                    return
                outcome = await _curate_one(client, request, parse, policy, pause)
                on_outcome(request, outcome)
        except Exception as exc:  # fatal API error or a failing sink: stop all, raise once
            fatal.append(exc)

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, concurrency)):
            group.create_task(worker())
    if fatal:
        raise fatal[0]


def run_realtime(
    requests: Iterable[CurationRequest],
    *,
    concurrency: int,
    parse: OutcomeParser,
    on_outcome: OnOutcome,
    policy: RetryPolicy | None = None,
    client_factory: Callable[[], anthropic.AsyncAnthropic] = make_async_client,
) -> None:
    """Blocking entry point: runs the pool in its own event loop (Ctrl-C safe)."""

    async def main() -> None:
        client = client_factory()
        try:
            await run_realtime_async(
                client,
                requests,
                concurrency=concurrency,
                parse=parse,
                on_outcome=on_outcome,
                policy=policy,
            )
        finally:
            await client.close()

    asyncio.run(main())


class RealtimeEngine(PerNoteEngine):
    """The engine protocol over :func:`run_realtime` (the job's ``concurrency``)."""

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        sink = PerNoteSink(self.setup, total)
        run_realtime(
            (self.setup.build(note) for note in notes),
            concurrency=self.setup.options.concurrency,
            parse=self.setup.parse,
            on_outcome=lambda request, outcome: sink(request.path, outcome),
        )
