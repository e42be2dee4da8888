"""A vault opened for work: its root, merged settings and state store, in one object."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultcurator.config import Settings, load_settings, vault_state_dir
from vaultcurator.errors import UsageError
from vaultcurator.store import Store, open_store
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.model import Inventory
from vaultcurator.vault.scan import Progress, scan_vault


def resolve_vault(path: str | Path) -> Path:
    """The vault's absolute root, or a UsageError that says what is wrong with ``path``."""
    candidate = Path(path).expanduser()
    if not candidate.exists():
        raise UsageError(f"vault not found: {path}")
    if not candidate.is_dir():
        raise UsageError(f"not a folder: {path} (give the vault's folder)")
    return candidate.resolve()


@dataclass(slots=True)
class Workspace:
    root: Path
    settings: Settings
    store: Store

    @property
    def state_dir(self) -> Path:
        return vault_state_dir(self.root)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workspace(vault: str | Path, overrides: Mapping[str, Any] | None = None) -> Workspace:
    """Validate the vault, load settings (all layers) and open the store."""
    root = resolve_vault(vault)
    settings = load_settings(root, overrides=overrides)
    return Workspace(root=root, settings=settings, store=open_store(root))


def scan(ws: Workspace, progress: Progress | None = None) -> Inventory:
    """An incremental scan of the workspace's vault (unchanged files are not read again)."""
    return scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store), progress=progress)


def rescan(
    ws: Workspace, inventory: Inventory, changed: Iterable[str], deleted: Iterable[str] = ()
) -> Inventory:
    """``inventory`` refreshed at just these paths (watch mode; see :mod:`.vault.rescan`)."""
    from vaultcurator.vault.rescan import rescan_paths  # watch mode only

    return rescan_paths(inventory, ws.settings.scan, changed, deleted, StoreScanCache(ws.store))
