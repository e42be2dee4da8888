"""Guarantee: undo survives the loss of the store's WAL.

The previous bytes of every write are fsynced into a per-run journal file beside the store
(``.vaultcurator/journal/*.vcj``) before the note changes; the store's rows are an index of
it. A crash followed by the loss of ``state.db-wal``/``-shm`` (a sync tool, a cleanup)
rolls the store back to its last checkpoint, and the next ``apply`` or ``undo`` re-imports
the runs and writes it no longer knows. A journal file is deleted only once a checkpoint has
put everything it holds into ``state.db`` itself.
"""

from __future__ import annotations

from pathlib import Path

from tests.fakes.crash_cli import CRASH_EXIT_CODE
from tests.safety.conftest import cli, files, make_vault, states, temps
from vaultcurator.review.undo import undo_apply, undoable_run
from vaultcurator.store.journal import last_undoable_run, list_runs
from vaultcurator.workspace import open_workspace


def crash_apply_then_lose_wal(vault: Path, notes: dict[str, bytes], after: int) -> list[str]:
    proc = cli("apply", str(vault), crash=f"note_swapped:{after}:10")
    assert proc.returncode == CRASH_EXIT_CODE, proc.stderr
    changed = [rel for rel, data in files(vault, notes).items() if data != notes[rel]]
    assert len(changed) == after
    state = vault / ".vaultcurator"
    wal = state / "state.db-wal"
    assert wal.stat().st_size > 0  # the run and its journal rows live only there now
    wal.unlink()
    (state / "state.db-shm").unlink(missing_ok=True)
    return changed


def test_kill_9_mid_apply_then_a_lost_wal_still_undoes_every_note(vault: Path) -> None:
    notes = make_vault(vault, 60)
    crash_apply_then_lose_wal(vault, notes, 25)

    undo = cli("undo", str(vault))

    assert undo.returncode == 0, undo.stdout + undo.stderr
    assert "restored 25 notes" in undo.stdout
    assert files(vault, notes) == notes
    assert temps(vault) == []
    assert set(states(vault).values()) <= {"approved", "pending"}


def test_the_next_apply_after_a_lost_wal_sees_its_own_writes_not_conflicts(vault: Path) -> None:
    notes = make_vault(vault, 40)
    changed = crash_apply_then_lose_wal(vault, notes, 12)

    again = cli("apply", str(vault), "--json")

    assert again.returncode == 0, again.stdout + again.stderr
    assert '"conflicts": []' in again.stdout
    assert set(states(vault).values()) == {"applied"}
    assert all(files(vault, notes)[rel] != notes[rel] for rel in notes)
    undo = cli("undo", str(vault), "--json")  # the newest run: the 28 it wrote itself
    assert undo.returncode == 0, undo.stderr
    left = [rel for rel, data in files(vault, notes).items() if data != notes[rel]]
    assert sorted(left) == sorted(changed)
    assert cli("undo", str(vault)).returncode == 0  # and then the recovered run
    assert files(vault, notes) == notes


def test_the_review_screen_finds_a_run_only_the_journal_files_still_know(vault: Path) -> None:
    """The TUI asks ``undoable_run`` before offering undo: it must not say "nothing to undo"."""
    notes = make_vault(vault, 30)
    crash_apply_then_lose_wal(vault, notes, 7)
    with open_workspace(vault) as ws:
        assert last_undoable_run(ws.store) is None  # what the store alone knows now
        run_id = undoable_run(ws.store)
        assert run_id is not None
        assert next(r for r in list_runs(ws.store) if r.id == run_id).writes == 7
        summary = undo_apply(ws)
    assert summary.run_id == run_id and len(summary.restored) == 7
    assert files(vault, notes) == notes


def test_status_names_the_writes_only_the_journal_files_know(vault: Path) -> None:
    """``status`` never writes, so it cannot re-import: it says what is waiting and how."""
    notes = make_vault(vault, 30)
    crash_apply_then_lose_wal(vault, notes, 9)

    status = cli("status", str(vault), "--json")
    assert status.returncode == 0, status.stderr
    # write-ahead: the whole chunk of 10 was journaled before its 9th note landed
    assert '"unrecovered_writes": 10' in status.stdout
    text = cli("status", str(vault))
    assert "journaled 10 note write(s)" in text.stdout
    assert "vaultcurator undo" in text.stdout

    assert cli("undo", str(vault)).returncode == 0
    after = cli("status", str(vault), "--json")
    assert '"unrecovered_writes": 0' in after.stdout
    assert files(vault, notes) == notes
