"""A broken environment gets one line and a documented exit status, never a traceback.

Through the real entry point (``python -m vaultcurator`` in a subprocess, or ``main()``):
an empty or damaged state store is reported and left in place until ``reset-store`` is run;
a store whose write lock another process holds still answers ``status`` and ``review
--print`` (migrations lock only when there is something to migrate), while a writer gives up
after the lock timeout with exit 4; a read-only vault can be scanned, shown and printed, and a
writing command says it is read-only (exit 5); output piped into ``head`` ends quietly (141);
an unexpected error is one line with the way to see its traceback (70).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from vaultcurator.cli import main

STATE = Path(".vaultcurator") / "state.db"


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "vaultcurator", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_one_line(done: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """Exit ``code``, exactly one line on stderr starting ``vaultcurator: error:``."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vaultcurator: error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


# --------------------------------------------------------------------------- the store


def test_an_empty_store_is_reported_not_replaced_until_reset(vault_copy: Path) -> None:
    assert cli("scan", str(vault_copy)).returncode == 0
    db = vault_copy / STATE
    for sidecar in ("-wal", "-shm"):
        Path(f"{db}{sidecar}").unlink(missing_ok=True)
    db.write_bytes(b"")
    for command in (["status"], ["scan"], ["review", "--print"], ["curate", "--engine", "local"]):
        done = cli(*command[:1], str(vault_copy), *command[1:])
        assert_one_line(done, 3, "empty (0 bytes", f"vaultcurator reset-store {vault_copy}")
        assert db.stat().st_size == 0  # reported, not silently a fresh store
    moved = cli("reset-store", str(vault_copy))
    assert moved.returncode == 0, moved.stderr
    assert not db.exists() and len(list(db.parent.glob("state.db.broken-*"))) == 1
    assert cli("scan", str(vault_copy)).returncode == 0
    assert db.stat().st_size > 0


def test_a_damaged_store_is_reported_and_a_healthy_one_is_not_moved(vault_copy: Path) -> None:
    db = vault_copy / STATE
    db.parent.mkdir()
    db.write_bytes(b"this is no SQLite database, just junk a sync tool left\n" * 200)
    before = db.read_bytes()
    for command in ("status", "scan", "undo"):
        assert_one_line(cli(command, str(vault_copy)), 3, "damaged", "reset-store")
    assert db.read_bytes() == before
    moved = cli("reset-store", str(vault_copy))
    assert moved.returncode == 0 and "damaged" in moved.stdout, moved
    assert cli("scan", str(vault_copy)).returncode == 0
    healthy = cli("reset-store", str(vault_copy))
    assert_one_line(healthy, 2, "healthy", "--force")
    assert db.exists()


def test_a_store_damaged_inside_is_reported(vault_copy: Path) -> None:
    """A readable header over broken pages (``database disk image is malformed``)."""
    assert cli("scan", str(vault_copy)).returncode == 0
    db = vault_copy / STATE
    with db.open("r+b") as handle:  # every page but the first (the schema) overwritten
        size = handle.seek(0, os.SEEK_END)
        handle.seek(4096)
        handle.write(b"\xff" * (size - 4096))
    for command in ("status", "scan"):
        assert_one_line(cli(command, str(vault_copy)), 3, "damaged", "malformed", "reset-store")


