"""Fixtures shared by every test: isolation from the user's machine, and vault copies."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_VAULT = REPO_ROOT / "fixtures_vault"


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No user config, no real API key or endpoint, no VAULTCURATOR_* from the caller."""
    import os

    for name in list(os.environ):
        if name.startswith("VAULTCURATOR_") or name.startswith("ANTHROPIC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VAULTCURATOR_CONFIG_DIR", str(tmp_path_factory.mktemp("user-config")))
    monkeypatch.setenv("NO_COLOR", "1")
    yield


@pytest.fixture
def fixture_vault() -> Path:
    """The repo's fixture vault: read it, never write it (use ``vault_copy``)."""
    return FIXTURE_VAULT


@pytest.fixture
def vault_copy(tmp_path: Path) -> Path:
    """A private copy of ``fixtures_vault`` that a test may change."""
    target = tmp_path / "vault"
    # Never copy a state store some earlier run left in the fixture: copies start fresh.
    shutil.copytree(
        FIXTURE_VAULT, target, symlinks=True, ignore=shutil.ignore_patterns(".vaultcurator")
    )
    return target
