"""The simplest engine: one plain ``messages.create`` call per request, one after another.

Meant for a single note (``auto`` routes one note here): no batch latency, no event loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import anthropic

from vaultcurator.curation.requests import sdk_kwargs
from vaultcurator.domain.requests import CurationRequest, RequestOutcome
from vaultcurator.engines.base import OutcomeParser, PerNoteEngine, PerNoteSink, PreparedNote
from vaultcurator.engines.client import (
    RetryPolicy,
    call_with_retries,
    make_client,
    outcome_from_error,
    raise_if_fatal,
)


def curate_one(
    client: anthropic.Anthropic,
    request: CurationRequest,
    parse: OutcomeParser,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> RequestOutcome:
    """Send one request (transient errors retried) and turn the reply into an outcome."""
    kwargs = sdk_kwargs(request.params)
    try:
        message = call_with_retries(lambda: client.messages.create(**kwargs), policy, sleep)
    except anthropic.APIError as exc:
        raise_if_fatal(exc)
        return outcome_from_error(request.custom_id, exc)
    return parse(request.custom_id, message, False)


def run_sync(
    client: anthropic.Anthropic,
    requests: Iterable[CurationRequest],
    *,
    parse: OutcomeParser,
    on_outcome: Callable[[CurationRequest, RequestOutcome], None],
    policy: RetryPolicy | None = None,
) -> None:
    """Each request in turn; ``on_outcome`` persists each answer before the next call."""
    policy = policy or RetryPolicy()
    for request in requests:
        on_outcome(request, curate_one(client, request, parse, policy))


class SyncEngine(PerNoteEngine):
    """The engine protocol over :func:`run_sync`."""

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        sink = PerNoteSink(self.setup, total)
        run_sync(
            make_client(max_retries=0),
            (self.setup.build(note) for note in notes),
            parse=self.setup.parse,
            on_outcome=lambda request, outcome: sink(request.path, outcome),
        )
