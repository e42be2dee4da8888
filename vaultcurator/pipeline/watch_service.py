"""Watch mode's pipeline: changed notes -> curation (+ links) -> proposals (or applied).

The same core as ``curate``, restricted to the notes whose bytes changed since the watcher
last looked. Our own writes cannot loop: a note whose current bytes are the result of our
last apply counts as curated (the apply journal says so), so it is never selected again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from vaultcurator.domain.progress import ProgressCallback, ignore_progress
from vaultcurator.errors import VaultCuratorError
from vaultcurator.pipeline.report import CurationReport
from vaultcurator.pipeline.run import CurateOptions, DryRun, run_curation
from vaultcurator.vault.model import Inventory
from vaultcurator.watch.events import ChangeSet
from vaultcurator.workspace import Workspace, rescan, scan


@dataclass(slots=True)
class WatchCycle:
    """What one quiet period led to."""

    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    report: CurationReport | None = None
    error: str | None = None


class WatchService:
    """Keeps the ``path -> hash`` view of the vault and curates what changed.

    ``handle`` is called on the debouncer thread, one change set at a time, and reads only
    the paths in it (a full incremental scan only when a folder moved); ``on_cycle``
    receives each outcome (the CLI prints it, tests collect it).
    """

    def __init__(
        self,
        ws: Workspace,
        on_cycle: Callable[[WatchCycle], None],
        *,
        links: bool = True,
        progress: ProgressCallback = ignore_progress,
    ) -> None:
        self.ws = ws
        self._on_cycle = on_cycle
        self._links = links
        self._progress = progress
        self._lock = threading.Lock()
        self._inventory = scan(self.ws)
        self._known = self._hashes(self._inventory)

    def _refresh(self, changes: ChangeSet) -> Inventory:
        """The vault now: only the reported paths are read again, unless a folder moved."""
        if changes.rescan:
            self._inventory = scan(self.ws)
        else:
            self._inventory = rescan(self.ws, self._inventory, changes.changed, changes.deleted)
        return self._inventory

    @staticmethod
    def _hashes(inventory: Inventory) -> dict[str, str]:
        return {note.path: note.hash for note in inventory.notes}

    def handle(self, changes: ChangeSet) -> WatchCycle:
        with self._lock:
            cycle = WatchCycle()
            try:
                inventory = self._refresh(changes)
                current = self._hashes(inventory)
                cycle.changed = sorted(
                    path for path, digest in current.items() if self._known.get(path) != digest
                )
                cycle.deleted = sorted(set(self._known) - set(current))
                self._known = current
                if cycle.changed:
                    options = CurateOptions(
                        paths=frozenset(cycle.changed),
                        yes=self.ws.settings.watch.auto_apply,
                        links=self._links,
                    )
                    result = run_curation(self.ws, options, self._progress, inventory=inventory)
                    if not isinstance(result, DryRun):
                        cycle.report = result
            except VaultCuratorError as exc:
                cycle.error = str(exc)
            self._on_cycle(cycle)
            return cycle
