"""A large cold scan shared with a forked child gives exactly what one process gives."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.scan.conftest import Write
from vaultcurator.config import ScanSettings
from vaultcurator.store import Store
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault import scan as scan_module
from vaultcurator.vault import workers
from vaultcurator.vault.model import Inventory

pytestmark = pytest.mark.skipif(not workers.can_fork(), reason="needs Linux, one thread, 2 cores")

SAMPLES: list[bytes] = [
    b"---\ntags: [a, b]\ndescription: plain\n---\nBody #inline and [[Link#Head]] #b\n",
    b"---\ncreated: 2025-01-02\nrating: 4.5\ncount: 7\ndone: yes\nnothing: ~\n---\nx\n",
    "---\ntags: [café, 読書]\ndescription: «non-ASCII» — ok\n---\n#東京 #café\n".encode(),
    b"---\nnested:\n  key: [1, 2]\nwhen: 2024-03-04 05:06:07\n---\n```\n#not-a-tag\n```\n",
    b"\xef\xbb\xbf---\r\ntags: x, y\r\ndescription: crlf\r\n---\r\nBody #z\r\n",
    b"---\ntags: [x\n---\nbroken yaml\n",
    b"---\ncreated: 2025-02-30\n---\nimpossible date\n",
    b"no frontmatter at all #solo `#code` [[a]]#glued\n",
    b"---\nopens but never closes\n",
    b"not utf-8 \xff\xfe\n",
    b"---\nexcalidraw-plugin: parsed\n---\ndrawing\n",
    b"---\ntags:\n  - one\n  - two\n---\n",
    b"",
    b"x" * 3000,  # over the size limit below: hashed, not parsed
]


def _fill(write: Write, count: int) -> None:
    for i in range(count):
        write(f"d{i % 5}/n{i:03d}.md", SAMPLES[i % len(SAMPLES)])


def _fields(inventory: Inventory) -> list[tuple[Any, ...]]:
    names = "index path hash mtime_ns size status error frontmatter tags inline_tags description"
    names += " body"
    return [tuple(getattr(n, name) for name in names.split()) for n in inventory.notes]


def _scan(vault: Path, state: Path, settings: ScanSettings) -> tuple[Inventory, list[Any]]:
    store = Store(state)
    try:
        inventory = scan_module.scan_vault(
            vault, settings, StoreScanCache(store), keep_bodies=False
        )
        rows = store.query(
            "SELECT path, mtime_ns, size, hash, status, error, frontmatter_json, tags_json, "
            "inline_tags_json, description FROM scan_cache ORDER BY path"
        )
        return inventory, [tuple(r) for r in rows]
    finally:
        store.close()


def test_same_notes_rows_and_indices_with_and_without_the_fork(
    vault: Path, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(write, 140)
    bad_name = os.fsencode(vault / "d1") + b"/bad \xff name.md"
    with open(bad_name, "wb") as handle:  # a name pathlib cannot spell
        handle.write(b"---\ntags: [t]\n---\n")
    settings = ScanSettings(max_note_bytes=2000)
    monkeypatch.setattr(scan_module, "FORK_MIN_FILES", 10**9)
    alone, alone_rows = _scan(vault, tmp_path / "alone.db", settings)

    sent: list[Any] = []
    real_from_sent = scan_module._from_sent

    def spy(candidates: Any, batch: Any, position: int, item: Any) -> Any:
        sent.append(item)
        return real_from_sent(candidates, batch, position, item)

    monkeypatch.setattr(scan_module, "FORK_MIN_FILES", 1)
    monkeypatch.setattr(workers, "core_free", lambda: True)  # however busy the machine is
    monkeypatch.setattr(scan_module, "_from_sent", spy)
    monkeypatch.setattr(workers, "split_map", partial(workers.split_map, chunk=2))
    forked, forked_rows = _scan(vault, tmp_path / "forked.db", settings)

    assert any(len(item) == 2 for item in sent)  # the child sent rows
    assert _fields(forked) == _fields(alone)
    assert forked.skipped == alone.skipped and forked.files_read == alone.files_read
    assert forked_rows == alone_rows
    statuses = {n.status for n in alone.notes}
    assert statuses == {"ok", "invalid"} and alone.skipped  # the samples cover every kind
    assert any(n.frontmatter.get("created") == "2025-01-02" for n in alone.notes)


def test_a_scan_that_keeps_bodies_never_forks(
    vault: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(write, 30)
    monkeypatch.setattr(scan_module, "FORK_MIN_FILES", 1)
    monkeypatch.setattr(workers, "core_free", lambda: True)

    def no_fork(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("forked")

    monkeypatch.setattr(workers, "split_map", no_fork)
    inventory = scan_module.scan_vault(vault, ScanSettings())
    assert any(n.body for n in inventory.notes)
