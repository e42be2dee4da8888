"""Which notes a curation job works on.

By default only notes that need it: never curated, or changed since their last curation. A
note counts as curated when

- a proposal exists for its path, built from its current bytes (``base_hash`` equals its
  hash), in any state but ``superseded`` or ``failed`` (a rejected proposal counts: the user
  has seen it), or
- the apply journal shows that one of our writes (not undone) produced its current bytes.

``--all`` takes every valid note; ``--only GLOB`` filters by relative path; ``--limit N``
keeps the first N (in global index order). Invalid notes are never selected; they are kept
in :attr:`Selection.invalid` so the caller can report them.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from vaultcurator.store.db import Store
from vaultcurator.store.proposals import curated_keys
from vaultcurator.vault.model import Inventory, Note

_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(slots=True)
class Selection:
    notes: list[Note]
    """The notes to curate, in global index order."""
    invalid: list[Note] = field(default_factory=list)
    """Invalid notes matching the filter, never curated (reported with their reason)."""
    up_to_date: int = 0
    """Valid notes matching the filter but skipped because they are already curated."""
    limited: int = 0
    """Notes left out by ``--limit``."""
    unsupported: list[tuple[str, str]] = field(default_factory=list)
    """``(path, reason)``: valid notes whose ``tags`` or ``description`` has a shape curation
    cannot write back without changing what the author wrote (a mapping, a number...)."""


def path_matches(path: str, pattern: str) -> bool:
    """``fnmatch`` on the relative POSIX path, case-sensitive.

    ``*`` crosses folders, so ``Journal/*`` and ``Journal/**`` both take a whole folder;
    ``**/x.md`` also matches a top-level ``x.md``; a pattern without wildcards also names a
    folder (``Journal`` takes ``Journal/**``).
    """
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if fnmatchcase(path, pattern):
        return True
    if pattern.startswith("**/") and fnmatchcase(path, pattern[3:]):
        return True
    if not _GLOB_CHARS.search(pattern):
        folder = pattern.rstrip("/")
        return path.startswith(folder + "/")
    return False


def _kind(value: object) -> str:
    return {dict: "mapping", list: "list", bool: "true/false value"}.get(type(value), "number")


def unsupported_shape(frontmatter: dict[str, Any]) -> str | None:
    """Why curating this note would rewrite an author's value it cannot represent, or None.

    Curation writes ``description`` as one line of text and ``tags`` as a list of tag
    strings. A description that is a mapping, list, number or boolean, or tags that hold a
    mapping or a non-text item, would come back as a Python rendering of the value or be
    dropped: such a note is reported and left alone instead.
    """
    description = frontmatter.get("description")
    if description is not None and not isinstance(description, str):
        return f"description is a {_kind(description)}, not text; left alone"
    key: str | None = next((k for k in ("tags", "tag") if k in frontmatter), None)
    if key is None:
        key = next((k for k in frontmatter if k.lower() in ("tags", "tag")), None)
    tags = None if key is None else frontmatter[key]
    if tags is None or isinstance(tags, str):
        return None
    if not isinstance(tags, list):
        return f"{key} is a {_kind(tags)}, not a list of tags; left alone"
    odd = next((t for t in tags if t is not None and not isinstance(t, str)), None)
    if odd is not None:
        return f"{key} holds a {_kind(odd)} ({odd!r}), not a tag; left alone"
    return None


def plan_selection(
    inventory: Inventory,
    store: Store | None,
    *,
    all_notes: bool = False,
    only: str | None = None,
    limit: int | None = None,
    paths: Collection[str] | None = None,
) -> Selection:
    """The notes to curate and what was left out (see the module doc).

    ``paths`` restricts the selection to those vault-relative paths (watch mode feeds the
    notes that just changed).
    """
    if limit is not None and limit < 0:
        raise ValueError("limit must be >= 0")
    done = curated_keys(store) if store is not None and not all_notes else set()
    selection = Selection(notes=[])
    wanted = None if paths is None else set(paths)
    for note in inventory.notes:
        if wanted is not None and note.path not in wanted:
            continue
        if only is not None and not path_matches(note.path, only):
            continue
        if note.status != "ok":
            selection.invalid.append(note)
            continue
        problem = unsupported_shape(note.frontmatter)
        if problem is not None:
            selection.unsupported.append((note.path, problem))
            continue
        if (note.path, note.hash) in done:
            selection.up_to_date += 1
            continue
        if limit is not None and len(selection.notes) >= limit:
            selection.limited += 1
            continue
        selection.notes.append(note)
    return selection


def select_notes(
    inventory: Inventory,
    store: Store | None,
    *,
    all_notes: bool = False,
    only: str | None = None,
    limit: int | None = None,
) -> list[Note]:
    """Just the notes of :func:`plan_selection`."""
    return plan_selection(inventory, store, all_notes=all_notes, only=only, limit=limit).notes
