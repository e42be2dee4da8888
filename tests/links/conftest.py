"""Helpers for links tests: a workspace on a vault copy, scanning, and running the links step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vaultcurator.links.propose import LinksReport, propose_related_links
from vaultcurator.store.proposals import Proposal, list_proposals
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.model import Inventory
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace, open_workspace


@pytest.fixture
def ws(vault_copy: Path) -> Iterator[Workspace]:
    workspace = open_workspace(vault_copy)
    try:
        yield workspace
    finally:
        workspace.close()


def scan(ws: Workspace) -> Inventory:
    return scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store))


def run_links(ws: Workspace, **kwargs: Any) -> LinksReport:
    """Scan, then propose related links (as ``vaultcurator links`` does)."""
    return propose_related_links(ws, scan(ws), **kwargs)


def pending(ws: Workspace) -> dict[str, Proposal]:
    return {p.path: p for p in list_proposals(ws.store, ["pending"])}
