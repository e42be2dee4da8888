"""A vault of many small notes with an approved proposal each, and ways to run the CLI on it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vaultcurator.store.proposals import add_proposal, list_proposals, set_state
from vaultcurator.workspace import open_workspace

REPO = Path(__file__).resolve().parents[2]


def note_bytes(n: int) -> bytes:
    return f"---\ntitle: Note {n}\ntags: [old]\n---\nBody of note {n}.\n".encode()


def make_vault(root: Path, count: int, *, folder: str = "notes", pad: int = 0) -> dict[str, bytes]:
    """``count`` notes (``pad`` more body bytes each), each with an approved proposal (new
    tags); returns path -> bytes."""
    notes = {f"{folder}/n{n:04d}.md": note_bytes(n) + b"z" * pad for n in range(count)}
    for rel, data in notes.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    with open_workspace(root) as ws:
        ids = [
            add_proposal(
                ws.store,
                path=rel,
                note_index=i,
                base_hash=hashlib.sha256(data).hexdigest(),
                engine="local",
                old_tags=["old"],
                new_tags=["old", f"tag{i}"],
            )
            for i, (rel, data) in enumerate(notes.items())
        ]
        set_state(ws.store, ids, "approved")
    return notes


def files(root: Path, notes: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in notes}


def states(root: Path) -> dict[str, str]:
    """Each note's proposal state (one proposal per note in these vaults)."""
    with open_workspace(root) as ws:
        return {p.path: p.state for p in list_proposals(ws.store)}


def temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.vctmp")]


def cli(
    *args: str, crash: str | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (optionally through the crash hooks)."""
    launcher = ["-m", "tests.fakes.crash_cli", crash] if crash else ["-m", "vaultcurator"]
    proc = subprocess.run(
        [sys.executable, *launcher, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def popen(*args: str, crash: str) -> subprocess.Popen[str]:
    """The CLI through a crash hook, started directly (not through a shell), so a SIGINT sent
    to it is a real Ctrl-C: Python's default handler raises KeyboardInterrupt."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.crash_cli", crash, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def wait_paused(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.strip() == "PAUSED", line


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """An empty Obsidian vault (it has its ``.obsidian/`` settings folder)."""
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    return root
