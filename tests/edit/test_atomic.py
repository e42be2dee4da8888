"""Atomic replacement: whatever fails, the original stays whole and no temp file is left."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vaultcurator.errors import ConflictError
from vaultcurator.vault import atomic, swap
from vaultcurator.vault.edit import set_frontmatter_keys
from vaultcurator.vault.model import sha256_hex

ORIGINAL = b"---\ntags: [a]\n---\n" + b"body line\n" * 1000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def note(tmp_path: Path) -> Path:
    path = tmp_path / "note.md"
    path.write_bytes(ORIGINAL)
    path.chmod(0o604)
    return path


def only_the_note(note: Path) -> None:
    assert sorted(p.name for p in note.parent.iterdir()) == [note.name]
    assert note.read_bytes() == ORIGINAL


def test_replace_keeps_mode_and_leaves_no_temp(note: Path) -> None:
    atomic.atomic_replace(note, b"new", sha256_hex(ORIGINAL))
    assert note.read_bytes() == b"new"
    assert stat.S_IMODE(note.stat().st_mode) == 0o604
    assert [p.name for p in note.parent.iterdir()] == ["note.md"]


@pytest.mark.parametrize(
    ("module", "failing"),
    [(os, "replace"), (swap, "exchange"), (os, "write"), (atomic, "sync_filesystem")],
)
def test_failure_mid_write_keeps_the_original(
    note: Path, monkeypatch: pytest.MonkeyPatch, module: object, failing: str
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "replace":  # the fallback where the platform cannot exchange
        monkeypatch.setattr(swap, "_RENAMEAT2", None)
    monkeypatch.setattr(module, failing, boom)
    with pytest.raises(OSError, match="No space"):
        set_frontmatter_keys(note.parent, note.name, {"tags": ["b"]}, sha256_hex(ORIGINAL))
    monkeypatch.undo()
    only_the_note(note)


def test_change_between_staging_and_commit_is_a_conflict(note: Path) -> None:
    with atomic.staged(note, b"new") as staged:
        assert len(list(note.parent.iterdir())) == 2  # the hidden temp exists meanwhile
        note.write_bytes(b"edited in Obsidian")
        with pytest.raises(ConflictError):
            staged.commit(sha256_hex(ORIGINAL), "note.md")
    assert note.read_bytes() == b"edited in Obsidian"
    assert [p.name for p in note.parent.iterdir()] == ["note.md"]


def test_killed_mid_write_keeps_the_original(note: Path) -> None:
    """A process killed (SIGKILL) while writing the temp file cannot hurt the note."""
    child = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from vaultcurator.vault import atomic, swap
        def slow_flush(path):  # the temp is written, the note not replaced yet
            print("writing", flush=True)
            time.sleep(60)
        atomic.sync_filesystem = slow_flush
        from vaultcurator.vault.edit import set_frontmatter_keys
        from vaultcurator.vault.model import sha256_hex
        note = Path({str(note)!r})
        set_frontmatter_keys(note.parent, note.name, {{"tags": ["b"]}},
                             sha256_hex(note.read_bytes()))
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert note.read_bytes() == ORIGINAL
    assert stat.S_IMODE(note.stat().st_mode) == 0o604
    # The killed writer may leave its hidden temp file; it is never taken for a note.
    stray = [p.name for p in note.parent.iterdir() if p.name != "note.md"]
    assert all(name.startswith(".note.md.") and name.endswith(".vctmp") for name in stray)


def test_a_second_edit_racing_the_put_back_is_kept_beside_the_note(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both the version the swap displaced and a write into ours right after it are the
    user's: the first goes back in place, the second is kept as a visible copy."""
    if swap._RENAMEAT2 is None:
        pytest.skip("no RENAME_EXCHANGE on this platform")
    real_hash, real_exchange = swap.regular_hash, swap.exchange
    calls = {"hash": 0, "exchange": 0}

    def hash_then_edit(path: Path, label: str, expected: str) -> str | None:
        digest = real_hash(path, label, expected)
        calls["hash"] += 1
        if calls["hash"] == 1:  # right after the last check: the user saves
            note.write_bytes(b"first edit")
        return digest

    def exchange_then_edit(first: Path, second: Path) -> None:
        real_exchange(first, second)
        calls["exchange"] += 1
        if calls["exchange"] == 1:  # and writes again, now into our version
            with second.open("ab") as handle:
                handle.write(b" + second edit")

    monkeypatch.setattr(swap, "regular_hash", hash_then_edit)
    monkeypatch.setattr(swap, "exchange", exchange_then_edit)
    with pytest.raises(ConflictError, match="kept as"):
        atomic.atomic_replace(note, b"ours", sha256_hex(ORIGINAL), "note.md")
    assert note.read_bytes() == b"first edit"
    [aside] = [p for p in note.parent.iterdir() if p != note]
    assert aside.name.startswith("note.conflict-") and aside.read_bytes() == b"ours + second edit"


def test_without_the_exchange_the_last_check_still_guards_the_replace(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(swap, "_RENAMEAT2", None)
    atomic.atomic_replace(note, b"new", sha256_hex(ORIGINAL))
    assert note.read_bytes() == b"new"
    with atomic.staged(note, b"newer") as staged:
        note.write_bytes(b"edited")
        with pytest.raises(ConflictError):
            staged.commit(sha256_hex(b"new"), "note.md")
    assert note.read_bytes() == b"edited"
    assert [p.name for p in note.parent.iterdir()] == ["note.md"]
