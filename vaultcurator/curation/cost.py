"""Dollars from token usage: per answer, per run (:class:`CostTally`) and per stored job.

The counterfactual is what the same tokens would have cost on the standard API (no batch
discount), so a summary can say how much the Batch API saved. Cache writes are priced at the
TTL the requests use (1 hour: the shared prefix is marked ``ttl: 1h``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaultcurator.curation.pricing import BATCH_DISCOUNT, price_for
from vaultcurator.domain.requests import Usage
from vaultcurator.store.db import Store
from vaultcurator.store.jobs import job_usage

_PER_TOKEN = 1 / 1_000_000


def cost_usd(usage: Usage, model: str, *, batch: bool, cache_ttl: str = "1h") -> float:
    """What ``usage`` costs on ``model``: standard price, halved when it went through a batch."""
    price = price_for(model)
    total = (
        usage.input_tokens * price.input_per_mtok
        + usage.cache_creation_input_tokens * price.cache_write_per_mtok(cache_ttl)
        + usage.cache_read_input_tokens * price.cache_read_per_mtok
        + usage.output_tokens * price.output_per_mtok
    ) * _PER_TOKEN
    return total * BATCH_DISCOUNT if batch else total


@dataclass(slots=True)
class CostSummary:
    """Actual cost of a set of answers, what the standard API would have charged, the saving."""

    model: str
    requests: int
    batch_usage: Usage
    standard_usage: Usage
    actual_usd: float
    standard_usd: float

    @property
    def usage(self) -> Usage:
        return self.batch_usage + self.standard_usage

    @property
    def savings_usd(self) -> float:
        return self.standard_usd - self.actual_usd

    def to_dict(self) -> dict[str, Any]:
        total = self.usage
        return {
            "model": self.model,
            "requests": self.requests,
            "input_tokens": total.input_tokens,
            "cache_creation_input_tokens": total.cache_creation_input_tokens,
            "cache_read_input_tokens": total.cache_read_input_tokens,
            "output_tokens": total.output_tokens,
            "actual_usd": round(self.actual_usd, 6),
            "standard_usd": round(self.standard_usd, 6),
            "savings_usd": round(self.savings_usd, 6),
        }


@dataclass(slots=True)
class CostTally:
    """Usage accumulated while a job runs, kept apart by route (batch vs standard)."""

    model: str
    cache_ttl: str = "1h"
    batch_usage: Usage = field(default_factory=Usage)
    standard_usage: Usage = field(default_factory=Usage)
    requests: int = 0

    def add(self, usage: Usage, *, via_batch: bool, requests: int = 1) -> None:
        """Count ``requests`` answers (default one) that used ``usage`` in total."""
        if via_batch:
            self.batch_usage = self.batch_usage + usage
        else:
            self.standard_usage = self.standard_usage + usage
        self.requests += requests

    @property
    def actual_usd(self) -> float:
        return cost_usd(
            self.batch_usage, self.model, batch=True, cache_ttl=self.cache_ttl
        ) + cost_usd(self.standard_usage, self.model, batch=False, cache_ttl=self.cache_ttl)

    @property
    def standard_usd(self) -> float:
        """The counterfactual: every token at the standard (non-batch) price."""
        return cost_usd(
            self.batch_usage + self.standard_usage,
            self.model,
            batch=False,
            cache_ttl=self.cache_ttl,
        )

    @property
    def savings_usd(self) -> float:
        return self.standard_usd - self.actual_usd

    def summary(self) -> CostSummary:
        return CostSummary(
            model=self.model,
            requests=self.requests,
            batch_usage=self.batch_usage,
            standard_usage=self.standard_usage,
            actual_usd=self.actual_usd,
            standard_usd=self.standard_usd,
        )


def job_cost(store: Store, job_id: int, model: str, *, cache_ttl: str = "1h") -> CostSummary:
    """The cost of a stored job from the usage columns of its ``requests`` rows.

    Counts every request that recorded usage (failed answers are billed too).
    """
    tally = CostTally(model=model, cache_ttl=cache_ttl)
    for row in job_usage(store, job_id):
        tally.add(row.usage, via_batch=row.via_batch, requests=row.requests)
    return tally.summary()
