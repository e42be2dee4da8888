"""The scan cache: an unchanged vault is rescanned without reading a single file."""

from __future__ import annotations

import dataclasses
import os
import pickle
from pathlib import Path

import pytest

from tests.scan.conftest import Write, scan
from vaultcurator.store import Store


def make_vault(write: Write) -> None:
    write("a.md", "---\ntags: [x, Y]\ncreated: 2025-01-02\ndescription: A\n---\nbody #inline\n")
    write("b/c.md", "no frontmatter\n")
    write("broken.md", "---\ntags: [a\n---\n")


def test_warm_rescan_reads_nothing_and_matches_the_cold_scan(
    vault: Path, write: Write, store: Store
) -> None:
    make_vault(write)
    cold = scan(vault, store)
    warm = scan(vault, store)
    assert cold.files_read == 3
    assert warm.files_read == 0
    for before, after in zip(cold.notes, warm.notes, strict=True):
        assert after.body is None
        before.body = None
        assert after == before
    assert warm.notes[0].frontmatter == {
        "tags": ["x", "Y"],
        "created": "2025-01-02",
        "description": "A",
    }
    assert warm.notes[0].inline_tags == ["inline"]
    assert warm.notes[2].status == "invalid" and "line 3" in (warm.notes[2].error or "")


def test_changed_file_is_read_again(vault: Path, write: Write, store: Store) -> None:
    make_vault(write)
    scan(vault, store)
    write("b/c.md", "---\ntags: [new]\n---\n")
    again = scan(vault, store)
    assert again.files_read == 1
    assert again.by_path()["b/c.md"].tags == ["new"]


