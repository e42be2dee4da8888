"""Which folder is the vault: the nearest one holding ``.obsidian/``, like Obsidian decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scan.conftest import Write
from vaultcurator.cli import main
from vaultcurator.workspace import locate_vault, open_workspace


def test_a_subfolder_leads_to_its_vault(vault: Path, write: Write) -> None:
    (vault / ".obsidian").mkdir()
    write("Projects/Deep/a.md", "a\n")
    write("b.md", "b\n")
    location = locate_vault(vault / "Projects" / "Deep")
    assert location.root == vault.resolve() and location.obsidian
    assert "inside the Obsidian vault" in (location.notice() or "")
    heard: list[str] = []
    with open_workspace(vault / "Projects", notify=heard.append) as ws:
        assert ws.root == vault.resolve()
    assert len(heard) == 1 and str(vault.resolve()) in heard[0]
    assert not (vault / "Projects" / ".vaultcurator").exists()
    assert (vault / ".vaultcurator").is_dir()
    assert locate_vault(vault).notice() is None


def test_scan_of_a_subfolder_says_so_and_scans_the_vault(
    vault: Path, write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    (vault / ".obsidian").mkdir()
    write("Sub/a.md", "a\n")
    write("b.md", "b\n")
    assert main(["scan", str(vault / "Sub")]) == 0
    out, err = capsys.readouterr()
    assert f"{vault.resolve()}: 2 notes" in out
    assert "is inside the Obsidian vault" in err
    assert not (vault / "Sub" / ".vaultcurator").exists()


def test_a_folder_without_obsidian_is_warned_about_and_gets_no_state(
    vault: Path, write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    write("a.md", "---\ntags: [x]\n---\nText.\n")
    assert main(["scan", str(vault)]) == 0
    out, err = capsys.readouterr()
    assert "1 notes" in out
    assert "no .obsidian/ folder" in err and "nothing is saved" in err
    assert not (vault / ".vaultcurator").exists()
    assert sorted(p.name for p in vault.iterdir()) == ["a.md"]


def test_existing_state_is_used_even_without_obsidian(
    vault: Path, write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    write("a.md", "a\n")
    (vault / ".vaultcurator").mkdir()
    assert main(["scan", str(vault)]) == 0
    _, err = capsys.readouterr()
    assert "no .obsidian/ folder" in err and "nothing is saved" not in err
    assert (vault / ".vaultcurator" / "state.db").exists()


def test_commands_that_write_keep_their_state_with_a_warning(
    vault: Path, write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    heard: list[str] = []
    with open_workspace(vault, notify=heard.append) as ws:
        assert ws.scratch is None
    assert (vault / ".vaultcurator").is_dir() and "no .obsidian/" in heard[0]


@pytest.mark.parametrize("argv", [["status"], ["curate", "--engine", "local"]])
def test_status_and_curate_of_a_subfolder_say_so(
    vault: Path, write: Write, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    (vault / ".obsidian").mkdir()
    write("Sub/a.md", "A real sentence about the garden and its soil.\n")
    assert main([argv[0], str(vault / "Sub"), *argv[1:]]) == 0
    _, err = capsys.readouterr()
    assert "is inside the Obsidian vault" in err
    assert not (vault / "Sub" / ".vaultcurator").exists()
