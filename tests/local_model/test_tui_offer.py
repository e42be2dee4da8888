"""The TUI's curation dialog offers the local-model engine when the settings choose it."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Select

from vaultcurator.tui.screens.curate import CurateScreen


class Host(App[None]):
    def __init__(self, engine: str) -> None:
        super().__init__()
        self.engine = engine

    def on_mount(self) -> None:
        self.push_screen(CurateScreen(engine=self.engine, mode="auto", blink=False))


async def test_offered_and_preselected_when_configured() -> None:
    app = Host("openai-compatible")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        select = app.screen.query_one("#engine", Select)
        assert select.value == "openai-compatible"
        select.value = "local"  # the other engines stay on offer
        select.value = "anthropic"


async def test_not_offered_otherwise() -> None:
    app = Host("local")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        select = app.screen.query_one("#engine", Select)
        assert select.value == "local"
        with pytest.raises(Exception, match="openai-compatible"):
            select.value = "openai-compatible"
