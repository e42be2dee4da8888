"""Symlinks: never out of the vault, never in circles, each real note once."""

from __future__ import annotations

from pathlib import Path

from tests.scan.conftest import Write, scan


def paths(vault: Path) -> list[str]:
    return [n.path for n in scan(vault).notes]


def test_symlink_loop_is_walked_once(vault: Path, write: Write) -> None:
    write("a/note.md", "x")
    (vault / "a" / "again").symlink_to(vault / "a", target_is_directory=True)
    (vault / "a" / "root").symlink_to(vault, target_is_directory=True)
    assert paths(vault) == ["a/note.md"]


def test_symlinks_out_of_the_vault_are_not_followed(
    tmp_path: Path, vault: Path, write: Write
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntags: [secret]\n---\n")
    write("inside.md", "x")
    (vault / "out-dir").symlink_to(outside, target_is_directory=True)
    (vault / "out-file.md").symlink_to(outside / "secret.md")
    (vault / "parent").symlink_to(tmp_path, target_is_directory=True)
    assert paths(vault) == ["inside.md"]


def test_symlinked_file_inside_the_vault_is_listed_once(vault: Path, write: Write) -> None:
    write("real/note.md", "x")
    (vault / "alias.md").symlink_to(vault / "real" / "note.md")
    assert paths(vault) == ["real/note.md"]


def test_symlink_to_a_note_in_a_skipped_folder_is_listed(vault: Path, write: Write) -> None:
    """Only reachable through the link: listed once, under the link's path."""
    write(".hidden/note.md", "x")
    (vault / "shown.md").symlink_to(vault / ".hidden" / "note.md")
    assert paths(vault) == ["shown.md"]


def test_symlinked_folder_inside_the_vault(vault: Path, write: Write) -> None:
    write("projects/p.md", "x")
    write("archive/old/o.md", "x")
    (vault / "projects" / "old").symlink_to(vault / "archive" / "old", target_is_directory=True)
    (vault / "zz-link").symlink_to(vault / "projects", target_is_directory=True)
    assert paths(vault) == ["archive/old/o.md", "projects/p.md"]
