"""Refresh a known inventory from the paths the filesystem reported, without walking the vault.

Watch mode learns from its events which notes changed, appeared or vanished; re-reading just
those files (and renumbering, since the global index is the position in path order) gives the
same inventory a full scan would, in time proportional to the change. The scan cache is
updated for those paths only. A path that is not a note (ignored, not ``.md``, a dot-folder,
outside the vault, a symlink out of it) is dropped from the inventory, as a scan would.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from vaultcurator.config import ScanSettings
from vaultcurator.vault.ignore import IgnoreRules, rules_for
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.vault.ports import CacheRow, ScanCache
from vaultcurator.vault.scan import PARSER, note_from_read, read_file
from vaultcurator.vault.special_files import bad_name_note, display_name, split_plugin_files


def _is_note_path(rel: str, rules: IgnoreRules) -> bool:
    parts = rel.split("/")
    if not rel.lower().endswith(".md") or any(p.startswith(".") or not p for p in parts):
        return False
    folders = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
    if any(rules.skips_dir(f) or rules.reported_reason(f, is_dir=True) for f in folders):
        return False
    return not rules.skips_file(rel) and rules.reported_reason(rel) is None


def _inside(root_real: str, os_path: str) -> bool:
    real = os.path.realpath(os_path)
    return real.startswith(root_real.rstrip(os.sep) + os.sep)


def rescan_paths(
    inventory: Inventory,
    settings: ScanSettings,
    changed: Iterable[str],
    deleted: Iterable[str] = (),
    cache: ScanCache | None = None,
) -> Inventory:
    """``inventory`` with the notes at ``changed`` re-read and those at ``deleted`` dropped."""
    started_at = time.time()
    root = inventory.root
    rules = rules_for(root, settings)
    root_real = os.path.realpath(root)
    by_path: dict[str, Note] = {n.path: n for n in inventory.notes}
    skipped = dict(inventory.skipped)
    gone = {display_name(p) for p in deleted}
    removed = [p for p in gone if by_path.pop(p, None) is not None]
    for path in gone:
        skipped.pop(path, None)
    upserts: list[CacheRow] = []
    files_read = 0
    for os_rel in sorted(set(changed) - set(deleted)):
        rel = display_name(os_rel)
        os_path = os.path.join(root, *os_rel.split("/"))  # noqa: PTH118
        skipped.pop(rel, None)
        if not _is_note_path(rel, rules) or not _inside(root_real, os_path):
            if by_path.pop(rel, None) is not None:
                removed.append(rel)
            if (why := rules.reported_reason(rel)) is not None:
                skipped[rel] = why
            continue
        if rel != os_rel:  # the name is not UTF-8: reported, never read
            by_path[rel] = bad_name_note(-1, rel, None)
            continue
        read = read_file(os_path, settings.max_note_bytes)
        if read.gone:
            if by_path.pop(rel, None) is not None:
                removed.append(rel)
            continue
        files_read += read.error is None
        note, row = note_from_read(rel, read, settings.max_note_bytes)
        by_path[rel] = note
        if row is not None:
            upserts.append(row)
    notes, owned = split_plugin_files(
        [by_path[p] for p in sorted(by_path)], keep=not settings.skip_plugin_files
    )
    skipped.update(owned)
    for index, note in enumerate(notes):
        note.index = index
    scan_id = inventory.scan_id
    if cache is not None and (upserts or removed):
        scan_id = cache.save(
            started_at=started_at,
            upserts=upserts,
            removed=removed,
            notes=len(notes),
            invalid=sum(1 for n in notes if n.status != "ok"),
            files_read=files_read,
            parser=PARSER,
        )
    return Inventory(
        root=root,
        notes=notes,
        scan_id=scan_id,
        files_read=files_read,
        skipped=sorted(skipped.items()),
    )
