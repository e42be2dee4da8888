"""Fixtures for the openai-compatible engine: the fake Chat Completions server, fast retries."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.curation.conftest import write_vault
from tests.fakes.openai_fixtures import fake_openai
from tests.fakes.openai_server import FakeOpenAI

__all__ = ["fake_openai"]

ENGINE = ["--engine", "openai-compatible"]


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries wait milliseconds, not seconds (the schedule itself is unit-tested)."""
    monkeypatch.setattr("vaultcurator.engines.openai_wire.BASE_DELAY", 0.01)


@pytest.fixture
def make_vault(tmp_path: Path) -> Callable[..., Path]:
    def make(count: int, extra: dict[str, str] | None = None) -> Path:
        return write_vault(tmp_path / "vault", count, extra)

    return make


@pytest.fixture
def fake(fake_openai: FakeOpenAI) -> Iterator[FakeOpenAI]:
    yield fake_openai


def rows(vault: Path, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = sqlite3.connect(vault / ".vaultcurator" / "state.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()
