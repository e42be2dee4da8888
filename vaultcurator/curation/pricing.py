"""What each model costs and how long a prompt prefix must be before the API caches it.

Prices are US dollars per million tokens at the standard (non-batch) rate. Cache writes cost
1.25x the input price for the 5-minute TTL and 2x for the 1-hour TTL; cache reads 0.1x; the
Batch API halves everything, discounts stacking.

A model id is matched by the longest table key that prefixes it, so dated ids
(``claude-haiku-4-5-20251001``) find their alias. An id that is not in the table but names a
known family at a newer version (``claude-opus-4-9``) gets the newest listed price of that
family; anything else raises :class:`UnknownModelError` rather than guess a price.

Whether caching a shared prefix pays (:func:`caching_pays`) depends on how many requests share
it and how they are sent. In real time, each of the ``parallel`` streams may write the cache
before the first write is visible, every later request reads it. In a batch, hits are best
effort (Anthropic reports 30-98% depending on traffic): we assume :data:`BATCH_CACHE_HIT_RATE`
and that every miss pays a write. Break-even for a 1-hour cached prefix that needs no growing
is 53% hits (``(2 - 1) / (2 - 0.1)``), and more for a grown one (76% for 2.5k -> 4.5k tokens),
so at the assumed rate a batch job does not cache; a user who sees better hit rates on their
account can raise ``curation.batch_cache_hit_rate``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from vaultcurator.errors import ConfigError

CACHE_WRITE_5M_MULTIPLIER = 1.25
CACHE_WRITE_1H_MULTIPLIER = 2.0
CACHE_READ_MULTIPLIER = 0.1
BATCH_DISCOUNT = 0.5
DEFAULT_CACHE_MIN_TOKENS = 4096
"""Minimum cacheable prefix assumed for a model not in the table (the largest known one)."""
BATCH_CACHE_HIT_RATE = 0.3
"""Share of batch requests assumed to read the cache; the rest write it. The low end of the
30-98% Anthropic reports: batches promise no hits, and a miss (a 2x write) costs more than a
hit saves (0.9x), so the cautious end is the one to plan a bill on."""


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


def expected_cache_writes(
    requests: int, *, batch: bool, parallel: int = 1, hit_rate: float = BATCH_CACHE_HIT_RATE
) -> int:
    """How many of ``requests`` sharing one cached prefix are expected to write it
    (``hit_rate``: the share of batch requests assumed to read it)."""
    if requests <= 0:
        return 0
    if batch:
        return min(requests, max(1, math.ceil(requests * (1 - hit_rate))))
    return min(requests, max(1, parallel))


def prefix_cost_usd(
    model: str,
    tokens: int,
    requests: int,
    *,
    cached: bool,
    batch: bool,
    parallel: int = 1,
    ttl: str = "1h",
    hit_rate: float = BATCH_CACHE_HIT_RATE,
) -> float:
    """What the shared prefix of ``tokens`` costs over ``requests``, cached (1 h) or not."""
    price = price_for(model)
    if cached:
        writes = expected_cache_writes(requests, batch=batch, parallel=parallel, hit_rate=hit_rate)
        per_mtok = (
            writes * price.cache_write_per_mtok(ttl)
            + (requests - writes) * price.cache_read_per_mtok
        )
    else:
        per_mtok = requests * price.input_per_mtok
    return tokens * per_mtok / 1_000_000 * (BATCH_DISCOUNT if batch else 1.0)


def caching_pays(
    model: str,
    plain_tokens: int,
    cached_tokens: int,
    requests: int,
    *,
    batch: bool,
    parallel: int = 1,
    hit_rate: float = BATCH_CACHE_HIT_RATE,
) -> bool:
    """Whether a prefix of ``cached_tokens`` marked for caching costs less than sending the
    ``plain_tokens`` prefix uncached to every one of ``requests`` (the break-even rule)."""
    if requests <= 0:
        return False
    cached = prefix_cost_usd(
        model,
        cached_tokens,
        requests,
        cached=True,
        batch=batch,
        parallel=parallel,
        hit_rate=hit_rate,
    )
    plain = prefix_cost_usd(model, plain_tokens, requests, cached=False, batch=batch)
    return cached < plain


def break_even_requests(
    model: str, plain_tokens: int, cached_tokens: int, *, parallel: int = 1
) -> int | None:
    """Fewest real-time requests for which caching pays; None when it never does.

    Cached: ``C (w*W + (N-w)*R)`` with ``w`` writes, W and R the write and read prices;
    plain: ``P N I``. Solved for N, then checked (integer rounding).
    """
    price = price_for(model)
    write = price.cache_write_per_mtok()
    read = price.cache_read_per_mtok
    margin = plain_tokens * price.input_per_mtok - cached_tokens * read
    if margin <= 0:
        return None
    writes = max(1, parallel)
    n = max(writes + 1, math.floor(writes * cached_tokens * (write - read) / margin) + 1)
    while not caching_pays(model, plain_tokens, cached_tokens, n, batch=False, parallel=parallel):
        n += 1  # pragma: no cover - only when floating point rounds against us
    while n > 1 and caching_pays(
        model, plain_tokens, cached_tokens, n - 1, batch=False, parallel=parallel
    ):
        n -= 1
    return n


def break_even_hit_rate(model: str, plain_tokens: int, cached_tokens: int) -> float | None:
    """Share of cache hits above which caching pays in a batch; None when it never does."""
    price = price_for(model)
    write = price.cache_write_per_mtok()
    read = price.cache_read_per_mtok
    # C (h R + (1-h) W) = P I  ->  h = (W - P I / C) / (W - R)
    if cached_tokens <= 0:
        return None
    rate = (write - plain_tokens * price.input_per_mtok / cached_tokens) / (write - read)
    return None if rate >= 1 else max(0.0, rate)
