"""The Note model shared by every stage of the pipeline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

NoteStatus = Literal["ok", "invalid"]


def sha256_hex(data: bytes) -> str:
    """Content hash used everywhere a note's identity-at-a-moment matters (conflict checks)."""
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class Note:
    """One Markdown file of the vault as seen by a scan.

    ``index`` is the note's position in the scan's global order (relative POSIX path,
    NFC-normalised, sorted). ``body`` is not kept by a warm rescan, which reads no file
    contents: call :meth:`read_bytes` (which verifies the hash) when the body is needed.
    """

    index: int
    path: str
    """Path relative to the vault root, POSIX separators, NFC-normalised."""
    hash: str
    mtime_ns: int
    size: int
    status: NoteStatus = "ok"
    error: str | None = None
    frontmatter: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    """Tags from the ``tags`` property (list or string), without ``#``."""
    inline_tags: list[str] = field(default_factory=list)
    """``#tags`` written in the body, kept apart from the property."""
    description: str | None = None
    body: str | None = None
    """The Markdown after the frontmatter, or None when not loaded (warm rescan)."""

    @property
    def title(self) -> str:
        """Obsidian's title for the note: the file name without ``.md``."""
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.lower().endswith(".md") else name

    def abspath(self, vault_root: Path) -> Path:
        return vault_root.joinpath(*self.path.split("/"))


@dataclass(slots=True)
class Inventory:
    """The result of one scan: every note in global-index order."""

    root: Path
    notes: list[Note]
    scan_id: int | None = None
    files_read: int = 0
    """How many files had their contents read (0 on a warm rescan of an unchanged vault)."""

    def by_path(self) -> dict[str, Note]:
        return {n.path: n for n in self.notes}

    @property
    def valid(self) -> list[Note]:
        return [n for n in self.notes if n.status == "ok"]

    @property
    def invalid(self) -> list[Note]:
        return [n for n in self.notes if n.status == "invalid"]
