"""estimate: tokens and cost per mode before anything is sent; the CLI command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaultcurator.cli import main
from vaultcurator.config import CurationSettings
from vaultcurator.curation.estimate import EXPECTED_OUTPUT_TOKENS, auto_mode_for, estimate
from vaultcurator.curation.prompts import approx_tokens
from vaultcurator.curation.requests import PromptContext, build_request
from vaultcurator.vault.model import Inventory

from .conftest import make_note


def test_tokens_follow_the_requests_that_would_be_built(settings: CurationSettings) -> None:
    notes = [make_note(i, f"n{i}.md", body="word " * (50 * (i + 1))) for i in range(3)]
    context = PromptContext.build(Inventory(Path("/v"), notes), settings)
    result = estimate(notes, context, settings)
    users = sum(
        approx_tokens(
            build_request(n, n.body or "", context, settings).params["messages"][0]["content"]
        )
        for n in notes
    )
    assert result.notes == 3
    assert result.note_tokens >= users
    assert result.input_tokens == result.prefix_tokens * 3 + result.note_tokens
    assert result.output_tokens == 3 * EXPECTED_OUTPUT_TOKENS
    assert result.auto_mode == "realtime"


def test_batch_costs_half_and_caching_rows_only_when_cacheable() -> None:
    notes = [make_note(i, f"n{i}.md", tags=[f"area/topic-{i}-long-name"]) for i in range(800)]
    inventory = Inventory(Path("/v"), notes)
    haiku = CurationSettings()
    few = notes[:40]  # too little taxonomy to fill Haiku's 4,096-token minimum
    small = Inventory(Path("/v"), few)
    plain = estimate(few, PromptContext.build(small, haiku), haiku)
    assert [(r.mode, r.cached) for r in plain.rows] == [("standard", False), ("batch", False)]
    assert plain.row("batch", False).cost_usd == pytest.approx(  # type: ignore[union-attr]
        plain.row("standard", False).cost_usd / 2  # type: ignore[union-attr]
    )
    sonnet = CurationSettings(model="claude-sonnet-4-6", mode="realtime")
    cached = estimate(notes, PromptContext.build(inventory, sonnet), sonnet)
    assert cached.cacheable
    with_cache = cached.row("standard", True)
    without = cached.row("standard", False)
    assert with_cache is not None and without is not None
    assert with_cache.cost_usd < without.cost_usd
    assert with_cache.usage.cache_read_input_tokens == cached.prefix_tokens * (800 - 8)


def test_auto_mode_routing(settings: CurationSettings) -> None:
    assert [auto_mode_for(n, settings) for n in (1, 2, 20, 21)] == [
        "sync",
        "realtime",
        "realtime",
        "batch",
    ]


def test_estimate_command_json(vault_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", str(vault_copy), "--json", "--only", "Cooking/**"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["notes"] == 8 and document["model"] == "claude-haiku-4-5"
    assert {m["mode"] for m in document["modes"]} == {"standard", "batch"}
    assert all(m["cost_usd"] > 0 for m in document["modes"])


def test_estimate_command_text_and_limit(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["estimate", str(vault_copy), "--limit", "3", "--model", "claude-opus-4-5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 notes to curate with claude-opus-4-5")
    assert "over --limit" in out and "invalid" in out and "batch" in out


def test_estimate_command_unknown_model_exits_2(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["estimate", str(vault_copy), "--model", "gpt-4"]) == 2
    assert "no price known for model 'gpt-4'" in capsys.readouterr().err
