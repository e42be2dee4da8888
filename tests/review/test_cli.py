"""``review --print``, ``apply`` and ``undo`` through the real entry point, with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.review.conftest import propose, vault_hashes
from vaultcurator.cli import main
from vaultcurator.review import actions
from vaultcurator.store.proposals import list_proposals
from vaultcurator.workspace import open_workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"
MISO = "Cooking/Recipes/Miso Soup.md"
SCALAR = "Archive/2024/Scalar frontmatter.md"


def make_proposals(vault: Path, *, approve: bool) -> None:
    with open_workspace(vault) as ws:
        ids = [
            propose(ws, KIMCHI, tags=["recipe", "korean"]),
            propose(ws, MISO, description="Dashi and miso, ten minutes."),
        ]
        if approve:
            actions.approve(ws.store, ids)


def test_review_print_shows_unified_diffs(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_proposals(vault_copy, approve=False)
    before = vault_hashes(vault_copy)
    assert main(["review", str(vault_copy), "--print"]) == 0
    out, err = capsys.readouterr()
    assert f"--- a/{KIMCHI}\n+++ b/{KIMCHI}\n" in out
    assert f"--- a/{MISO}\n+++ b/{MISO}\n" in out
    assert "-  - fermenting\n" in out
    assert "-description: Dashi, miso and tofu in ten minutes.\n" in out
    assert "+description: Dashi and miso, ten minutes.\n" in out
    assert "2 proposals; 0 changed since; 0 could not be rendered" in err
    assert vault_hashes(vault_copy) == before


def test_review_print_flags_changed_and_broken_notes(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_proposals(vault_copy, approve=False)
    with open_workspace(vault_copy) as ws:
        propose(ws, SCALAR, tags=["archive"])
    note = vault_copy / KIMCHI
    note.write_bytes(note.read_bytes() + b"\nmore\n")
    assert main(["review", str(vault_copy), "--print"]) == 1
    out, err = capsys.readouterr()
    assert f"{KIMCHI}: changed on disk since the proposal was made" in err
    assert f"{SCALAR}: cannot render: frontmatter is a str" in err
    assert f"+++ b/{KIMCHI}" in out  # still shown, against the file as it is now

    assert main(["review", str(vault_copy), "--print", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    by_path = {p["path"]: p for p in document["proposals"]}
    assert by_path[KIMCHI]["stale"] is True
    assert by_path[SCALAR]["error"].startswith("frontmatter is a str")
    assert by_path[MISO]["diff"].startswith(f"--- a/{MISO}")
    assert document["ok"] is False


def test_review_usage_errors(vault_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(vault_copy), "--json"]) == 2
    assert main(["review", str(vault_copy / "nope"), "--print"]) == 2
    capsys.readouterr()


def test_apply_and_undo_cli(vault_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = vault_hashes(vault_copy)
    make_proposals(vault_copy, approve=True)

    assert main(["apply", str(vault_copy)]) == 0
    out = capsys.readouterr().out
    assert "applied 2, unchanged 0, conflicts 0, failed 0 (run 1)" in out
    assert f"Undo with: vaultcurator undo {vault_copy} --run 1" in out
    assert vault_hashes(vault_copy) != before

    assert main(["undo", str(vault_copy)]) == 0
    out = capsys.readouterr().out
    assert "undid run 1: restored 2 notes, conflicts 0; 2 proposals back to pending" in out
    assert vault_hashes(vault_copy) == before

    assert main(["undo", str(vault_copy)]) == 2  # nothing left to undo
    assert "nothing to undo" in capsys.readouterr().err
    assert main(["undo", str(vault_copy), "--run", "42"]) == 2


def test_apply_nothing_approved_hints_at_review(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_proposals(vault_copy, approve=False)
    assert main(["apply", str(vault_copy)]) == 0
    assert "nothing to apply (2 pending" in capsys.readouterr().out
    assert main(["apply", str(vault_copy), "--all-pending", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert sorted(document["applied"]) == [KIMCHI, MISO]
    assert document["ok"] is True


def test_apply_exit_1_on_conflicts_and_failures(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_proposals(vault_copy, approve=True)
    with open_workspace(vault_copy) as ws:
        actions.approve(ws.store, [propose(ws, SCALAR, tags=["archive"])])
    note = vault_copy / KIMCHI
    edited = note.read_bytes() + b"\nuser edit\n"
    note.write_bytes(edited)

    assert main(["apply", str(vault_copy), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["applied"] == [MISO]
    assert document["conflicts"] == [
        {"path": KIMCHI, "reason": "changed on disk since the proposal was made"}
    ]
    assert [f["path"] for f in document["failed"]] == [SCALAR]
    assert document["recurate"] == [KIMCHI]
    assert note.read_bytes() == edited

    # Undo after a later edit of an applied note: conflict, exit 1, note left alone.
    miso = vault_copy / MISO
    changed = miso.read_bytes() + b"\nlater\n"
    miso.write_bytes(changed)
    assert main(["undo", str(vault_copy), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [c["path"] for c in document["conflicts"]] == [MISO]
    assert miso.read_bytes() == changed
    with open_workspace(vault_copy) as ws:
        states = {p.path: p.state for p in list_proposals(ws.store)}
    assert states == {KIMCHI: "conflict", MISO: "applied", SCALAR: "failed"}


def test_review_print_never_imports_textual(vault_copy: Path) -> None:
    make_proposals(vault_copy, approve=False)
    code = (
        "import sys\n"
        "from vaultcurator.cli import main\n"
        f"status = main(['review', {str(vault_copy)!r}, '--print'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m.startswith('vaultcurator.tui'))\n"
        "print(status, bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "0 []"


def test_curate_apply_undo_leaves_every_file_byte_identical(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = vault_hashes(vault_copy)
    assert main(["curate", str(vault_copy), "--engine", "local"]) == 0
    assert vault_hashes(vault_copy) == before  # curation only proposes
    capsys.readouterr()
    assert main(["apply", str(vault_copy), "--all-pending", "--json"]) == 0
    applied = json.loads(capsys.readouterr().out)["applied"]
    assert len(applied) > 30
    assert vault_hashes(vault_copy) != before
    assert main(["undo", str(vault_copy)]) == 0
    assert vault_hashes(vault_copy) == before
