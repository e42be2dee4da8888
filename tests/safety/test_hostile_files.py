"""Guarantees about what apply writes *to*, and what it leaves behind.

- A path that no longer leads to the plain file it was curated from (a symlink swapped in,
  or a folder link above it) is a conflict: nothing is written through it.
- Temp files are ours only by name pattern *and* owner; apply and undo hold the vault's
  writer lock, so every temp of ours is stale then and goes, whatever its age or the pid in
  its name; a temp owned by someone else is never touched.
- A note name of up to 255 bytes is writable: the temp name is shortened to fit NAME_MAX.
- Two appliers at once never journal the same write twice: the second waits for the first.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.safety.conftest import cli, files, make_vault, note_bytes, states, temps
from vaultcurator.review.apply import apply_proposals
from vaultcurator.review.undo import undo_apply
from vaultcurator.store.proposals import add_proposal, list_proposals, set_state
from vaultcurator.vault.atomic import temp_name_for
from vaultcurator.vault.frontmatter import parse
from vaultcurator.workspace import open_workspace


def test_a_note_swapped_for_a_symlink_to_another_note_is_a_conflict(vault: Path) -> None:
    """Same bytes, so the hash check alone would pass: the link must be refused as such."""
    notes = make_vault(vault, 2)
    first, second = sorted(notes)
    (vault / second).write_bytes(notes[first])  # an identical twin (a template, a copy)
    with open_workspace(vault) as ws:
        set_state(ws.store, [p.id for p in list_proposals(ws.store)], "rejected")
        pid = add_proposal(
            ws.store,
            path=first,
            note_index=0,
            base_hash=hashlib.sha256(notes[first]).hexdigest(),
            engine="local",
            new_tags=["mine"],
        )
        set_state(ws.store, [pid], "approved")
    (vault / first).unlink()
    (vault / first).symlink_to(Path(second).name)  # between curate and apply

    with open_workspace(vault) as ws:
        report = apply_proposals(ws)

    assert report.applied == [] and [p for p, _ in report.conflicts] == [first]
    assert "symbolic link" in report.conflicts[0][1]
    assert (vault / second).read_bytes() == notes[first]  # the other note is untouched
    assert (vault / first).is_symlink()


def test_apply_and_undo_sweep_every_temp_of_ours_and_only_ours(vault: Path) -> None:
    notes = make_vault(vault, 3)
    note = vault / sorted(notes)[0]
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # A fresh temp naming a live process that is not writing (a reused pid).
        reused = note.with_name(f".{note.name}.{live.pid}-0123456789ab.vctmp")
        reused.write_bytes(b"left by a killed apply")
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        foreign = temp_name_for(note).with_name(
            f".{note.name}.{dead.stdout.strip()}-ba9876543210.vctmp"
        )
        foreign.write_bytes(b"another user's file")
        os.chown(foreign, 4242, 4242)  # (the tests run as root here)

        apply = cli("apply", str(vault))
        assert apply.returncode == 0, apply.stderr
        assert not reused.exists() and foreign.exists()

        again = temp_name_for(note)
        again.write_bytes(b"a killed undo's copy, one second old")
        assert cli("undo", str(vault)).returncode == 0
        assert not again.exists() and foreign.exists()
        assert files(vault, notes) == notes
    finally:
        live.kill()
        live.wait()


def test_a_250_byte_note_name_is_applied_and_undone(vault: Path) -> None:
    name = "é" * 60 + "x" * 127 + ".md"  # 250 bytes in UTF-8
    assert len(name.encode()) == 250
    (vault / name).write_bytes(note_bytes(1))
    with open_workspace(vault) as ws:
        pid = add_proposal(
            ws.store,
            path=name,
            note_index=0,
            base_hash=hashlib.sha256(note_bytes(1)).hexdigest(),
            engine="local",
            new_tags=["long"],
        )
        set_state(ws.store, [pid], "approved")
        report = apply_proposals(ws)
        assert report.applied == [name], report.failed
        assert parse((vault / name).read_bytes()).frontmatter["tags"] == ["long"]
        assert len(os.fsencode(temp_name_for(vault / name).name)) <= 255
        assert undo_apply(ws).restored == [name]
    assert (vault / name).read_bytes() == note_bytes(1)
    assert temps(vault) == []


def test_two_appliers_at_once_never_journal_a_write_twice(vault: Path) -> None:
    notes = make_vault(vault, 200)
    launch = [sys.executable, "-m", "vaultcurator", "apply", str(vault), "--json"]
    procs = [subprocess.Popen(launch, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    with open_workspace(vault) as ws:
        rows = ws.store.query("SELECT proposal_id, count(*) AS n FROM journal GROUP BY proposal_id")
    assert len(rows) == 200 and {row["n"] for row in rows} == {1}
    assert sum('"run_id": null' in out for out in outputs) == 1  # the second had nothing left
    assert set(states(vault).values()) == {"applied"}
    assert all(files(vault, notes)[rel] != notes[rel] for rel in notes)
