"""Guarantee: a full disk stops apply and undo with one line, and nothing is torn.

The temp files and the journal record of a chunk are written before any of its notes is
replaced; when one of those writes fails with ENOSPC (or EDQUOT) the whole run stops there:
the chunk's temps are removed, its notes are untouched, what earlier chunks wrote stays
written, journaled and undoable, and the proposals say exactly that. An undo stopped so is
*partly undone*; a plain ``undo`` finishes it once there is room.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.safety.conftest import files, make_vault, states, temps
from vaultcurator import workspace
from vaultcurator.cli import main
from vaultcurator.review import apply, undo
from vaultcurator.store.db import Store
from vaultcurator.vault.frontmatter import parse
from vaultcurator.workspace import open_workspace


def fill_disk_after(monkeypatch: pytest.MonkeyPatch, suffix: str, writes: int) -> None:
    """``os.write`` to files ending in ``suffix`` fails with ENOSPC after ``writes`` calls."""
    real_write = os.write
    seen = {"n": 0}

    def write(fd: int, data: bytes | memoryview) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(suffix):
            seen["n"] += 1
            if seen["n"] > writes:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("full_at", [".vctmp", ".vcj"], ids=["temp-file", "journal-file"])
def test_disk_full_during_apply(
    vault: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    full_at: str,
) -> None:
    notes = make_vault(vault, 12)
    monkeypatch.setattr(apply, "APPLY_CHUNK", 4)
    # temps: 4 of the first chunk, 1 of the second; journal: its header, the first chunk
    fill_disk_after(monkeypatch, full_at, 5 if full_at == ".vctmp" else 2)

    code = main(["apply", str(vault)])

    monkeypatch.setattr(os, "write", os.write)
    err = one_error_line(capsys)
    assert code == 1
    assert err.startswith("vaultcurator: error: disk full") and "4 of 12 notes" in err
    now = files(vault, notes)
    written = sorted(rel for rel in notes if now[rel] != notes[rel])
    assert written == sorted(notes)[:4]
    for rel in written:  # whole new versions, never a torn one
        assert parse(now[rel]).frontmatter["tags"][-1].startswith("tag")
    assert temps(vault) == []
    with open_workspace(vault) as ws:
        rows = ws.store.query("SELECT path, landed FROM journal")
    assert sorted(r["path"] for r in rows) == written
    assert all(r["landed"] == 1 for r in rows)
    assert states(vault) == {rel: "applied" if rel in written else "approved" for rel in notes}

    monkeypatch.undo()
    assert main(["undo", str(vault)]) == 0
    assert files(vault, notes) == notes


def test_disk_full_during_undo_then_plain_undo_finishes(
    vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = make_vault(vault, 12)
    assert main(["apply", str(vault)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(undo, "UNDO_CHUNK", 4)
    fill_disk_after(monkeypatch, ".vctmp", 5)

    code = main(["undo", str(vault)])

    monkeypatch.setattr(os, "write", os.write)
    err = one_error_line(capsys)
    assert code == 1 and "partly undone" in err
    back = [rel for rel in notes if files(vault, notes)[rel] == notes[rel]]
    assert len(back) == 4 and temps(vault) == []
    assert states(vault) == {rel: "pending" if rel in back else "applied" for rel in notes}

    monkeypatch.undo()
    assert main(["undo", str(vault)]) == 0
    assert files(vault, notes) == notes
    assert set(states(vault).values()) == {"pending"}


def test_a_store_that_cannot_grow_stops_apply_with_one_line(
    vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's own "database or disk is full" (here: a page limit it must not pass) at the
    journal rows is the same clean stop, before any note changes."""
    notes = make_vault(vault, 12, pad=20_000)  # previous bytes that need new pages
    real_open = workspace.open_store

    def capped(root: Path) -> Store:
        store = real_open(root)
        pages = store.query("PRAGMA page_count")[0][0]
        store.query(f"PRAGMA max_page_count = {pages}")
        return store

    monkeypatch.setattr(workspace, "open_store", capped)

    code = main(["apply", str(vault)])

    err = one_error_line(capsys)
    assert code == 1 and err.startswith("vaultcurator: error: disk full"), err
    assert "0 of 12 notes" in err
    assert files(vault, notes) == notes and temps(vault) == []
    monkeypatch.undo()
    assert set(states(vault).values()) == {"approved"}
