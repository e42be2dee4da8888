"""The vault's Markdown paths for link resolution, walked again only when a folder changed.

Re-linking one changed note should not list every folder of a 10,000-note vault: a file is
added, removed or renamed only by changing its folder's modification time, so the last walk
is reused while every folder it saw keeps its time. A walk that saw a folder changed within
``RACY_NS`` of its start (a change during the walk, or a coarse clock hiding a second change
in the same tick) is not reused, as git does with racily clean files.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from vaultcurator.vault.wikilinks import vault_markdown_paths

RACY_NS = 2_000_000_000

_WALKS: dict[str, tuple[list[tuple[str, int]], list[str]]] = {}
"""Per vault root: the folders walked with their modification times, and the paths found."""


def _unchanged(folders: list[tuple[str, int]]) -> bool:
    try:
        return all(os.stat(path).st_mtime_ns == mtime for path, mtime in folders)  # noqa: PTH116 (hot loop)
    except OSError:
        return False


def markdown_paths(root: Path) -> list[str]:
    """Same answer as ``vault_markdown_paths(root)``, reusing the last walk when still true."""
    key = str(root)
    kept = _WALKS.pop(key, None)
    if kept is not None and _unchanged(kept[0]):
        _WALKS[key] = kept
        return list(kept[1])
    started = time.time_ns()
    folders: list[tuple[str, int]] = []
    paths = vault_markdown_paths(root, folders)
    if all(0 <= mtime < started - RACY_NS for _, mtime in folders):
        _WALKS.clear()  # one vault per process in practice: memory stays bounded
        _WALKS[key] = (folders, paths)
    return list(paths)
