"""The curate dialog's estimate line: calibrated or not, and the spending cap beside it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.fakes.anthropic_server import FakeAnthropic
from vaultcurator.tui.runs import estimate_line
from vaultcurator.tui.screens.curate import CurateRequest
from vaultcurator.workspace import open_workspace

CLAUDE_ALL = CurateRequest("all", None, "anthropic", "auto")


def test_offline_estimate_says_so_and_shows_the_cap(vault_copy: Path) -> None:
    ws = open_workspace(vault_copy)
    try:
        ws.settings.curation = dataclasses.replace(ws.settings.curation, max_cost=0.5)
        line = estimate_line(ws, CLAUDE_ALL)
    finally:
        ws.close()
    assert "batch ≈ $" in line and "offline estimate" in line and "cap $0.50" in line


def test_estimate_is_calibrated_with_a_key(vault_copy: Path, fake_anthropic: FakeAnthropic) -> None:
    ws = open_workspace(vault_copy)
    try:
        line = estimate_line(ws, CLAUDE_ALL)
    finally:
        ws.close()
    assert "calibrated" in line and "cap" not in line
    assert fake_anthropic.requests_to("count_tokens")
    assert fake_anthropic.requests_to("messages") == []
