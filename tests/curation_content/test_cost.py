"""Pricing and cost arithmetic: batch halves, cache write/read multipliers, job totals."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vaultcurator.curation.cost import CostTally, cost_usd, job_cost
from vaultcurator.curation.pricing import (
    UnknownModelError,
    cache_min_tokens,
    price_for,
)
from vaultcurator.domain.requests import Usage
from vaultcurator.errors import ConfigError
from vaultcurator.store import open_store

MILLION = 1_000_000


@pytest.mark.parametrize(
    ("model", "inp", "out", "minimum"),
    [
        ("claude-haiku-4-5", 1, 5, 4096),
        ("claude-haiku-4-5-20251001", 1, 5, 4096),
        ("claude-sonnet-4-5", 3, 15, 1024),
        ("claude-sonnet-4-6", 3, 15, 2048),
        ("claude-opus-4-5", 5, 25, 4096),
        ("claude-opus-4-7", 5, 25, 4096),
        ("claude-opus-4-9", 5, 25, 4096),  # newer than the table: newest Opus price
        ("claude-opus-4-1-20250805", 15, 75, 1024),
        ("claude-opus-4-20250514", 15, 75, 1024),  # a date is not a minor version
    ],
)
def test_price_table(model: str, inp: float, out: float, minimum: int) -> None:
    price = price_for(model)
    assert (price.input_per_mtok, price.output_per_mtok) == (inp, out)
    assert cache_min_tokens(model) == minimum


def test_unknown_model_is_a_clear_config_error() -> None:
    with pytest.raises(UnknownModelError, match="no price known for model 'gpt-4'") as info:
        price_for("gpt-4")
    assert isinstance(info.value, ConfigError)
    assert cache_min_tokens("gpt-4") == 4096


def test_each_token_kind_is_priced_with_its_multiplier() -> None:
    haiku = "claude-haiku-4-5"
    assert cost_usd(Usage(input_tokens=MILLION), haiku, batch=False) == pytest.approx(1.0)
    assert cost_usd(Usage(output_tokens=MILLION), haiku, batch=False) == pytest.approx(5.0)
    write = Usage(cache_creation_input_tokens=MILLION)
    assert cost_usd(write, haiku, batch=False) == pytest.approx(2.0)  # 1 h TTL: 2x
    assert cost_usd(write, haiku, batch=False, cache_ttl="5m") == pytest.approx(1.25)
    read = Usage(cache_read_input_tokens=MILLION)
    assert cost_usd(read, haiku, batch=False) == pytest.approx(0.1)


def test_batch_is_half_of_everything() -> None:
    usage = Usage(1_000, 2_000, 30_000, 400)
    for model in ("claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-5"):
        standard = cost_usd(usage, model, batch=False)
        assert cost_usd(usage, model, batch=True) == pytest.approx(standard / 2)
    sonnet = (1_000 * 3 + 2_000 * 6 + 30_000 * 0.3 + 400 * 15) / MILLION
    assert cost_usd(usage, "claude-sonnet-4-6", batch=False) == pytest.approx(sonnet)


def test_tally_reports_actual_counterfactual_and_savings() -> None:
    tally = CostTally("claude-haiku-4-5")
    tally.add(Usage(input_tokens=MILLION, output_tokens=MILLION), via_batch=True)
    tally.add(Usage(input_tokens=MILLION), via_batch=False)
    assert tally.requests == 2
    assert tally.actual_usd == pytest.approx((1 + 5) / 2 + 1)
    assert tally.standard_usd == pytest.approx(1 + 5 + 1)
    assert tally.savings_usd == pytest.approx(3.0)
    summary = tally.summary().to_dict()
    assert summary["input_tokens"] == 2 * MILLION and summary["savings_usd"] == 3.0


def test_job_cost_from_the_requests_table(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    now = time.time()
    job = store.execute(
        "INSERT INTO jobs(engine, mode, model, status, created_at, updated_at)"
        " VALUES ('anthropic', 'batch', 'claude-haiku-4-5', 'done', ?, ?)",
        (now, now),
    ).lastrowid
    rows = [  # (custom_id, input, cache write, cache read, output, via_batch)
        ("n000000_a", 500_000, 0, 0, 100_000, 1),
        ("n000001_b", 500_000, 0, 0, 100_000, 1),
        ("n000002_c", 0, 1_000_000, 0, 0, 0),
        ("n000003_d", 0, 0, 0, 0, 0),  # planned, never answered
    ]
    for i, (cid, inp, cw, cr, out, batch) in enumerate(rows):
        store.execute(
            "INSERT INTO requests(job_id, custom_id, note_index, path, base_hash, input_tokens,"
            " cache_creation_tokens, cache_read_tokens, output_tokens, via_batch)"
            " VALUES (?, ?, ?, ?, 'h', ?, ?, ?, ?, ?)",
            (job, cid, i, f"{cid}.md", inp, cw, cr, out, batch),
        )
    summary = job_cost(store, int(job or 0), "claude-haiku-4-5")
    assert summary.requests == 3
    assert summary.usage == Usage(1_000_000, 1_000_000, 0, 200_000)
    assert summary.actual_usd == pytest.approx((1 + 1) / 2 + 2)
    assert summary.standard_usd == pytest.approx(1 + 1 + 2)
    assert summary.savings_usd == pytest.approx(1.0)
    store.close()
