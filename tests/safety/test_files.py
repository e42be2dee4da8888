"""The right file is written, and what the file system keeps about it besides bytes stays."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

import pytest

from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault.edit import set_frontmatter_keys
from vaultcurator.vault.model import sha256_hex

NOTE = b"---\ntitle: t\n---\nbody\n"
NFC_NAME = unicodedata.normalize("NFC", "Café.md")
NFD_NAME = unicodedata.normalize("NFD", "Café.md")


def test_note_spelled_nfd_on_disk_is_edited_in_place(tmp_path: Path) -> None:
    """The scan reports paths in NFC; on Linux the file may be spelled NFD (copied from a
    Mac). Apply must write that file, not report it deleted nor create an NFC twin."""
    folder = tmp_path / unicodedata.normalize("NFD", "Études")
    folder.mkdir()
    (folder / NFD_NAME).write_bytes(NOTE)
    path = unicodedata.normalize("NFC", "Études/Café.md")  # as Note.path spells it
    result = set_frontmatter_keys(tmp_path, path, {"tags": ["x"]}, sha256_hex(NOTE))
    assert result.changed
    assert os.listdir(tmp_path) == [folder.name] and os.listdir(folder) == [NFD_NAME]
    assert fm.parse((folder / NFD_NAME).read_bytes()).frontmatter["tags"] == ["x"]


def test_exact_spelling_wins_over_a_normalisation_twin(tmp_path: Path) -> None:
    (tmp_path / NFC_NAME).write_bytes(NOTE)
    (tmp_path / NFD_NAME).write_bytes(NOTE + b"other\n")
    set_frontmatter_keys(tmp_path, NFC_NAME, {"tags": ["x"]}, sha256_hex(NOTE))
    assert (tmp_path / NFD_NAME).read_bytes() == NOTE + b"other\n"
    assert fm.parse((tmp_path / NFC_NAME).read_bytes()).frontmatter["tags"] == ["x"]


def test_read_only_note_is_left_alone(tmp_path: Path) -> None:
    """A note the user made read-only (Obsidian cannot save it either) is not replaced."""
    note = tmp_path / "a.md"
    note.write_bytes(NOTE)
    note.chmod(0o444)
    with pytest.raises(PermissionError):
        set_frontmatter_keys(tmp_path, "a.md", {"tags": ["x"]}, sha256_hex(NOTE))
    assert note.read_bytes() == NOTE
    assert stat.S_IMODE(note.stat().st_mode) == 0o444


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="no extended attributes here")
def test_extended_attributes_survive_the_replace(tmp_path: Path) -> None:
    note = tmp_path / "a.md"
    note.write_bytes(NOTE)
    try:
        os.setxattr(note, "user.vaultcurator-test", b"keep me")
    except OSError:
        pytest.skip("file system without user extended attributes")
    set_frontmatter_keys(tmp_path, "a.md", {"tags": ["x"]}, sha256_hex(NOTE))
    assert os.getxattr(note, "user.vaultcurator-test") == b"keep me"
