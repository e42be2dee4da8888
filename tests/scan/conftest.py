"""Helpers for scanner tests: tiny vaults written byte for byte into tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vaultcurator.config import ScanSettings
from vaultcurator.store import Store, open_store
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.model import Inventory
from vaultcurator.vault.scan import scan_vault

Write = Callable[[str, bytes | str], Path]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    return root


@pytest.fixture
def write(vault: Path) -> Write:
    """``write("a/b.md", content)``: create a note (str is written as UTF-8, bytes as is)."""

    def _write(rel: str, content: bytes | str) -> Path:
        path = vault / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture
def store(vault: Path) -> Iterator[Store]:
    opened = open_store(vault)
    yield opened
    opened.close()


def scan(root: Path, store: Store | None = None, **settings: Any) -> Inventory:
    cache = None if store is None else StoreScanCache(store)
    return scan_vault(root, ScanSettings(**settings), cache)