def test_same_size_change_is_seen_through_mtime(vault: Path, write: Write, store: Store) -> None:
    path = write("a.md", "---\ntags: [aa]\n---\n")
    scan(vault, store)
    stat = path.stat()
    path.write_text("---\ntags: [bb]\n---\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    again = scan(vault, store)
    assert (again.files_read, again.notes[0].tags) == (1, ["bb"])


def test_removed_file_disappears_and_new_file_renumbers(
    vault: Path, write: Write, store: Store
) -> None:
    make_vault(write)
    scan(vault, store)
    (vault / "a.md").unlink()
    write("0-first.md", "new")
    again = scan(vault, store)
    assert [(n.index, n.path) for n in again.notes] == [
        (0, "0-first.md"),
        (1, "b/c.md"),
        (2, "broken.md"),
    ]
    assert again.files_read == 1
    cached = [r["path"] for r in store.query("SELECT path FROM scan_cache ORDER BY path")]
    assert cached == ["0-first.md", "b/c.md", "broken.md"]


def test_each_scan_is_recorded(vault: Path, write: Write, store: Store) -> None:
    make_vault(write)
    first = scan(vault, store)
    second = scan(vault, store)
    rows = store.query("SELECT id, notes, invalid, files_read, finished_at FROM scans ORDER BY id")
    assert [r["id"] for r in rows] == [first.scan_id, second.scan_id]
    assert [(r["notes"], r["invalid"], r["files_read"]) for r in rows] == [(3, 1, 3), (3, 1, 0)]
    assert all(r["finished_at"] is not None for r in rows)


@pytest.mark.parametrize(
    ("column", "damage"),
    [("frontmatter_json", "{oops"), ("frontmatter_json", "[1]"), ("tags_json", '{"a": 1}')],
)
def test_damaged_cache_row_is_read_from_the_file_not_fatal(
    vault: Path, write: Write, store: Store, column: str, damage: str
) -> None:
    """Cached JSON is decoded on first use; a row that does not decode to the right type
    (a damaged store) makes the note read its fields from the file instead."""
    make_vault(write)
    cold = scan(vault, store)
    store.execute(f"UPDATE scan_cache SET {column} = ? WHERE path = 'a.md'", (damage,))
    again = scan(vault, store)
    assert again.files_read == 0
    note = again.notes[0]
    assert note.frontmatter["description"] == "A"
    assert (note.tags, note.inline_tags) == (["x", "Y"], ["inline"])
    cold.notes[0].body = None
    assert note == cold.notes[0]


def test_cached_fields_decode_on_first_use_and_behave_like_attributes(
    vault: Path, write: Write, store: Store
) -> None:
    make_vault(write)
    cold = scan(vault, store)
    warm = scan(vault, store)
    note = warm.notes[0]
    note.tags = ["set", "before", "decoding"]  # assigning first: never overwritten later
    assert note.frontmatter["tags"] == ["x", "Y"]
    assert note.tags == ["set", "before", "decoding"]
    assert note.frontmatter is note.frontmatter  # decoded once, then a plain attribute
    copy = dataclasses.replace(warm.notes[1], index=7)
    assert (copy.index, copy.frontmatter, copy.tags) == (7, {}, [])
    assert pickle.loads(pickle.dumps(warm.notes[2])).error == cold.notes[2].error
    with pytest.raises(AttributeError):
        getattr(note, "no_such_field")  # noqa: B009 - an unknown name still raises


def test_raising_the_size_limit_rereads_too_large_notes(
    vault: Path, write: Write, store: Store
) -> None:
    write("big.md", "---\ntags: [big]\n---\n" + "x" * 2000)
    assert scan(vault, store, max_note_bytes=100).notes[0].status == "invalid"
    assert scan(vault, store, max_note_bytes=100).files_read == 0
    now = scan(vault, store, max_note_bytes=10_000)
    assert (now.files_read, now.notes[0].status, now.notes[0].tags) == (1, "ok", ["big"])


def test_without_a_store_nothing_is_written(vault: Path, write: Write) -> None:
    make_vault(write)
    inventory = scan(vault)
    assert inventory.scan_id is None
    assert not (vault / ".vaultcurator").exists()


def test_a_different_parser_rebuilds_the_cache(
    vault: Path, write: Write, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade that parses notes differently, no answer of the old code survives."""
    from vaultcurator.vault import scan as scan_module

    make_vault(write)
    scan(vault, store)
    store.execute("UPDATE scan_cache SET tags_json = '[\"stale\"]' WHERE path = 'a.md'")
    store.execute(
        "INSERT INTO scan_cache(path, mtime_ns, size, hash, status, frontmatter_json, "
        "tags_json, inline_tags_json) VALUES ('ghost.md', 0, 0, 'h', 'ok', '{}', '[]', '[]')"
    )
    assert scan(vault, store).notes[0].tags == ["stale"]  # same parser: the cache is trusted
    monkeypatch.setattr(scan_module, "PARSER", "a-newer-parser")
    again = scan(vault, store)
    assert again.files_read == 3
    assert again.notes[0].tags == ["x", "Y"]
    paths = [r[0] for r in store.query("SELECT path FROM scan_cache ORDER BY path")]
    assert paths == ["a.md", "b/c.md", "broken.md"]
    assert scan(vault, store).files_read == 0


def test_cached_file_deleted_during_a_rescan_leaves_the_cache(
    vault: Path, write: Write, store: Store
) -> None:
    from vaultcurator.config import ScanSettings
    from vaultcurator.store.scan_cache import StoreScanCache
    from vaultcurator.vault.scan import scan_vault

    for name in ("a.md", "b.md", "c.md"):
        write(name, name)
    scan(vault, store)
    doomed = write("b.md", "changed, so read again")

    def progress(done: int, total: int) -> None:
        if doomed.exists():
            doomed.unlink()  # listed already, gone before it is read

    inventory = scan_vault(vault, ScanSettings(), StoreScanCache(store), progress=progress)
    assert [(n.index, n.path) for n in inventory.notes] == [(0, "a.md"), (1, "c.md")]
    cached = [r[0] for r in store.query("SELECT path FROM scan_cache ORDER BY path")]
    assert cached == ["a.md", "c.md"]
    assert scan(vault, store).files_read == 0


def test_first_use_decodes_the_whole_scan_once(vault: Path, write: Write, store: Store) -> None:
    """One bulk decode for every cached note of the scan; notes read again stay cached."""
    make_vault(write)
    scan(vault, store)
    write("b/c.md", "---\ntags: [fresh]\n---\n")  # read again: plain fields from the start
    warm = scan(vault, store)
    a, c, broken = warm.notes
    assert c.tags == ["fresh"] and a._pending is not None and broken._pending is not None
    assert a.inline_tags == ["inline"]
    assert a._pending is None and broken._pending is None
    assert (broken.frontmatter, broken.tags) == ({}, [])
