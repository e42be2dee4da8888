"""Guarantee: an interrupted undo is resumable and proposal states match the files.

Undo restores notes chunk by chunk and stores its progress after each one (proposals reopened
first, then the journal entries marked undone). Ctrl-C is held back while a note is being
swapped, so it lands between notes: what was restored is recorded exactly. After Ctrl-C, a
full disk or kill -9 the run is *partly undone*, and a plain ``undo`` continues it; a note
found already back at its previous bytes has its proposal reopened then. The one gap, by
construction: between kill -9 and the next ``undo``, the notes of the chunk in flight are
restored while their proposals still say ``applied``.
"""

from __future__ import annotations

import signal
from pathlib import Path

from tests.fakes.crash_cli import CRASH_EXIT_CODE
from tests.safety.conftest import cli, files, make_vault, popen, states, temps, wait_paused
from vaultcurator.store.journal import list_runs
from vaultcurator.workspace import open_workspace


def applied(vault: Path, count: int) -> dict[str, bytes]:
    notes = make_vault(vault, count)
    cli("apply", str(vault), check=True)
    assert all(data != notes[rel] for rel, data in files(vault, notes).items())
    return notes


def restored(vault: Path, notes: dict[str, bytes]) -> list[str]:
    return [rel for rel, data in files(vault, notes).items() if data == notes[rel]]


def assert_states_match_files(vault: Path, notes: dict[str, bytes]) -> None:
    back = set(restored(vault, notes))
    expected = {rel: "pending" if rel in back else "applied" for rel in notes}
    assert states(vault) == expected


def test_ctrl_c_during_undo_then_plain_undo_finishes_it(vault: Path) -> None:
    notes = applied(vault, 60)
    proc = popen("undo", str(vault), crash="pause_before_note:15:10")
    wait_paused(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)

    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert len(restored(vault, notes)) == 14  # 10 in the first chunk, 4 before the Ctrl-C
    assert_states_match_files(vault, notes)
    with open_workspace(vault) as ws:
        apply_run = next(run for run in list_runs(ws.store) if run.kind == "apply")
    assert apply_run.partly_undone
    assert "partly undone by" in cli("status", str(vault)).stdout

    again = cli("undo", str(vault))

    assert again.returncode == 0, again.stdout + again.stderr
    assert files(vault, notes) == notes
    assert set(states(vault).values()) == {"pending"}
    assert temps(vault) == []
    assert cli("undo", str(vault)).returncode == 2  # now there is nothing left to undo


def test_kill_9_during_undo_then_plain_undo_leaves_no_proposal_applied(vault: Path) -> None:
    notes = applied(vault, 60)
    proc = cli("undo", str(vault), crash="note_swapped:15:10")
    assert proc.returncode == CRASH_EXIT_CODE
    assert len(restored(vault, notes)) == 15

    again = cli("undo", str(vault))

    assert again.returncode == 0, again.stdout + again.stderr
    assert files(vault, notes) == notes
    assert set(states(vault).values()) == {"pending"}  # none left `applied` on a restored note
    assert temps(vault) == []


def test_ctrl_c_during_apply_status_counts_only_the_notes_written(vault: Path) -> None:
    notes = make_vault(vault, 30)
    proc = popen("apply", str(vault), crash="pause_before_note:5:10")
    wait_paused(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)

    assert proc.returncode == 130, err
    written = [rel for rel, data in files(vault, notes).items() if data != notes[rel]]
    assert len(written) == 4
    assert_states_match_files_after_apply(vault, notes, written)
    status = cli("status", str(vault))
    assert "4 notes written" in status.stdout, status.stdout


def assert_states_match_files_after_apply(
    vault: Path, notes: dict[str, bytes], written: list[str]
) -> None:
    expected = {rel: "applied" if rel in written else "approved" for rel in notes}
    assert states(vault) == expected
