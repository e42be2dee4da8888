"""A watchdog observer on the vault folder feeding a Debouncer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.observers import Observer

from vaultcurator.watch.events import WATCHED_EVENTS, ChangeSet, Debouncer, VaultEventHandler


class VaultWatcher:
    """Watches ``root`` recursively and calls ``on_batch`` with coalesced change sets.

    ``on_batch`` runs on the debouncer thread, never on the observer's, so slow work (a
    curation call) never makes the observer drop events.
    """

    def __init__(self, root: Path, on_batch: Callable[[ChangeSet], Any], *, delay: float) -> None:
        self.root = root.resolve()
        self._debouncer = Debouncer(delay, on_batch)
        self._observer = Observer()
        self._observer.schedule(
            VaultEventHandler(self.root, self._debouncer.add),
            str(self.root),
            recursive=True,
            event_filter=WATCHED_EVENTS,
        )

    def start(self) -> None:
        self._debouncer.start()
        self._observer.start()

    def stop(self, *, flush: bool = False) -> None:
        """Stop watching; with ``flush`` the changes still waiting are handled first."""
        self._observer.stop()
        self._observer.join(timeout=10)
        self._debouncer.stop(flush=flush)

    def __enter__(self) -> VaultWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
