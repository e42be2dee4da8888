"""Fixtures for the curation engine tests: the fake Anthropic server and generated vaults."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.fixtures import fake_anthropic

__all__ = ["fake_anthropic"]

FAST = ["--poll-interval", "0.01"]
"""CLI flags that keep batch polling fast in tests."""


def marker(i: int) -> str:
    return f"MARKER-m{i:04d}q"


def write_vault(root: Path, count: int, extra: dict[str, str] | None = None) -> Path:
    """A vault of ``count`` notes, each body carrying its own marker (echoed by the fake)."""
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    notes = root / "notes"
    notes.mkdir(exist_ok=True)
    for i in range(count):
        (notes / f"note {i:04d}.md").write_text(
            f"---\ntags:\n  - old\ncreated: 2024-01-01\n---\n# Note {i}\n\n"
            f"This note talks about topic {i}. {marker(i)} is its marker.\n",
            encoding="utf-8",
        )
    for name, text in (extra or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def make_vault(tmp_path: Path) -> Callable[..., Path]:
    def make(count: int, extra: dict[str, str] | None = None) -> Path:
        return write_vault(tmp_path / "vault", count, extra)

    return make


@pytest.fixture
def fast_fake(fake_anthropic: FakeAnthropic) -> Iterator[FakeAnthropic]:
    """The fake, with batches ending on their first poll."""
    fake_anthropic.batches_polls_to_end = 1
    yield fake_anthropic


def db(vault: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(vault / ".vaultcurator" / "state.db")
    conn.row_factory = sqlite3.Row
    return conn
