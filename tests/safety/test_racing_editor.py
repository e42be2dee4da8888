"""Guarantee: a user's edit racing apply is never lost (within the window the OS leaves).

Each note is checked right before its own replace, and on Linux the replace is an exchange
(``renameat2(RENAME_EXCHANGE)``) that hands back the inode it displaced: its bytes are hashed,
and when they are not the bytes the proposal was built from (an edit landed after the check),
the user's version is exchanged straight back and the note is a conflict. The journal's
previous bytes are therefore exactly the bytes displaced.

The remaining OS-level window: a program that opened the note *before* the exchange and
writes through that descriptor *after* the displaced bytes were verified writes into the old,
now unlinked inode, and that write is lost; so is a user's version displaced in the
microseconds before a kill -9 could put it back (it stays in the hidden temp file, which the
next apply sweeps). Without the exchange (other systems, file systems that lack it) the
window is the few microseconds between the last hash check and ``os.replace``.

The test below puts every race at the worst moment instead of hoping to hit it: a real
second process edits the note between apply's last check and its swap, in place or by
rename, several hundred times.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.safety.conftest import REPO, files, make_vault, states, temps
from vaultcurator.review.apply import apply_proposals
from vaultcurator.review.undo import undo_apply
from vaultcurator.vault import swap
from vaultcurator.workspace import open_workspace

NOTES = 400


def test_an_edit_landing_between_the_check_and_the_swap_is_never_lost(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = make_vault(vault, NOTES)
    order = {rel: n for n, rel in enumerate(notes)}
    editor = subprocess.Popen(
        [sys.executable, "-m", "tests.safety.editor_process"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert editor.stdin is not None and editor.stdout is not None
    raced: dict[str, str] = {}
    last_check = swap.regular_hash

    def check_then_race(path: Path, label: str, expected: str) -> str | None:
        digest = last_check(path, label, expected)
        if path.name.endswith(".vctmp") or label in raced or order[label] % 4 == 3:
            return digest
        mode = "inplace" if len(raced) % 2 else "rename"
        text = f"edited by the user, race {len(raced)} ({mode})"
        editor.stdin.write(f"{mode}\t{path}\t{text}\n")  # type: ignore[union-attr]
        editor.stdin.flush()  # type: ignore[union-attr]
        assert editor.stdout.readline() == "ok\n"  # type: ignore[union-attr]
        raced[label] = text
        return digest  # the hash from before the edit: apply goes ahead and swaps

    monkeypatch.setattr(swap, "regular_hash", check_then_race)
    with open_workspace(vault) as ws:
        report = apply_proposals(ws)
    monkeypatch.undo()
    editor.stdin.close()
    assert editor.wait(timeout=30) == 0

    now = files(vault, notes)
    lost = [rel for rel, text in raced.items() if text.encode() not in now[rel]]
    assert len(raced) == 300 and lost == []
    for rel, text in raced.items():  # exactly the user's bytes: theirs plus their line
        assert now[rel] == notes[rel] + text.encode() + b"\n"
    assert sorted(path for path, _ in report.conflicts) == sorted(raced)
    assert len(report.applied) == NOTES - len(raced)
    assert temps(vault) == [] and not list(vault.rglob("*.editor-save"))
    assert {s for rel, s in states(vault).items() if rel in raced} == {"conflict"}

    with open_workspace(vault) as ws:
        summary = undo_apply(ws)
    assert sorted(summary.restored) == sorted(set(notes) - set(raced))
    after = files(vault, notes)
    assert all(after[rel] == now[rel] for rel in raced)  # undo never takes an edit back
