"""Apply in chunks keeps per-note outcomes; stale temp files of killed writes are swept."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.review.conftest import propose
from vaultcurator.review import actions, apply
from vaultcurator.review.apply import apply_proposals
from vaultcurator.store.proposals import get_proposal
from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault.atomic import sweep_stale_temp_files, temp_name_for
from vaultcurator.workspace import Workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"
MISO = "Cooking/Recipes/Miso Soup.md"
RUST = "Programming/Rust/Rust.md"
SCALAR = "Archive/2024/Scalar frontmatter.md"
TWO_HOURS_AGO = time.time() - 7200


def _age(path: Path, when: float = TWO_HOURS_AGO) -> Path:
    os.utime(path, (when, when), follow_symlinks=False)
    return path


def _stale_temp_beside(note: Path) -> Path:
    temp = temp_name_for(note)
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(b"half-written")
    return _age(temp)


def test_outcomes_across_chunks_keep_their_own_state(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apply, "APPLY_CHUNK", 2)
    kimchi = propose(ws, KIMCHI, tags=["recipe", "korean"])
    miso = propose(ws, MISO, description="Dashi, miso and tofu in ten minutes.")  # already so
    rust = propose(ws, RUST, tags=["rust"])
    scalar = propose(ws, SCALAR, tags=["archive"])
    actions.approve(ws.store, [kimchi, miso, rust, scalar])
    note = ws.root / RUST
    edited = note.read_bytes() + b"\nedited meanwhile\n"
    note.write_bytes(edited)

    seen: list[tuple[int, int]] = []
    report = apply_proposals(ws, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(0, 4), (2, 4), (4, 4)]
    assert report.applied == [KIMCHI] and report.unchanged == [MISO]
    assert report.conflicts == [(RUST, "changed on disk since the proposal was made")]
    assert [p for p, _ in report.failed] == [SCALAR]
    assert note.read_bytes() == edited
    assert fm.parse((ws.root / KIMCHI).read_bytes()).frontmatter["tags"] == ["recipe", "korean"]
    states = {}
    for pid in (kimchi, miso, rust, scalar):
        proposal = get_proposal(ws.store, pid)
        assert proposal is not None and proposal.apply_run_id == report.run_id
        states[proposal.path] = (proposal.state, proposal.error)
    assert states == {
        KIMCHI: ("applied", None),
        MISO: ("applied", None),
        RUST: ("conflict", "changed on disk since the proposal was made"),
        SCALAR: ("failed", report.failed[0][1]),
    }


def test_sweep_removes_only_old_temp_files(tmp_path: Path) -> None:
    note = tmp_path / "Folder" / "Note.md"
    note.parent.mkdir()
    note.write_bytes(b"---\ntags: [a]\n---\nbody\n")
    _age(note)
    fresh = temp_name_for(note)
    fresh.write_bytes(b"a write in progress")
    stale = _stale_temp_beside(note)
    lookalikes = [
        tmp_path / "Folder" / ".Note.md.vctmp",  # no random part
        tmp_path / "Folder" / ".Note.md.0123456789AB.vctmp",  # not what temp_name_for makes
        tmp_path / "Folder" / "Note.md.0123456789ab.vctmp",  # not hidden
    ]
    for path in lookalikes:
        path.write_bytes(b"not ours")
        _age(path)
    note_before = note.read_bytes()

    removed = sweep_stale_temp_files(tmp_path)

    assert removed == [stale]
    assert not stale.exists() and fresh.exists()
    assert note.read_bytes() == note_before
    assert all(path.exists() for path in lookalikes)


def test_sweep_skips_tool_folders_and_never_follows_symlinks(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    outside = tmp_path / "outside"
    outside.mkdir()
    outside_temp = _stale_temp_beside(outside / "Elsewhere.md")
    vault.mkdir()
    (vault / "linked").symlink_to(outside, target_is_directory=True)
    kept = [_stale_temp_beside(vault / name / "x.md") for name in (".obsidian", ".git", ".trash")]
    link_target = vault / "real.md"
    link_target.write_bytes(b"note")
    link = temp_name_for(link_target)
    link.symlink_to(link_target)
    _age(link)

    assert sweep_stale_temp_files(vault) == []
    assert outside_temp.exists() and link.is_symlink() and link_target.read_bytes() == b"note"
    assert all(temp.exists() for temp in kept)


def test_apply_sweeps_stale_temps_even_with_nothing_to_apply(ws: Workspace) -> None:
    """Apply holds the vault's writer lock: no write of ours is in flight, so every temp of
    ours goes, however fresh and whatever process its name gives (a pid may be reused)."""
    stale = _stale_temp_beside(ws.root / KIMCHI)
    fresh = temp_name_for(ws.root / MISO)  # names this (live) process
    fresh.write_bytes(b"left by a killed write")
    kimchi_before = (ws.root / KIMCHI).read_bytes()

    report = apply_proposals(ws)

    assert report.run_id is None
    assert not stale.exists() and not fresh.exists()
    assert (ws.root / KIMCHI).read_bytes() == kimchi_before


def test_a_temp_of_a_killed_writer_is_swept_at_once_a_live_ones_is_kept(tmp_path: Path) -> None:
    """kill -9 mid-apply leaves full copies beside the notes; the next sweep removes them
    without waiting an hour, because the process named in their names is gone."""
    import subprocess
    import sys

    note = tmp_path / "Folder" / "Note.md"
    note.parent.mkdir()
    note.write_bytes(b"note")
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from vaultcurator.vault.atomic import "
            "temp_name_for; t = temp_name_for(Path(sys.argv[1])); t.write_bytes(b'half'); "
            "print(t)",
            str(note),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_writers = Path(child.stdout.strip())  # fresh (just written), its writer exited
    ours = temp_name_for(note)
    ours.write_bytes(b"in progress")  # this process is alive: kept, however it looks
    assert dead_writers.exists()
    assert sweep_stale_temp_files(tmp_path) == [dead_writers]
    assert ours.exists() and note.read_bytes() == b"note"
