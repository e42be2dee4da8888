"""How a scan stores its cache: rows stored while a shared scan reads, the WAL copied into
``state.db`` by a helper thread, and nothing about other transactions' durability changed."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.scan.conftest import Write
from vaultcurator.config import ScanSettings
from vaultcurator.store import Store, open_store
from vaultcurator.store.db import AUTOCHECKPOINT_PAGES
from vaultcurator.store.scan_cache import BULK_ROWS, StoreScanCache
from vaultcurator.vault import scan as scan_module
from vaultcurator.vault import workers

needs_fork = pytest.mark.skipif(not workers.can_fork(), reason="needs Linux, one thread, 2 cores")


def _fill(write: Write, count: int) -> None:
    for i in range(count):
        write(f"d{i % 7}/n{i:04d}.md", f"---\ntags: [t{i % 5}]\n---\nBody {i} #x{i % 3}\n")


def _force_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_module, "FORK_MIN_FILES", 1)
    monkeypatch.setattr(workers, "core_free", lambda: True)  # however busy the machine is
    monkeypatch.setattr(workers, "split_map", partial(workers.split_map, chunk=4))


def _wal_frames(state_db: Path) -> int:
    wal = state_db.with_name(state_db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _rows(state_db: Path) -> list[tuple[Any, ...]]:
    with Store(state_db, read_only=True) as store:
        return [tuple(r) for r in store.query("SELECT path, hash FROM scan_cache ORDER BY path")]


@needs_fork
def test_a_shared_scan_stores_its_rows_while_reading_and_a_rescan_reads_nothing(
    vault: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(write, 120)
    _force_fork(monkeypatch)
    added: list[int] = []
    real_store_rows = scan_module._store_rows

    def spy(writer: Any, outcomes: list[Any]) -> None:
        added.append(len(outcomes))
        real_store_rows(writer, outcomes)

    monkeypatch.setattr(scan_module, "_store_rows", spy)
    store = open_store(vault)
    try:
        first = scan_module.scan_vault(
            vault, ScanSettings(), StoreScanCache(store), keep_bodies=False
        )
    finally:
        store.close()
    assert first.files_read == 120
    assert len(added) > 1 and sum(added) == 120  # chunk by chunk, every row once
    state_db = store.path
    assert _wal_frames(state_db) == 0  # checkpointed and closed: all of it is in state.db
    assert len(_rows(state_db)) == 120

    with open_store(vault) as again:
        second = scan_module.scan_vault(vault, ScanSettings(), StoreScanCache(again))
    assert second.files_read == 0 and len(second.notes) == 120
    assert [n.tags for n in second.notes] == [n.tags for n in first.notes]


@needs_fork
def test_a_shared_scan_that_fails_keeps_the_previous_cache(
    vault: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(write, 60)
    _force_fork(monkeypatch)
    with open_store(vault) as store:
        scan_module.scan_vault(vault, ScanSettings(), StoreScanCache(store), keep_bodies=False)
        before = store.query("SELECT path, hash, scan_id FROM scan_cache ORDER BY path")
        scans = store.query("SELECT count(*) FROM scans")[0][0]
    for i in range(0, 60, 2):
        write(f"d{i % 7}/n{i:04d}.md", f"changed {i}\n")
    calls = 0
    real_store_rows = scan_module._store_rows

    def fails_later(writer: Any, outcomes: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("disk gone")
        real_store_rows(writer, outcomes)

    monkeypatch.setattr(scan_module, "_store_rows", fails_later)
    with open_store(vault) as store:
        with pytest.raises(OSError, match="disk gone"):
            scan_module.scan_vault(vault, ScanSettings(), StoreScanCache(store), keep_bodies=False)
        after = store.query("SELECT path, hash, scan_id FROM scan_cache ORDER BY path")
        assert [tuple(r) for r in after] == [tuple(r) for r in before]
        assert store.query("SELECT count(*) FROM scans")[0][0] == scans


def test_a_writer_left_without_finish_keeps_nothing(vault: Path) -> None:
    with open_store(vault) as store:
        cache = StoreScanCache(store)
        row = ("a.md", 1, 2, "h", "ok", None, "{}", "[]", "[]", None)
        with (
            pytest.raises(RuntimeError, match="without finish"),
            cache.writing(started_at=1.0, parser="p") as writer,
        ):
            writer.add([row])
        assert store.query("SELECT count(*) FROM scan_cache")[0][0] == 0
        assert store.query("SELECT count(*) FROM scans")[0][0] == 0


def _row(i: int) -> tuple[Any, ...]:
    return (f"n{i:05d}.md", i, 10, f"{i:064x}", "ok", None, '{"k":"' + "v" * 200 + '"}',
            '["t"]', "[]", None)  # fmt: skip


def test_a_bulk_save_is_in_state_db_after_close_and_leaves_apply_settings_alone(
    vault: Path,
) -> None:
    store = open_store(vault)
    try:
        scan_id = StoreScanCache(store).save(
            started_at=1.0,
            upserts=[_row(i) for i in range(BULK_ROWS * 2)],  # a WAL of more than 1,000 pages
            removed=[],
            notes=BULK_ROWS * 2,
            invalid=0,
            files_read=BULK_ROWS * 2,
            parser="p",
        )
        assert scan_id > 0
        # What every other transaction (apply's journal, proposals) commits with is as before:
        # synchronous NORMAL (1) and SQLite's automatic checkpoint at 1,000 pages.
        assert store.query("PRAGMA synchronous")[0][0] == 1
        assert store.query("PRAGMA wal_autocheckpoint")[0][0] == AUTOCHECKPOINT_PAGES == 1000
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    finally:
        store.close()
    assert _wal_frames(store.path) == 0
    assert len(_rows(store.path)) == BULK_ROWS * 2


def test_a_small_save_is_a_plain_transaction(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(vault) as store:

        def no_bulk() -> Any:
            raise AssertionError("bulk transaction for a few rows")

        monkeypatch.setattr(store, "bulk_transaction", no_bulk)
        StoreScanCache(store).save(
            started_at=1.0, upserts=[_row(1)], removed=[], notes=1, invalid=0, files_read=1,
            parser="p",
        )  # fmt: skip
        assert store.query("SELECT count(*) FROM scan_cache")[0][0] == 1


def test_a_first_scan_process_leaves_its_cache_whole_for_the_next_one(
    vault: Path, write: Write
) -> None:
    """As a user runs it (a fork, rows stored while reading, the checkpoint in a thread,
    when a core is free; one process otherwise): the next process reads no file."""
    (vault / ".obsidian").mkdir()
    count = max(scan_module.FORK_MIN_FILES, BULK_ROWS) + 50
    _fill(write, count)
    command = [sys.executable, "-m", "vaultcurator", "scan", str(vault)]
    first = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    assert f"read {count} files" in first.stdout
    state_db = vault / ".vaultcurator" / "state.db"
    assert _wal_frames(state_db) == 0
    assert len(_rows(state_db)) == count
    second = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    assert "read 0 files" in second.stdout
    assert second.stdout.split("\n", 1)[1] == first.stdout.split("\n", 1)[1]  # same report
