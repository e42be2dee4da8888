"""A vault opened for work: its root, merged settings and state store, in one object."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultcurator.config import Settings, load_settings, vault_state_dir
from vaultcurator.errors import UsageError
from vaultcurator.store import Store, open_store
from vaultcurator.store.db import DB_FILE_NAME
from vaultcurator.store.scan_cache import StoreScanCache

if TYPE_CHECKING:  # the scanner (YAML, frontmatter) loads when a scan runs, not for `status`
    from vaultcurator.vault.model import Inventory
    from vaultcurator.vault.scan import Progress

OBSIDIAN_DIR = ".obsidian"


@dataclass(frozen=True, slots=True)
class VaultLocation:
    """Where a path given as the vault leads: Obsidian's vault root holds ``.obsidian/``."""

    root: Path
    given: Path
    obsidian: bool
    """False: no ``.obsidian/`` in ``given`` or above it; ``root`` is ``given`` itself."""

    def notice(self) -> str | None:
        """What the user should know about this location (None: a vault's root, as given)."""
        if not self.obsidian:
            return (
                f"warning: no {OBSIDIAN_DIR}/ folder in {self.given} or above it: is it an "
                "Obsidian vault? (Obsidian's settings, such as Excluded files, cannot be read)"
            )
        if self.root != self.given:
            return f"{self.given} is inside the Obsidian vault {self.root}: using the vault"
        return None


def locate_vault(path: str | Path) -> VaultLocation:
    """The vault ``path`` belongs to: the nearest folder at or above it holding ``.obsidian/``
    (a subfolder is never a vault of its own, with state of its own), else ``path`` itself.
    A UsageError says what is wrong with ``path``."""
    candidate = Path(path).expanduser()
    if not candidate.exists():
        raise UsageError(f"vault not found: {path}")
    if not candidate.is_dir():
        raise UsageError(f"not a folder: {path} (give the vault's folder)")
    given = candidate.resolve()
    for folder in (given, *given.parents):
        if (folder / OBSIDIAN_DIR).is_dir():
            return VaultLocation(folder, given, True)
    return VaultLocation(given, given, False)


def resolve_vault(path: str | Path) -> Path:
    """The vault's absolute root (see :func:`locate_vault`), or a UsageError."""
    return locate_vault(path).root


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass(slots=True)
class Workspace:
    root: Path
    settings: Settings
    store: Store
    scratch: Path | None = None
    """A temporary folder holding the store when no state may be created (removed on close)."""

    @property
    def state_dir(self) -> Path:
        return vault_state_dir(self.root)

    def close(self) -> None:
        self.store.close()
        if self.scratch is not None:
            import shutil  # a scratch store only (a folder that is no vault)

            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workspace(
    vault: str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    create_state: bool = True,
    notify: Callable[[str], None] = _to_stderr,
) -> Workspace:
    """Find the vault (see :func:`locate_vault`), load settings (all layers), open the store.

    ``notify`` hears what the user should know (a subfolder led to its vault; a folder that is
    no Obsidian vault). With ``create_state=False`` (read-only commands such as ``scan``), such
    a folder gets no ``.vaultcurator/`` unless it already has one: the store lives in a
    temporary folder for the command and is gone after it.
    """
    location = locate_vault(vault)
    if (notice := location.notice()) is not None:
        notify(notice)
    root = location.root
    settings = load_settings(root, overrides=overrides)
    if not location.obsidian and not create_state and not vault_state_dir(root).exists():
        notify(
            f"nothing is saved: no {vault_state_dir(root)} is made for a folder that is no vault"
        )
        import tempfile  # here only: a command's start does not pay for it

        scratch = Path(tempfile.mkdtemp(prefix="vaultcurator-"))
        return Workspace(root, settings, Store(scratch / DB_FILE_NAME), scratch)
    return Workspace(root=root, settings=settings, store=open_store(root))


def scan(ws: Workspace, progress: Progress | None = None, *, keep_bodies: bool = True) -> Inventory:
    """An incremental scan of the workspace's vault (unchanged files are not read again);
    ``keep_bodies=False`` for a caller that needs no note body (see ``scan_vault``)."""
    from vaultcurator.vault.scan import scan_vault

    cache = StoreScanCache(ws.store)
    return scan_vault(ws.root, ws.settings.scan, cache, progress=progress, keep_bodies=keep_bodies)


def rescan(
    ws: Workspace, inventory: Inventory, changed: Iterable[str], deleted: Iterable[str] = ()
) -> Inventory:
    """``inventory`` refreshed at just these paths (watch mode; see :mod:`.vault.rescan`)."""
    from vaultcurator.vault.rescan import rescan_paths  # watch mode only

    return rescan_paths(inventory, ws.settings.scan, changed, deleted, StoreScanCache(ws.store))
