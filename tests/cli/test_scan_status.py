"""``vaultcurator scan`` and ``status`` through the real entry point: output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from vaultcurator.cli import main
from vaultcurator.store import open_store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_summary(vault_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "scan", str(vault_copy))
    assert code == 0, err
    assert "52 notes (46 ok, 6 invalid); read 52 files" in out
    assert "Finance/Tax Notes.md: broken YAML in frontmatter: line 3" in out
    assert "Without tags: 3" in out
    assert "Most used tags: MOC (7), python (6)" in out
    assert err == ""
    code, out, _ = run(capsys, "scan", str(vault_copy))
    assert "read 0 files" in out


def test_scan_json(vault_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", str(vault_copy), "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"vault", "scanned_at", "notes", "skipped", "summary"}
    assert doc["vault"] == str(vault_copy.resolve())
    assert doc["scanned_at"].endswith("+00:00")
    assert len(doc["notes"]) == 52
    first = doc["notes"][0]
    assert set(first) == {"index", "path", "hash", "status", "error", "tags", "description"}
    assert first["index"] == 0 and first["path"] == "Archive/2024/EXPORT.MD"
    by_path = {n["path"]: n for n in doc["notes"]}
    assert by_path["Inbox/Ideas 💡.md"]["tags"] == ["idea", "inbox"]
    assert by_path["Reading/Reading List.md"]["status"] == "invalid"
    summary = doc["summary"]
    assert (summary["notes"], summary["ok"], summary["invalid"]) == (52, 46, 6)
    assert summary["top_tags"][0] == ["MOC", 7]


@pytest.mark.parametrize("command", ["scan", "status"])
def test_missing_vault_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = run(capsys, command, str(tmp_path / "nope"))
    assert code == 2
    assert out == ""
    assert err == f"vaultcurator: error: vault not found: {tmp_path / 'nope'}\n"


@pytest.mark.parametrize("command", ["scan", "status"])
def test_file_as_vault_is_a_usage_error(
    vault_copy: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, _, err = run(capsys, command, str(vault_copy / "Home.md"))
    assert code == 2
    assert err.count("\n") == 1 and "not a folder" in err and "Traceback" not in err


def test_status_before_any_scan_writes_nothing(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "status", str(vault_copy), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["store"] is None
    assert (doc["last_scan"], doc["jobs"], doc["proposals"], doc["apply_runs"]) == (
        None,
        [],
        {},
        [],
    )
    assert not (vault_copy / ".vaultcurator").exists()
    code, out, _ = run(capsys, "status", str(vault_copy))
    assert "Last scan: never" in out


def test_status_reports_scan_jobs_proposals_and_apply_runs(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(vault_copy)]) == 0
    now = time.time()
    with open_store(vault_copy) as store, store.transaction() as conn:
        conn.execute(
            "INSERT INTO jobs(id, engine, mode, model, status, created_at, updated_at) "
            "VALUES (1, 'anthropic', 'batch', 'claude-haiku-4-5', 'running', ?, ?)",
            (now, now),
        )
        for i, status in enumerate(["succeeded", "succeeded", "submitted"]):
            conn.execute(
                "INSERT INTO requests(job_id, custom_id, note_index, path, base_hash, status) "
                "VALUES (1, ?, ?, ?, 'h', ?)",
                (f"n{i:06d}", i, f"n{i}.md", status),
            )
        for state in ["pending", "pending", "applied"]:
            conn.execute(
                "INSERT INTO proposals(path, note_index, base_hash, engine, state, created_at, "
                "updated_at) VALUES ('n.md', 0, 'h', 'local', ?, ?, ?)",
                (state, now, now),
            )
        conn.execute(
            "INSERT INTO apply_runs(id, started_at, finished_at) VALUES (1, ?, ?)", (now, now)
        )
        conn.execute(
            "INSERT INTO journal(run_id, path, new_hash, written_at) VALUES (1, 'n.md', 'h', ?)",
            (now,),
        )
    capsys.readouterr()
    code, out, _ = run(capsys, "status", str(vault_copy), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["last_scan"]["notes"] == 52 and doc["last_scan"]["files_read"] == 52
    assert doc["jobs"][0]["mode"] == "batch"
    assert doc["jobs"][0]["requests"] == {"submitted": 1, "succeeded": 2}
    assert doc["proposals"] == {"applied": 1, "pending": 2}
    assert doc["apply_runs"][0]["notes_written"] == 1
    code, out, _ = run(capsys, "status", str(vault_copy))
    assert "#1 curate anthropic/batch running" in out
    assert "requests: 1 submitted, 2 succeeded" in out
    assert "Proposals: 1 applied, 2 pending" in out
    assert "1 notes written" in out


def test_module_entry_point_in_a_subprocess(vault_copy: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "vaultcurator", "scan", str(vault_copy), "--json"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["notes"] == 52
    missing = subprocess.run(
        [sys.executable, "-m", "vaultcurator", "scan", str(vault_copy / "missing")],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.strip().count("\n") == 0 and "vault not found" in missing.stderr
