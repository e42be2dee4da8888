"""Helpers for the curation-content tests: notes made in memory, the fixture vault scanned."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.fixtures import fake_anthropic
from vaultcurator.config import CurationSettings, Settings
from vaultcurator.vault.model import Inventory, Note, sha256_hex
from vaultcurator.vault.scan import scan_vault

__all__ = ["fake_anthropic", "make_note"]  # the fake server's fixture, for this folder


def make_note(
    index: int,
    path: str,
    body: str = "Some text about things.\n",
    *,
    tags: list[str] | None = None,
    description: str | None = None,
    status: str = "ok",
) -> Note:
    return Note(
        index=index,
        path=path,
        hash=sha256_hex(f"{path}\n{body}".encode()),
        mtime_ns=0,
        size=len(body.encode()),
        status=status,  # type: ignore[arg-type]
        error=None if status == "ok" else "broken YAML",
        tags=list(tags or []),
        description=description,
        body=body,
    )


@pytest.fixture
def settings() -> CurationSettings:
    return CurationSettings()


@pytest.fixture(scope="session")
def fixture_inventory() -> Inventory:
    root = Path(__file__).resolve().parents[2] / "fixtures_vault"
    return scan_vault(root, Settings().scan)
