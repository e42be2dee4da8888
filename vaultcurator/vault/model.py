"""The Note model shared by every stage of the pipeline."""

from __future__ import annotations

import gc
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

NoteStatus = Literal["ok", "invalid", "skipped"]
"""``skipped``: a plugin-owned file (a scan lists it apart, see :attr:`Inventory.skipped`)."""

CachedFields = tuple[dict[str, Any], list[str], list[str]]
"""(frontmatter, tags, inline_tags) of a note."""

Refetch = Callable[[str], CachedFields]
"""Given a note's source (as the scan knows it), its fields read again from the file."""

Pending = tuple[str, str, "CachedBatch"]
"""A cached note's (``[frontmatter, tags, inline_tags]`` as JSON text, source, batch)."""

_LAZY_NAMES = ("frontmatter", "tags", "inline_tags")


def sha256_hex(data: bytes) -> str:
    """Content hash used everywhere a note's identity-at-a-moment matters (conflict checks)."""
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class Note:
    """One Markdown file of the vault as seen by a scan.

    ``index`` is the note's position in the scan's global order (relative POSIX path,
    NFC-normalised, sorted). ``body`` is not kept by a warm rescan, which reads no file
    contents: call :meth:`read_bytes` (which verifies the hash) when the body is needed.

    A note from the scan cache (:meth:`from_cache`) keeps ``frontmatter``, ``tags`` and
    ``inline_tags`` as the cached JSON text until one of them is first read, which decodes
    them for every cached note of that scan (:class:`CachedBatch`): a command that uses no
    frontmatter pays nothing (decoding was a third of a warm rescan), one that uses it pays
    one bulk decode. To every caller they are plain attributes, read and assigned as usual.
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
    _pending: Pending | None = field(default=None, init=False, repr=False, compare=False)
    """A cached note's fields not decoded yet (see :meth:`from_cache`)."""

    @classmethod
    def from_cache(
        cls,
        index: int,
        path: str,
        hash: str,
        mtime_ns: int,
        size: int,
        status: NoteStatus,
        error: str | None,
        description: str | None,
        packed: str,
        source: str,
        batch: CachedBatch,
    ) -> Note:
        """A note whose ``[frontmatter, tags, inline_tags]`` is the JSON text ``packed``, to be
        decoded with the rest of ``batch`` on first use (``source``: see :class:`CachedBatch`).
        """
        # Leaves the three lazy slots unset, so reading one lands in __getattr__ (below).
        note = object.__new__(cls)
        note.index = index
        note.path = path
        note.hash = hash
        note.mtime_ns = mtime_ns
        note.size = size
        note.status = status
        note.error = error
        note.description = description
        note.body = None
        note._pending = (packed, source, batch)
        batch.notes.append(note)
        return note

    if not TYPE_CHECKING:  # hidden from mypy, which would accept any attribute name otherwise

        def __getattr__(self, name: str) -> Any:
            """Only called for an unset slot: a cached note's fields, decoded on first use."""
            slot = _LAZY_SLOTS.get(name)
            if slot is None:
                raise AttributeError(f"'Note' object has no attribute {name!r}")
            pending = self._pending
            if pending is not None:
                pending[2].decode()
            return slot.__get__(self, Note)  # still unset (no pending fields): AttributeError

    @property
    def title(self) -> str:
        """Obsidian's title for the note: the file name without ``.md``."""
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.lower().endswith(".md") else name

    def abspath(self, vault_root: Path) -> Path:
        return vault_root.joinpath(*self.path.split("/"))


_LAZY_SLOTS: dict[str, Any] = {name: Note.__dict__[name] for name in _LAZY_NAMES}
"""The slot descriptors of the lazy fields: get and set them without landing in __getattr__."""


class CachedBatch:
    """The cached notes of one scan whose frontmatter and tags are not decoded yet.

    All are decoded in one ``json.loads`` (2x faster than one per note) with the cyclic
    garbage collector paused (it would walk the heap again and again while thousands of
    dicts are made). A note whose text does not decode to ``[dict, list, list]`` (a damaged
    store) gets ``refetch(source)`` instead: its fields read again from the file.
    """

    __slots__ = ("_lock", "notes", "refetch")

    def __init__(self, refetch: Refetch) -> None:
        self.notes: list[Note] = []
        self.refetch = refetch
        self._lock = threading.Lock()

    def decode(self) -> None:
        with self._lock:  # another thread reading a note of the batch waits for its fields
            notes, self.notes = self.notes, []
            if not notes:
                return
            gc_was_enabled = gc.isenabled()
            gc.disable()
            try:
                for note, fields in zip(notes, _decode_all(notes), strict=True):
                    _fill(note, fields, self.refetch)
            finally:
                if gc_was_enabled:
                    gc.enable()


def _decode_all(notes: list[Note]) -> list[Any]:
    """Each note's decoded text; one by one (None where it fails) if the whole does not."""
    texts = [n._pending[0] if n._pending is not None else "null" for n in notes]
    try:
        decoded = json.loads("[" + ",".join(texts) + "]")
        if type(decoded) is list and len(decoded) == len(notes):
            return decoded
    except (ValueError, RecursionError):
        pass
    return [_decode_one(text) for text in texts]


def _decode_one(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _fill(note: Note, fields: Any, refetch: Refetch) -> None:
    """Set the lazy fields not assigned meanwhile (an assignment wins); drop the text."""
    pending = note._pending
    if pending is None:
        return
    if not (
        type(fields) is list
        and len(fields) == 3
        and type(fields[0]) is dict
        and type(fields[1]) is list
        and type(fields[2]) is list
    ):
        fields = refetch(pending[1])
    for slot, value in zip(_LAZY_SLOTS.values(), fields, strict=True):
        try:
            slot.__get__(note, Note)
        except AttributeError:  # unset, as expected
            slot.__set__(note, value)
    note._pending = None


@dataclass(slots=True)
class Inventory:
    """The result of one scan: every note in global-index order."""

    root: Path
    notes: list[Note]
    scan_id: int | None = None
    files_read: int = 0
    """How many files had their contents read (0 on a warm rescan of an unchanged vault)."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """``(path, reason)`` of files left out because Obsidian's settings exclude them or a
    plugin owns them (a folder ends with ``/``): a scan lists them so nothing vanishes silently."""

    def by_path(self) -> dict[str, Note]:
        return {n.path: n for n in self.notes}

    @property
    def valid(self) -> list[Note]:
        return [n for n in self.notes if n.status == "ok"]

    @property
    def invalid(self) -> list[Note]:
        return [n for n in self.notes if n.status == "invalid"]
