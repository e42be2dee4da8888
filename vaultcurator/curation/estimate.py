"""Predict tokens and dollars for a curation job before anything is sent (no network).

Input tokens per note are the shared prefix (system prompt with the taxonomy), the schema
the API adds for structured output, and the note's own user turn (rendered exactly as it
would be sent when the body is at hand, else sized from the file); output is assumed to be
about :data:`EXPECTED_OUTPUT_TOKENS` per note (a handful of tags and one sentence). All
token counts are the ~4 characters/token approximation of :mod:`.prompts`.

With caching, the prefix is assumed written once per parallel stream (``concurrency``
requests) and read by every other request: a best case for real time, optimistic for
batches, where cache hits are best effort. Rows without caching are the upper bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.cost import cost_usd
from vaultcurator.curation.pricing import cache_min_tokens, price_for
from vaultcurator.curation.prompts import CHARS_PER_TOKEN, approx_tokens
from vaultcurator.curation.requests import (
    SCHEMA_OVERHEAD_TOKENS,
    PromptContext,
    load_body,
    render_note,
)
from vaultcurator.curation.types import Usage
from vaultcurator.vault.model import Note

EXPECTED_OUTPUT_TOKENS = 60
MESSAGE_OVERHEAD_TOKENS = 10
"""Role markers and framing the API adds around a one-turn conversation."""


@dataclass(slots=True)
class ModeEstimate:
    mode: str
    """``standard`` (sync and realtime share the price) or ``batch``."""
    cached: bool
    usage: Usage
    cost_usd: float


@dataclass(slots=True)
class Estimate:
    model: str
    notes: int
    prefix_tokens: int
    """Shared prefix per request (system prompt and taxonomy)."""
    note_tokens: int
    """Sum over notes of their own input (user turn, schema and framing)."""
    output_tokens: int
    cacheable: bool
    cache_min_tokens: int
    auto_mode: str
    """What ``--mode auto`` would pick for this many notes: sync, realtime or batch."""
    rows: list[ModeEstimate] = field(default_factory=list)

    @property
    def input_tokens(self) -> int:
        """All input tokens, the prefix counted in full for every request."""
        return self.prefix_tokens * self.notes + self.note_tokens

    def row(self, mode: str, cached: bool) -> ModeEstimate | None:
        return next((r for r in self.rows if r.mode == mode and r.cached == cached), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "notes": self.notes,
            "prefix_tokens": self.prefix_tokens,
            "note_tokens": self.note_tokens,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cacheable": self.cacheable,
            "cache_min_tokens": self.cache_min_tokens,
            "auto_mode": self.auto_mode,
            "modes": [
                {
                    "mode": r.mode,
                    "cached": r.cached,
                    **asdict(r.usage),
                    "cost_usd": round(r.cost_usd, 6),
                }
                for r in self.rows
            ],
        }


def auto_mode_for(count: int, settings: CurationSettings) -> str:
    """The routing rule of ``--mode auto``: 1 note sync, a few realtime, more batch."""
    if count <= 1:
        return "sync"
    if count <= settings.realtime_max:
        return "realtime"
    return "batch"


def _note_tokens(
    note: Note, context: PromptContext, settings: CurationSettings, vault_root: Path | None
) -> int:
    body = note.body
    if body is None and vault_root is not None:
        body = load_body(vault_root, note)
    if body is not None:
        return approx_tokens(render_note(note, body, context, settings))
    # Not at hand: size the body from the file, capped by the budget as the prompt would be.
    frame = approx_tokens(render_note(note, "", context, settings))
    return frame + min(settings.body_token_budget, note.size // CHARS_PER_TOKEN)


def estimate(
    notes: Sequence[Note],
    context: PromptContext,
    settings: CurationSettings,
    *,
    vault_root: Path | None = None,
) -> Estimate:
    """Tokens and cost per mode for curating ``notes`` (``vault_root`` lets bodies be read)."""
    model = settings.model
    price_for(model)  # an unknown model fails here, before any arithmetic
    count = len(notes)
    note_tokens = sum(
        _note_tokens(n, context, settings, vault_root)
        + SCHEMA_OVERHEAD_TOKENS
        + MESSAGE_OVERHEAD_TOKENS
        for n in notes
    )
    output = EXPECTED_OUTPUT_TOKENS * count
    result = Estimate(
        model=model,
        notes=count,
        prefix_tokens=context.prefix_tokens,
        note_tokens=note_tokens,
        output_tokens=output,
        cacheable=context.cacheable,
        cache_min_tokens=cache_min_tokens(model),
        auto_mode=auto_mode_for(count, settings),
    )
    plain = Usage(input_tokens=result.input_tokens, output_tokens=output)
    writes = min(count, max(1, settings.concurrency))
    cached = Usage(
        input_tokens=note_tokens,
        cache_creation_input_tokens=context.prefix_tokens * writes,
        cache_read_input_tokens=context.prefix_tokens * (count - writes),
        output_tokens=output,
    )
    for mode, batch in (("standard", False), ("batch", True)):
        result.rows.append(ModeEstimate(mode, False, plain, cost_usd(plain, model, batch=batch)))
        if context.cacheable and count:
            result.rows.append(
                ModeEstimate(mode, True, cached, cost_usd(cached, model, batch=batch))
            )
    return result
