"""What each model costs and how long a prompt prefix must be before the API caches it.

Prices are US dollars per million tokens at the standard (non-batch) rate. Cache writes cost
1.25x the input price for the 5-minute TTL and 2x for the 1-hour TTL; cache reads 0.1x; the
Batch API halves everything, discounts stacking.

A model id is matched by the longest table key that prefixes it, so dated ids
(``claude-haiku-4-5-20251001``) find their alias. An id that is not in the table but names a
known family at a newer version (``claude-opus-4-9``) gets the newest listed price of that
family; anything else raises :class:`UnknownModelError` rather than guess a price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaultcurator.errors import ConfigError

CACHE_WRITE_5M_MULTIPLIER = 1.25
CACHE_WRITE_1H_MULTIPLIER = 2.0
CACHE_READ_MULTIPLIER = 0.1
BATCH_DISCOUNT = 0.5
DEFAULT_CACHE_MIN_TOKENS = 4096
"""Minimum cacheable prefix assumed for a model not in the table (the largest known one)."""


@dataclass(frozen=True, slots=True)
class ModelPrice:
    model: str
    """The table key that matched."""
    input_per_mtok: float
    output_per_mtok: float
    cache_min_tokens: int
    """Shortest prompt prefix the API caches for this model; shorter ones are not cached."""

    def cache_write_per_mtok(self, ttl: str = "1h") -> float:
        factor = CACHE_WRITE_1H_MULTIPLIER if ttl == "1h" else CACHE_WRITE_5M_MULTIPLIER
        return self.input_per_mtok * factor

    @property
    def cache_read_per_mtok(self) -> float:
        return self.input_per_mtok * CACHE_READ_MULTIPLIER


PRICES: dict[str, ModelPrice] = {
    p.model: p
    for p in (
        ModelPrice("claude-haiku-4-5", 1.0, 5.0, 4096),
        ModelPrice("claude-sonnet-4-5", 3.0, 15.0, 1024),
        ModelPrice("claude-sonnet-4-6", 3.0, 15.0, 2048),
        ModelPrice("claude-opus-4-5", 5.0, 25.0, 4096),
        ModelPrice("claude-opus-4-6", 5.0, 25.0, 4096),
        ModelPrice("claude-opus-4-7", 5.0, 25.0, 4096),
        # Older generations, so a job recorded with one of them still prices correctly.
        ModelPrice("claude-sonnet-4-0", 3.0, 15.0, 1024),
        ModelPrice("claude-sonnet-4-20250514", 3.0, 15.0, 1024),
        ModelPrice("claude-opus-4-0", 15.0, 75.0, 1024),
        ModelPrice("claude-opus-4-20250514", 15.0, 75.0, 1024),
        ModelPrice("claude-opus-4-1", 15.0, 75.0, 1024),
    )
}

# A minor version is one or two digits; ``claude-opus-4-20250514`` is Opus 4 with a date.
_FAMILY_VERSION = re.compile(r"^claude-(haiku|sonnet|opus)-(\d+)-(\d{1,2})(?![0-9])")


class UnknownModelError(ConfigError):
    """A model id with no known price; the message lists the ones that have one."""

    def __init__(self, model: str) -> None:
        self.model = model
        known = ", ".join(sorted(PRICES))
        super().__init__(f"no price known for model {model!r} (known: {known})")


def _exact(model: str) -> ModelPrice | None:
    best = ""
    for name in PRICES:
        if (model == name or model.startswith(name + "-")) and len(name) > len(best):
            best = name
    return PRICES[best] if best else None


def _newest_of_family(model: str) -> ModelPrice | None:
    """The newest listed model of the same family, if ``model`` is at least that new."""
    match = _FAMILY_VERSION.match(model)
    if not match:
        return None
    family, version = match.group(1), (int(match.group(2)), int(match.group(3)))
    same: list[tuple[tuple[int, int], ModelPrice]] = []
    for name, price in PRICES.items():
        listed = _FAMILY_VERSION.match(name)
        if listed and listed.group(1) == family:
            same.append(((int(listed.group(2)), int(listed.group(3))), price))
    if not same:
        return None
    newest_version, newest = max(same, key=lambda item: item[0])
    return newest if version >= newest_version else None


def price_for(model: str) -> ModelPrice:
    """The price row for ``model``; UnknownModelError when there is none (see module doc)."""
    found = _exact(model) or _newest_of_family(model)
    if found is None:
        raise UnknownModelError(model)
    return found


def cache_min_tokens(model: str) -> int:
    """Minimum cacheable prefix for ``model``; never raises (unknown -> the largest, 4096)."""
    found = _exact(model) or _newest_of_family(model)
    return found.cache_min_tokens if found else DEFAULT_CACHE_MIN_TOKENS
