"""The apply journal: write-ahead rows, exact-byte undo, conflicts left alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultcurator.errors import ConflictError, UsageError
from vaultcurator.review.undo import undo_run
from vaultcurator.store.db import Store
from vaultcurator.store.journal import StoreJournal, finish_run, list_runs, start_run
from vaultcurator.vault import swap
from vaultcurator.vault.edit import set_frontmatter_keys
from vaultcurator.vault.model import sha256_hex

REPO = Path(__file__).resolve().parents[2]
NOTES = {
    "a.md": b"---\ntags: [x]\n---\nA\n",
    "dir/b.md": b"\xef\xbb\xbf---\r\ntitle: B\r\n---\r\nB\r\n",
    "c.md": b"no frontmatter",
}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    for rel, data in NOTES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "state.db") as opened:
        yield opened


def apply_all(vault: Path, store: Store) -> int:
    run_id = start_run(store)
    for rel, data in NOTES.items():
        result = set_frontmatter_keys(
            vault,
            rel,
            {"tags": ["new"], "description": "d"},
            sha256_hex(data),
            log=StoreJournal(store, run_id),
        )
        assert result.changed
    finish_run(store, run_id, {"applied": len(NOTES)})
    return run_id


def contents(vault: Path) -> dict[str, bytes]:
    return {rel: (vault / rel).read_bytes() for rel in NOTES}


def test_undo_restores_exact_bytes(vault: Path, store: Store) -> None:
    run_id = apply_all(vault, store)
    assert all(contents(vault)[rel] != data for rel, data in NOTES.items())
    report = undo_run(store, vault)
    assert report.run_id == run_id
    assert sorted(report.restored) == sorted(NOTES)
    assert report.conflicts == [] and report.untouched == []
    assert contents(vault) == NOTES
    undo, applied = list_runs(store)
    assert (undo.kind, undo.id, undo.writes) == ("undo", report.undo_run_id, 3)
    assert (applied.kind, applied.undone_by, applied.writes) == ("apply", undo.id, 3)
    assert applied.summary == {"applied": 3}
    assert undo.summary["restored"] == 3 and undo.finished_at is not None
    rows = store.query("SELECT undone_at FROM journal WHERE run_id = ?", (run_id,))
    assert all(row["undone_at"] is not None for row in rows)
    with pytest.raises(UsageError, match="nothing to undo"):
        undo_run(store, vault)
    with pytest.raises(UsageError, match="already undone"):
        undo_run(store, vault, run_id)


def test_note_edited_after_apply_is_a_conflict_and_left_alone(vault: Path, store: Store) -> None:
    apply_all(vault, store)
    edited = (vault / "a.md").read_bytes() + b"typed later\n"
    (vault / "a.md").write_bytes(edited)
    (vault / "c.md").unlink()
    report = undo_run(store, vault)
    assert sorted(report.restored) == ["dir/b.md"]
    assert dict(report.conflicts).keys() == {"a.md", "c.md"}
    assert "deleted" in dict(report.conflicts)["c.md"]
    assert (vault / "a.md").read_bytes() == edited
    assert (vault / "dir/b.md").read_bytes() == NOTES["dir/b.md"]
    # Once the conflict is resolved (the edit reverted), the rest can be undone by id.
    (vault / "a.md").write_bytes(edited.removesuffix(b"typed later\n"))
    again = undo_run(store, vault, report.run_id)
    assert again.restored == ["a.md"]
    assert (vault / "a.md").read_bytes() == NOTES["a.md"]


def test_undo_picks_the_last_apply_run_and_handles_repeated_edits(
    vault: Path, store: Store
) -> None:
    first = apply_all(vault, store)
    snapshot = contents(vault)
    second = start_run(store)
    for tags in (["one"], ["two"]):
        current = (vault / "a.md").read_bytes()
        set_frontmatter_keys(
            vault, "a.md", {"tags": tags}, sha256_hex(current), log=StoreJournal(store, second)
        )
    report = undo_run(store, vault)
    assert report.run_id == second and report.restored == ["a.md", "a.md"]
    assert contents(vault) == snapshot
    assert undo_run(store, vault).run_id == first
    assert contents(vault) == NOTES


def test_conflict_during_apply_leaves_no_journal_row(vault: Path, store: Store) -> None:
    run_id = start_run(store)
    (vault / "a.md").write_bytes(b"changed")
    with pytest.raises(ConflictError):
        set_frontmatter_keys(
            vault,
            "a.md",
            {"tags": ["n"]},
            sha256_hex(NOTES["a.md"]),
            log=StoreJournal(store, run_id),
        )
    assert store.query("SELECT count(*) AS n FROM journal")[0]["n"] == 0


def test_failed_replace_leaves_no_journal_row(
    vault: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = start_run(store)

    def boom(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(swap, "exchange", boom)
    with pytest.raises(OSError, match="disk on fire"):
        set_frontmatter_keys(
            vault,
            "a.md",
            {"tags": ["n"]},
            sha256_hex(NOTES["a.md"]),
            log=StoreJournal(store, run_id),
        )
    monkeypatch.undo()
    assert store.query("SELECT count(*) AS n FROM journal")[0]["n"] == 0
    assert contents(vault) == NOTES


def test_crash_between_journal_row_and_replace(vault: Path, store: Store, tmp_path: Path) -> None:
    """A process killed right before the rename leaves a row that undo treats as a no-op."""
    run_id = start_run(store)
    child = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from vaultcurator.store.db import Store
        from vaultcurator.store.journal import StoreJournal
        from vaultcurator.vault.edit import set_frontmatter_keys
        from vaultcurator.vault.model import sha256_hex
        from vaultcurator.vault import swap
        swap.exchange = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
        vault = Path({str(vault)!r})
        store = Store(Path({str(tmp_path / "state.db")!r}))
        data = (vault / "a.md").read_bytes()
        set_frontmatter_keys(vault, "a.md", {{"tags": ["n"]}}, sha256_hex(data),
                             log=StoreJournal(store, {run_id}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", child], cwd=REPO, timeout=60)
    assert proc.returncode == -9
    rows = store.query("SELECT path, prev_hash, new_hash FROM journal WHERE run_id = ?", (run_id,))
    assert [row["path"] for row in rows] == ["a.md"]
    assert (vault / "a.md").read_bytes() == NOTES["a.md"]
    report = undo_run(store, vault, run_id)
    assert report.untouched == ["a.md"] and report.restored == [] and report.conflicts == []
    assert contents(vault) == NOTES
