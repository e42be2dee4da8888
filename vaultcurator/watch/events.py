"""Filesystem events to vault-relative change sets, coalesced over a quiet period.

Only created / modified / moved / deleted events matter (reading a file emits opened/closed
events, which are filtered out at the observer). Editors save through a temp file and a
rename, so a move's destination counts as a change. A folder move or delete cannot be
resolved note by note cheaply, so it asks for a rescan (which the scan cache makes cheap).
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirMovedEvent,
    DirDeletedEvent,
    DirCreatedEvent,
]


@dataclass(slots=True)
class ChangeSet:
    """What changed during one quiet period; paths are vault-relative POSIX, NFC."""

    changed: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    rescan: bool = False
    """A folder moved or vanished: the whole vault should be rescanned (incrementally)."""

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted or self.rescan)

    def merge(self, other: ChangeSet) -> None:
        for path in other.changed:
            self.deleted.discard(path)
            self.changed.add(path)
        for path in other.deleted:
            self.changed.discard(path)
            self.deleted.add(path)
        self.rescan = self.rescan or other.rescan


def relative_note_path(root: Path, raw: str | bytes) -> str | None:
    """The vault-relative POSIX path of a Markdown note, or None for anything to ignore."""
    text = os.fsdecode(raw)
    try:
        rel = Path(text).relative_to(root)
    except ValueError:
        return None
    parts = rel.parts
    if not parts or any(part.startswith(".") for part in parts):
        return None
    if not parts[-1].lower().endswith(".md"):
        return None
    return unicodedata.normalize("NFC", "/".join(parts))


def _is_hidden(root: Path, raw: str | bytes) -> bool:
    try:
        rel = Path(os.fsdecode(raw)).relative_to(root)
    except ValueError:
        return True
    return any(part.startswith(".") for part in rel.parts)


class Debouncer:
    """Collects change sets and hands them over once no event arrived for ``delay`` seconds.

    ``callback`` runs on the debouncer's own thread, one batch at a time; events that arrive
    while it runs are collected into the next batch, never lost.
    """

    def __init__(self, delay: float, callback: Callable[[ChangeSet], object]) -> None:
        self.delay = delay
        self._callback = callback
        self._pending = ChangeSet()
        self._cond = threading.Condition()
        self._last_event = 0.0
        self._stopped = False
        self._thread = threading.Thread(
            target=self._loop, name="vaultcurator-debounce", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def add(self, changes: ChangeSet) -> None:
        if not changes:
            return
        with self._cond:
            self._pending.merge(changes)
            self._last_event = _now()
            self._cond.notify()

    def stop(self, *, flush: bool = False) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join()
        if flush and self._pending:
            batch, self._pending = self._pending, ChangeSet()
            self._callback(batch)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and not self._pending:
                    self._cond.wait()
                if self._stopped:
                    return
                quiet_for = _now() - self._last_event
                if quiet_for < self.delay:
                    self._cond.wait(self.delay - quiet_for)
                    continue
                batch, self._pending = self._pending, ChangeSet()
            self._callback(batch)


def _now() -> float:
    import time

    return time.monotonic()


class VaultEventHandler(FileSystemEventHandler):
    """Turns watchdog events under ``root`` into ChangeSets for a Debouncer."""

    def __init__(self, root: Path, sink: Callable[[ChangeSet], None]) -> None:
        super().__init__()
        self.root = root
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        changes = ChangeSet()
        if event.is_directory:
            if isinstance(event, (DirMovedEvent, DirDeletedEvent)) and not _is_hidden(
                self.root, event.src_path
            ):
                changes.rescan = True
            elif isinstance(event, DirCreatedEvent) and not _is_hidden(self.root, event.src_path):
                changes.rescan = True  # a folder moved in from outside the vault arrives so
        elif isinstance(event, FileMovedEvent):
            src = relative_note_path(self.root, event.src_path)
            dest = relative_note_path(self.root, event.dest_path)
            if src:
                # An exchange (apply swaps a note with renameat2) leaves a file at the source
                # name too: that note changed, it did not go away.
                if os.path.lexists(event.src_path):
                    changes.changed.add(src)
                else:
                    changes.deleted.add(src)
            if dest:
                changes.deleted.discard(dest)
                changes.changed.add(dest)
        elif isinstance(event, FileDeletedEvent):
            path = relative_note_path(self.root, event.src_path)
            if path:
                changes.deleted.add(path)
        elif isinstance(event, (FileCreatedEvent, FileModifiedEvent)):
            path = relative_note_path(self.root, event.src_path)
            if path:
                changes.changed.add(path)
        if changes:
            self._sink(changes)
