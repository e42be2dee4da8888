"""A scan for a report (``keep_bodies=False``) sees the same notes, without holding bodies."""

from __future__ import annotations

from pathlib import Path

from vaultcurator.config import ScanSettings
from vaultcurator.store.db import Store
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.model import Inventory
from vaultcurator.vault.scan import scan_vault


def _vault(root: Path) -> Path:
    root.mkdir()
    (root / "a.md").write_text("---\ntags: [x, Y]\ndescription: d\n---\nbody #inline\n")
    (root / "b.md").write_text("no frontmatter, [[a#h]] #tag `#code`\n")
    (root / "bad.md").write_text("---\ntags: [x\n---\nbroken\n")
    return root


def test_notes_are_the_same_but_keep_no_body(tmp_path: Path) -> None:
    vault = _vault(tmp_path / "vault")
    kept = scan_vault(vault, ScanSettings())
    light = scan_vault(vault, ScanSettings(), keep_bodies=False)

    def fields(inv: Inventory) -> list[tuple[object, ...]]:
        return [
            (n.path, n.hash, n.status, n.error, n.frontmatter, n.tags, n.inline_tags)
            for n in inv.notes
        ]

    assert fields(light) == fields(kept)
    assert [n.inline_tags for n in light.notes if n.path == "b.md"] == [["tag"]]
    assert all(n.body is not None for n in kept.notes if n.status == "ok")
    assert all(n.body is None for n in light.notes)


def test_the_cache_written_without_bodies_serves_a_later_scan(tmp_path: Path) -> None:
    vault = _vault(tmp_path / "vault")
    store = Store(tmp_path / "state.db")
    first = scan_vault(vault, ScanSettings(), StoreScanCache(store), keep_bodies=False)
    again = scan_vault(vault, ScanSettings(), StoreScanCache(store))
    assert again.files_read == 0
    assert [(n.path, n.tags, n.inline_tags, n.status) for n in again.notes] == [
        (n.path, n.tags, n.inline_tags, n.status) for n in first.notes
    ]
