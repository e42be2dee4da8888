"""``estimate`` for the ``openai-compatible`` engine: tokens and time, not dollars.

A local model costs nothing per token, but it costs time, and how much depends on the
machine, the model and its quantisation, so no table can say. The estimate counts tokens the
way the Claude estimate does (same prompts, same ~4 characters/token) and times one real
request, built for the selection's median-sized note, on the configured server (the
*calibration call*). The total is that time per note times the number of notes, one request
at a time; a server that runs ``concurrency`` requests in parallel (Ollama's
``OLLAMA_NUM_PARALLEL``, vLLM) can do better, so that figure is shown too. When the server
does not answer, the tokens are still reported with the reason the time is not.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai

from vaultcurator.config import Settings
from vaultcurator.curation.estimate import EXPECTED_OUTPUT_TOKENS, note_estimate
from vaultcurator.curation.requests import PromptContext, build_request, load_body
from vaultcurator.engines.openai_compat import (
    GARBLED,
    Session,
    make_client,
    outcome_from_error,
    raise_if_fatal,
)
from vaultcurator.engines.openai_wire import Endpoint, as_message
from vaultcurator.errors import ConfigError
from vaultcurator.vault.model import Inventory, Note


@dataclass(frozen=True, slots=True)
class Calibration:
    """One timed request: how long the server took for a note of known size."""

    path: str
    seconds: float
    input_tokens: int
    output_tokens: int


@dataclass(slots=True)
class LocalEstimate:
    model: str
    base_url: str
    notes: int
    prefix_tokens: int
    note_tokens: int
    output_tokens: int
    concurrency: int
    calibration: Calibration | None = None
    calibration_error: str | None = None

    @property
    def input_tokens(self) -> int:
        return self.prefix_tokens * self.notes + self.note_tokens

    @property
    def seconds_serial(self) -> float | None:
        """Time for every note one after another, from the calibration call."""
        return None if self.calibration is None else self.calibration.seconds * self.notes

    @property
    def seconds_parallel(self) -> float | None:
        """The same when the server really runs ``concurrency`` requests at once."""
        serial = self.seconds_serial
        return None if serial is None else serial / max(1, self.concurrency)

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": "openai-compatible",
            "model": self.model,
            "base_url": self.base_url,
            "notes": self.notes,
            "prefix_tokens": self.prefix_tokens,
            "note_tokens": self.note_tokens,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "concurrency": self.concurrency,
            "calibration": None
            if self.calibration is None
            else dataclasses.asdict(self.calibration),
            "calibration_error": self.calibration_error,
            "seconds_serial": self.seconds_serial,
            "seconds_parallel": self.seconds_parallel,
            "cost_usd": 0.0,
        }


def median_note(notes: Sequence[Note]) -> Note | None:
    """The note of median size: the calibration should time a typical request."""
    if not notes:
        return None
    return sorted(notes, key=lambda note: (note.size, note.path))[len(notes) // 2]


def calibrate(endpoint: Endpoint, params: dict[str, Any], path: str) -> Calibration:
    """Send one real request and time it (the server's load time for the model included:
    a first request pays it, so the figure errs slow rather than fast)."""

    async def main() -> Calibration:
        session = Session(make_client(endpoint), endpoint)
        try:
            await session.check_model()
            started = time.monotonic()
            try:
                completion = await session.complete(params)
            except (openai.OpenAIError, *GARBLED) as exc:
                raise_if_fatal(exc, endpoint)
                failure = outcome_from_error("calibration", exc).error
                raise ConfigError(f"the calibration call failed: {failure}") from None
            seconds = time.monotonic() - started
        finally:
            await session.client.close()
        usage = as_message(completion)["usage"]
        return Calibration(path, seconds, usage["input_tokens"], usage["output_tokens"])

    return asyncio.run(main())


def estimate_local(
    inventory: Inventory,
    notes: Sequence[Note],
    settings: Settings,
    vault_root: Path,
    *,
    calibrate_time: bool = True,
) -> LocalEstimate:
    """Tokens for ``notes`` and, after one calibration call, the time they would take."""
    endpoint = Endpoint.from_settings(settings.openai)
    curation = dataclasses.replace(settings.curation, model=endpoint.model)
    context = PromptContext.build(inventory, curation, vault_root, expected_requests=len(notes))
    result = LocalEstimate(
        model=endpoint.model,
        base_url=endpoint.base_url,
        notes=len(notes),
        prefix_tokens=context.prefix_tokens,
        note_tokens=sum(note_estimate(n, context, curation, vault_root) for n in notes),
        output_tokens=EXPECTED_OUTPUT_TOKENS * len(notes),
        concurrency=endpoint.concurrency,
    )
    sample = median_note(notes)
    if not calibrate_time or sample is None:
        return result
    body = load_body(vault_root, sample)
    if body is None:
        result.calibration_error = f"{sample.path} changed since the scan"
        return result
    request = build_request(sample, body, context, curation)
    try:
        result.calibration = calibrate(endpoint, request.params, sample.path)
    except ConfigError as exc:
        result.calibration_error = str(exc)
    return result
