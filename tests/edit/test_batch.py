"""apply_edits: group-committed edits with the same per-note guarantees."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultcurator.errors import ConflictError, NoteParseError
from vaultcurator.review.undo import undo_run
from vaultcurator.store.db import Store
from vaultcurator.store.journal import StoreJournal, finish_run, start_run
from vaultcurator.vault import atomic
from vaultcurator.vault.edit import EditRequest, UnsafePathError, apply_edits
from vaultcurator.vault.frontmatter import parse
from vaultcurator.vault.model import sha256_hex

UPDATES = {"tags": ["batch", "x/y"], "description": "Batch.", "related": ["[[A]]"]}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "state.db") as opened:
        yield opened


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_fixture_vault_batch_then_undo(vault_copy: Path, store: Store) -> None:
    before = snapshot(vault_copy)
    notes = {rel: data for rel, data in before.items() if rel.lower().endswith(".md")}
    requests = [EditRequest(rel, UPDATES, sha256_hex(data)) for rel, data in notes.items()]
    requests.append(EditRequest("../escape.md", UPDATES, "0" * 64))
    run_id = start_run(store)
    outcomes = apply_edits(vault_copy, requests, log=StoreJournal(store, run_id), chunk_size=7)
    finish_run(store, run_id, {})
    assert [o.path for o in outcomes] == [r.path for r in requests]
    assert isinstance(outcomes[-1].error, UnsafePathError)
    changed = 0
    for outcome in outcomes[:-1]:
        data = notes[outcome.path]
        if parse(data).ok:
            assert outcome.error is None and outcome.result is not None
            assert sha256_hex((vault_copy / outcome.path).read_bytes()) == outcome.result.new_hash
            changed += outcome.result.changed
        else:
            assert isinstance(outcome.error, NoteParseError)
    assert changed > 20
    assert not list(vault_copy.rglob("*.vctmp"))
    report = undo_run(store, vault_copy)
    assert len(report.restored) == changed and not report.conflicts
    assert snapshot(vault_copy) == before


def test_change_during_the_commit_window_is_a_conflict(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "v"
    root.mkdir()
    originals = {f"n{i}.md": f"---\ntitle: {i}\n---\nbody {i}\n".encode() for i in range(5)}
    for rel, data in originals.items():
        (root / rel).write_bytes(data)
    real_sync = atomic.sync_filesystem

    def sync_then_user_edits(path: Path) -> None:
        real_sync(path)
        (root / "n2.md").write_bytes(b"typed by the user")

    monkeypatch.setattr(atomic, "sync_filesystem", sync_then_user_edits)
    run_id = start_run(store)
    outcomes = apply_edits(
        root,
        [EditRequest(rel, {"tags": ["t"]}, sha256_hex(d)) for rel, d in originals.items()],
        log=StoreJournal(store, run_id),
    )
    assert isinstance(outcomes[2].error, ConflictError)
    assert (root / "n2.md").read_bytes() == b"typed by the user"
    assert all(o.result is not None and o.result.changed for i, o in enumerate(outcomes) if i != 2)
    rows = store.query("SELECT path FROM journal WHERE run_id = ? ORDER BY id", (run_id,))
    assert [r["path"] for r in rows] == ["n0.md", "n1.md", "n3.md", "n4.md"]
    assert sorted(p.name for p in root.iterdir()) == sorted(originals)


def test_same_note_twice_sees_its_own_first_write(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"body\n")
    first = sha256_hex(b"body\n")
    outcomes = apply_edits(
        tmp_path,
        [EditRequest("n.md", {"tags": ["a"]}, first), EditRequest("n.md", {"tags": ["b"]}, first)],
    )
    assert outcomes[0].result is not None and outcomes[0].result.changed
    assert isinstance(outcomes[1].error, ConflictError)
    assert note.read_bytes() == b"---\ntags:\n  - a\n---\nbody\n"


def test_unchanged_notes_are_not_written(tmp_path: Path) -> None:
    data = b"---\ntags:\n  - a\n---\n"
    (tmp_path / "n.md").write_bytes(data)
    mtime = (tmp_path / "n.md").stat().st_mtime_ns
    [outcome] = apply_edits(tmp_path, [EditRequest("n.md", {"tags": ["a"]}, sha256_hex(data))])
    assert outcome.result is not None and not outcome.result.changed
    assert (tmp_path / "n.md").stat().st_mtime_ns == mtime
