"""Predict tokens and dollars for a curation job before anything is sent (no network).

Input tokens per note are the shared prefix (system prompt with the taxonomy), the schema
the API adds for structured output, and the note's own user turn (rendered exactly as it
would be sent when the body is at hand, else sized from the file); output is assumed to be
about :data:`EXPECTED_OUTPUT_TOKENS` per note (a couple of tags and one sentence). Token
counts are the per-script estimate of :mod:`.tokens`, scaled by the API's own counts when a
calibration is at hand (:mod:`.calibration`); ``calibrated`` says which.

Caching rows price the prefix as it would be sent when cached: grown to the model's minimum
cacheable length when it is shorter (see :mod:`.requests`), so they appear whenever the vault
has enough to say to fill it. In real time the prefix is assumed written once per parallel
stream (``concurrency``) and read by every other request. Batches are modelled
conservatively: cache hits there are best effort, so only
:data:`~vaultcurator.curation.pricing.BATCH_CACHE_HIT_RATE` of the requests are assumed to
read the cache and every other one pays a write (2x input). Rows without caching price the
prefix uncached (within its own taxonomy budget). ``cacheable`` says which the job will do:
the break-even rule of :func:`~vaultcurator.curation.requests.caching_choice`, for the
mode the job would run in, which is what ``curate`` applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.cost import cost_usd
from vaultcurator.curation.pricing import (
    BATCH_CACHE_HIT_RATE,
    break_even_hit_rate,
    break_even_requests,
    cache_min_tokens,
    expected_cache_writes,
    price_for,
)
from vaultcurator.curation.prompts import approx_tokens
from vaultcurator.curation.requests import (
    SCHEMA_OVERHEAD_TOKENS,
    PromptContext,
    caching_choice,
    expected_mode,
    load_body,
    render_note,
)
from vaultcurator.curation.tokens import estimate_tokens
from vaultcurator.domain.requests import Usage
from vaultcurator.vault.model import Note

EXPECTED_OUTPUT_TOKENS = 80
"""Output per note: the JSON object with a few tags and a sentence of <= 160 characters."""
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
    """Shared prefix per request (system prompt and taxonomy), as the job would send it."""
    note_tokens: int
    """Sum over notes of their own input (user turn, schema and framing)."""
    output_tokens: int
    cacheable: bool
    """Whether the job will cache its prefix (grown to the minimum when needed)."""
    cache_min_tokens: int
    auto_mode: str
    """What ``--mode auto`` would pick for this many notes: sync, realtime or batch."""
    rows: list[ModeEstimate] = field(default_factory=list)
    plain_prefix_tokens: int = 0
    """The prefix uncached."""
    cached_prefix_tokens: int | None = None
    """The prefix grown to be cacheable; None when the vault cannot fill it."""
    job_mode: str = "batch"
    """The mode the job would first run in (what the caching choice is made for)."""
    break_even_requests: int | None = None
    """Fewest real-time requests for which caching pays (None: never)."""
    break_even_hit_rate: float | None = None
    """Share of batch cache hits above which caching pays (None: never)."""
    batch_hit_rate: float = BATCH_CACHE_HIT_RATE
    """The share of batch hits the cached batch row assumes."""
    calibrated: bool = False
    """Whether the token counts were corrected with the API's ``count_tokens``."""

    @property
    def calibration_note(self) -> str:
        """One line on where the token counts come from, for people."""
        if self.calibrated:
            return "Token counts calibrated with the API's count_tokens on this job's requests."
        return "Token counts estimated offline (not calibrated: no API key or no network)."

    def job_cost_usd(self) -> float:
        """What the job is expected to cost in the mode it would run in, as it would cache."""
        mode = "batch" if self.job_mode == "batch" else "standard"
        row = self.row(mode, self.cacheable) or self.row(mode, False)
        return row.cost_usd if row is not None else 0.0

    @property
    def caching_note(self) -> str:
        """One sentence on the caching choice and why, for people."""
        if self.cached_prefix_tokens is None:
            return (
                f"No caching: the prefix ({self.plain_prefix_tokens:,} tokens) is under the "
                f"{self.cache_min_tokens:,}-token minimum of {self.model} and the vault has "
                "too little taxonomy to fill it."
            )
        grown = self.cached_prefix_tokens > self.plain_prefix_tokens
        how = (
            f"grown from {self.plain_prefix_tokens:,} to {self.cached_prefix_tokens:,} tokens "
            f"(minimum {self.cache_min_tokens:,})"
            if grown
            else f"{self.cached_prefix_tokens:,} tokens"
        )
        if self.job_mode == "batch":
            rule = (
                f"in a batch it pays above {self.break_even_hit_rate:.0%} cache hits; "
                f"{self.batch_hit_rate:.0%} assumed"
                if self.break_even_hit_rate is not None
                else "in a batch it never pays"
            )
        else:
            rule = (
                f"in {self.job_mode} it pays from {self.break_even_requests:,} requests"
                if self.break_even_requests is not None
                else f"in {self.job_mode} it never pays"
            )
        verdict = "The shared prefix will be cached" if self.cacheable else "No caching"
        return f"{verdict}: prefix {how}; {rule}."

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
            "plain_prefix_tokens": self.plain_prefix_tokens,
            "cached_prefix_tokens": self.cached_prefix_tokens,
            "job_mode": self.job_mode,
            "break_even_requests": self.break_even_requests,
            "break_even_hit_rate": self.break_even_hit_rate,
            "batch_hit_rate": self.batch_hit_rate,
            "caching_note": self.caching_note,
            "calibrated": self.calibrated,
            "job_cost_usd": round(self.job_cost_usd(), 6),
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
    return frame + min(settings.body_token_budget, estimate_tokens("x" * (note.size // 2)))


def note_estimate(
    note: Note, context: PromptContext, settings: CurationSettings, vault_root: Path | None
) -> int:
    """Estimated tokens of one note's own part of its request (user turn, schema, framing)."""
    return (
        _note_tokens(note, context, settings, vault_root)
        + SCHEMA_OVERHEAD_TOKENS
        + MESSAGE_OVERHEAD_TOKENS
    )


def estimate(
    notes: Sequence[Note],
    context: PromptContext,
    settings: CurationSettings,
    *,
    vault_root: Path | None = None,
    expected_requests: int | None = None,
    note_scale: float | None = None,
) -> Estimate:
    """Tokens and cost per mode for curating ``notes`` (``vault_root`` lets bodies be read).

    The caching choice is made for ``expected_requests`` (default: one per note), the same
    way :meth:`PromptContext.build` makes it for a job. ``note_scale`` (from a calibration)
    corrects each note's estimated tokens; the prefix comes corrected in ``context``.
    """
    model = settings.model
    price_for(model)  # an unknown model fails here, before any arithmetic
    count = len(notes)
    requests = count if expected_requests is None else expected_requests
    note_tokens = round(
        sum(note_estimate(n, context, settings, vault_root) for n in notes) * (note_scale or 1.0)
    )
    output = EXPECTED_OUTPUT_TOKENS * count
    plain_prefix = context.plain_prefix_tokens or context.prefix_tokens
    cached_prefix = context.cached_prefix_tokens
    will_cache = caching_choice(plain_prefix, cached_prefix, requests, settings)
    result = Estimate(
        model=model,
        notes=count,
        prefix_tokens=cached_prefix if will_cache and cached_prefix else plain_prefix,
        note_tokens=note_tokens,
        output_tokens=output,
        cacheable=will_cache,
        cache_min_tokens=cache_min_tokens(model),
        auto_mode=auto_mode_for(count, settings),
        plain_prefix_tokens=plain_prefix,
        cached_prefix_tokens=cached_prefix,
        job_mode=expected_mode(requests, settings),
        batch_hit_rate=settings.batch_cache_hit_rate,
        calibrated=note_scale is not None,
    )
    if cached_prefix is not None:
        result.break_even_requests = break_even_requests(
            model, plain_prefix, cached_prefix, parallel=settings.concurrency
        )
        result.break_even_hit_rate = break_even_hit_rate(model, plain_prefix, cached_prefix)
    plain = Usage(input_tokens=plain_prefix * count + note_tokens, output_tokens=output)
    for mode, batch in (("standard", False), ("batch", True)):
        result.rows.append(ModeEstimate(mode, False, plain, cost_usd(plain, model, batch=batch)))
        if cached_prefix is None or not count:
            continue
        writes = expected_cache_writes(
            count,
            batch=batch,
            parallel=settings.concurrency,
            hit_rate=settings.batch_cache_hit_rate,
        )
        cached = Usage(
            input_tokens=note_tokens,
            cache_creation_input_tokens=cached_prefix * writes,
            cache_read_input_tokens=cached_prefix * (count - writes),
            output_tokens=output,
        )
        result.rows.append(ModeEstimate(mode, True, cached, cost_usd(cached, model, batch=batch)))
    return result
