"""``messages.count_tokens`` as a plain callable, for :mod:`vaultcurator.curation.calibration`.

Counting is free and answers in a fraction of a second; a failure (no network, a refused
key) is the caller's to turn into "not calibrated", never a failed job.
"""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any

import anthropic

from vaultcurator.engines.client import make_client


@cache
def _native_kwargs() -> frozenset[str]:
    from anthropic.resources.messages import Messages

    names = inspect.signature(Messages.count_tokens).parameters
    return frozenset(n for n in names if n != "self" and not n.startswith("extra_"))


class TokenCounter:
    """Counts the input tokens of Messages API params with one SDK client."""

    def __init__(self, client: anthropic.Anthropic | None = None) -> None:
        self.client = client or make_client(max_retries=1, timeout=30.0)
        self.calls = 0

    def __call__(self, params: dict[str, Any]) -> int:
        native = _native_kwargs()
        kwargs = {k: v for k, v in params.items() if k in native}
        extra = {k: v for k, v in params.items() if k not in native}
        if extra:
            kwargs["extra_body"] = extra
        self.calls += 1
        return int(self.client.messages.count_tokens(**kwargs).input_tokens)


COUNT_ERRORS: tuple[type[BaseException], ...] = (anthropic.APIError,)
"""What a failed count raises (connection, status and timeout errors alike)."""