def test_status_and_review_print_work_while_another_process_holds_the_write_lock(
    vault_copy: Path,
) -> None:
    assert cli("curate", str(vault_copy), "--engine", "local").returncode == 0
    holder = sqlite3.connect(vault_copy / STATE, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process mid-write, for longer than we wait
    try:
        status = cli("status", str(vault_copy), "--json", timeout=20)
        assert status.returncode == 0, status.stderr
        assert '"pending"' in status.stdout
        printed = cli("review", str(vault_copy), "--print", timeout=20)
        assert printed.returncode in (0, 1), printed.stderr
        assert "+++ " in printed.stdout and "Traceback" not in printed.stderr
        writer = cli("scan", str(vault_copy), env={"VAULTCURATOR_LOCK_TIMEOUT": "1"}, timeout=60)
        assert_one_line(writer, 4, "busy", "write lock", "VAULTCURATOR_LOCK_TIMEOUT")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_an_up_to_date_store_opens_without_taking_the_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vaultcurator.store.db import Store

    path = tmp_path / "state.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setenv("VAULTCURATOR_LOCK_TIMEOUT", "0.2")
    try:
        with Store(path) as store:
            assert store.pending_migrations() == []
            assert store.query("SELECT count(*) FROM schema_migrations")[0][0] > 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# --------------------------------------------------------------------------- read-only vault


def cli_read_only(vault: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI with ``vault`` on a read-only file system: a private read-only bind mount as
    root (root ignores permission bits), the write bits removed otherwise."""
    command = [sys.executable, "-m", "vaultcurator", *args]
    if os.geteuid() == 0:
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
        command = ["unshare", "--mount", "--", "sh", "-c", script, str(vault), *command]
        return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    modes = {p: p.stat().st_mode for p in [vault, *vault.rglob("*")] if not p.is_symlink()}
    for p, mode in modes.items():
        p.chmod(mode & ~0o222)
    try:
        return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def snapshot(vault: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(vault)): p.read_bytes()
        for p in sorted(vault.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize("with_store", [True, False])
def test_a_read_only_vault_can_be_scanned_shown_and_printed(
    vault_copy: Path, with_store: bool
) -> None:
    if with_store:
        assert cli("curate", str(vault_copy), "--engine", "local").returncode == 0
    before = snapshot(vault_copy)
    scanned = cli_read_only(vault_copy, "scan", str(vault_copy), "--no-cache")
    assert scanned.returncode == 0, scanned.stderr
    assert "52 notes" in scanned.stdout and scanned.stderr == ""
    status = cli_read_only(vault_copy, "status", str(vault_copy))
    assert status.returncode == 0 and status.stderr == "", status.stderr
    printed = cli_read_only(vault_copy, "review", str(vault_copy), "--print")
    assert printed.returncode in (0, 1) and "Traceback" not in printed.stderr, printed.stderr
    assert ("+++ " in printed.stdout) == with_store
    writer = cli_read_only(vault_copy, "curate", str(vault_copy), "--engine", "local", "--all")
    assert_one_line(writer, 5, "read-only")
    assert snapshot(vault_copy) == before


# --------------------------------------------------------------------------- pipes, bugs


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    for i in range(1500):
        (vault / f"note {i:04d}.md").write_text(f"---\ntags: [t{i}]\n---\nbody {i}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultcurator", "scan", str(vault), "--json"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().strip() == b"{"  # like `| head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert err == ""


def test_an_unexpected_error_is_one_line_with_a_hint(
    vault_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import vaultcurator.cli.cmd_status as cmd_status

    def broken(args: object) -> int:
        raise RuntimeError("an internal invariant failed")

    monkeypatch.setattr(cmd_status, "run", broken)
    assert main(["status", str(vault_copy)]) == 70
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "vaultcurator: error: unexpected error (RuntimeError: an internal invariant failed); "
        "this is a bug: rerun with VAULTCURATOR_DEBUG=1 to see the traceback, and please report it"
    ]
    monkeypatch.setenv("VAULTCURATOR_DEBUG", "1")
    with pytest.raises(RuntimeError, match="internal invariant"):
        main(["status", str(vault_copy)])


@pytest.mark.parametrize(
    ("error", "code", "word"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), 3, "damaged"),
        (sqlite3.OperationalError("database is locked"), 4, "busy"),
        (OSError(30, "Read-only file system", "/v/note.md"), 5, "read-only"),
    ],
)
def test_environment_errors_a_command_did_not_catch_get_their_status(
    vault_copy: Path, monkeypatch, capsys, error: Exception, code: int, word: str
) -> None:
    import vaultcurator.cli.cmd_status as cmd_status

    def failing(args: object) -> int:
        raise error

    monkeypatch.setattr(cmd_status, "run", failing)
    assert main(["status", str(vault_copy)]) == code
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], lines


def test_reset_store_on_a_vault_without_one_moves_nothing(vault_copy: Path) -> None:
    done = cli("reset-store", str(vault_copy))
    assert done.returncode == 0 and "nothing to move" in done.stdout
    assert not (vault_copy / ".vaultcurator").exists()
