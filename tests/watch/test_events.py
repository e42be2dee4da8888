"""Real inotify events through watchdog into coalesced, vault-relative change sets."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vaultcurator.watch.events import ChangeSet, Debouncer, relative_note_path
from vaultcurator.watch.observer import VaultWatcher

DELAY = 0.3


def _collect(root: Path) -> tuple[VaultWatcher, queue.Queue[ChangeSet]]:
    batches: queue.Queue[ChangeSet] = queue.Queue()
    return VaultWatcher(root, batches.put, delay=DELAY), batches


def _next_batch(batches: queue.Queue[ChangeSet], timeout: float = 10.0) -> ChangeSet:
    return batches.get(timeout=timeout)


def _merge_until(
    batches: queue.Queue[ChangeSet], done: Callable[[ChangeSet], bool], timeout: float = 20.0
) -> ChangeSet:
    """Merge batches until ``done`` holds; the timeout is generous, only a failure waits it out."""
    merged = ChangeSet()
    deadline = time.monotonic() + timeout
    while not done(merged):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no matching changes within {timeout}s; got {merged}"
        try:
            merged.merge(batches.get(timeout=min(remaining, 0.5)))
        except queue.Empty:
            continue
    return merged


def test_relative_note_path_filters_hidden_and_non_markdown(tmp_path: Path) -> None:
    assert relative_note_path(tmp_path, str(tmp_path / "a" / "Note.md")) == "a/Note.md"
    assert relative_note_path(tmp_path, str(tmp_path / ".obsidian" / "x.md")) is None
    assert relative_note_path(tmp_path, str(tmp_path / "a" / ".hidden.md")) is None
    assert relative_note_path(tmp_path, str(tmp_path / "image.png")) is None
    assert relative_note_path(tmp_path, "/elsewhere/n.md") is None
    decomposed = "Cafe\u0301.md"
    assert relative_note_path(tmp_path, str(tmp_path / decomposed)) == "Caf\u00e9.md"


def test_burst_of_writes_is_one_batch(tmp_path: Path) -> None:
    watcher, batches = _collect(tmp_path)
    with watcher:
        note = tmp_path / "Burst.md"
        for i in range(20):
            note.write_text(f"---\ntags: [a]\n---\nedit {i}\n", encoding="utf-8")
        batch = _next_batch(batches)
        assert batch.changed == {"Burst.md"}
        assert not batch.deleted
        with pytest.raises(queue.Empty):  # no second batch trailing the burst
            batches.get(timeout=3 * DELAY)


def test_atomic_save_via_rename_counts_as_change(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    target = tmp_path / "sub" / "Saved 💡.md"
    target.write_text("old\n", encoding="utf-8")
    watcher, batches = _collect(tmp_path)
    with watcher:
        temp = tmp_path / "sub" / ".Saved.md.tmp"
        temp.write_text("new\n", encoding="utf-8")
        os.replace(temp, target)
        batch = _merge_until(batches, lambda b: "sub/Saved 💡.md" in b.changed)
    assert "sub/Saved 💡.md" in batch.changed
    assert not any(p.startswith(".") or "/." in p for p in batch.changed | batch.deleted)


def test_delete_rename_and_ignored_folders(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    gone = tmp_path / "Gone.md"
    gone.write_text("x", encoding="utf-8")
    old = tmp_path / "Old name.md"
    old.write_text("y", encoding="utf-8")
    watcher, batches = _collect(tmp_path)
    with watcher:
        # Ignored files first: their events are queued before the ones waited for below.
        (tmp_path / ".obsidian" / "workspace.md").write_text("z", encoding="utf-8")
        (tmp_path / "picture.png").write_bytes(b"\x89PNG")
        gone.unlink()
        old.rename(tmp_path / "New name.md")
        batch = _merge_until(batches, lambda b: len(b.deleted) >= 2 and bool(b.changed))
    assert batch.deleted == {"Gone.md", "Old name.md"}
    assert batch.changed == {"New name.md"}
    assert not batch.rescan


def test_folder_rename_asks_for_rescan(tmp_path: Path) -> None:
    (tmp_path / "Projects").mkdir()
    (tmp_path / "Projects" / "A.md").write_text("a", encoding="utf-8")
    watcher, batches = _collect(tmp_path)
    with watcher:
        (tmp_path / "Projects").rename(tmp_path / "Archive")
        batch = _merge_until(batches, lambda b: b.rescan)
    assert batch.rescan


def test_events_during_callback_are_kept_for_the_next_batch() -> None:
    seen: list[ChangeSet] = []
    release = queue.Queue[None]()

    def slow(batch: ChangeSet) -> None:
        seen.append(batch)
        if len(seen) == 1:
            release.get(timeout=5)

    debouncer = Debouncer(0.05, slow)
    debouncer.start()
    try:
        debouncer.add(ChangeSet(changed={"a.md"}))
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.01)
        debouncer.add(ChangeSet(changed={"b.md"}))
        debouncer.add(ChangeSet(deleted={"b.md"}))
        release.put(None)
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        debouncer.stop()
    assert [b.changed for b in seen] == [{"a.md"}, set()]
    assert seen[1].deleted == {"b.md"}
