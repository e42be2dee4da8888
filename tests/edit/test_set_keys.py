"""set_frontmatter_keys: hash-checked, atomic, path-safe writes of one note."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from vaultcurator.errors import ConflictError, NoteParseError
from vaultcurator.vault.edit import UnsafePathError, set_frontmatter_keys
from vaultcurator.vault.model import sha256_hex
from vaultcurator.vault.swap import NotSameFileError

NOTE = b"---\ntitle: T\ntags: [old]\n---\nBody.\n"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "n.md").write_bytes(NOTE)
    return root


def test_sets_keys_and_reports_hashes(vault: Path) -> None:
    result = set_frontmatter_keys(vault, "sub/n.md", {"tags": ["new"]}, sha256_hex(NOTE))
    data = (vault / "sub" / "n.md").read_bytes()
    assert data == b"---\ntitle: T\ntags: [new]\n---\nBody.\n"
    assert result.changed and result.path == "sub/n.md"
    assert result.old_hash == sha256_hex(NOTE) and result.new_hash == sha256_hex(data)
    assert [p.name for p in (vault / "sub").iterdir()] == ["n.md"]


def test_same_values_do_not_write(vault: Path) -> None:
    path = vault / "sub" / "n.md"
    before = path.stat()
    result = set_frontmatter_keys(vault, "sub/n.md", {"tags": ["old"]}, sha256_hex(NOTE))
    assert not result.changed and result.new_hash == result.old_hash
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_changed_file_is_a_conflict_and_stays_untouched(vault: Path) -> None:
    path = vault / "sub" / "n.md"
    expected = sha256_hex(NOTE)
    path.write_bytes(NOTE + b"typed meanwhile\n")
    with pytest.raises(ConflictError) as excinfo:
        set_frontmatter_keys(vault, "sub/n.md", {"tags": ["new"]}, expected)
    assert excinfo.value.actual_hash == sha256_hex(NOTE + b"typed meanwhile\n")
    assert path.read_bytes() == NOTE + b"typed meanwhile\n"


def test_deleted_file_is_a_conflict(vault: Path) -> None:
    (vault / "sub" / "n.md").unlink()
    with pytest.raises(ConflictError) as excinfo:
        set_frontmatter_keys(vault, "sub/n.md", {"tags": ["new"]}, sha256_hex(NOTE))
    assert excinfo.value.actual_hash is None
    assert not (vault / "sub" / "n.md").exists()


def test_invalid_note_is_never_rewritten(vault: Path) -> None:
    bad = b"---\ntags: [unclosed\n---\nbody\n"
    path = vault / "bad.md"
    path.write_bytes(bad)
    with pytest.raises(NoteParseError):
        set_frontmatter_keys(vault, "bad.md", {"tags": ["x"]}, sha256_hex(bad))
    assert path.read_bytes() == bad


def test_permissions_are_kept(vault: Path) -> None:
    path = vault / "sub" / "n.md"
    path.chmod(0o640)
    set_frontmatter_keys(vault, "sub/n.md", {"tags": ["new"]}, sha256_hex(NOTE))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize("rel", ["../outside.md", "/etc/passwd", "sub/../../outside.md", ""])
def test_paths_outside_the_vault_are_refused(vault: Path, rel: str) -> None:
    outside = vault.parent / "outside.md"
    outside.write_bytes(NOTE)
    with pytest.raises(UnsafePathError):
        set_frontmatter_keys(vault, rel, {"tags": ["x"]}, sha256_hex(NOTE))
    assert outside.read_bytes() == NOTE


def test_symlink_pointing_outside_is_refused(vault: Path) -> None:
    outside = vault.parent / "outside.md"
    outside.write_bytes(NOTE)
    (vault / "link.md").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        set_frontmatter_keys(vault, "link.md", {"tags": ["x"]}, sha256_hex(NOTE))
    assert outside.read_bytes() == NOTE


def test_symlink_inside_the_vault_is_a_conflict_not_written_through(vault: Path) -> None:
    """A link never gets a proposal written through it: it may stand for another note."""
    link = vault / "link.md"
    link.symlink_to(Path("sub") / "n.md")
    with pytest.raises(NotSameFileError, match="symbolic link"):
        set_frontmatter_keys(vault, "link.md", {"tags": ["new"]}, sha256_hex(NOTE))
    assert link.is_symlink()
    assert (vault / "sub" / "n.md").read_bytes() == NOTE


def test_a_symlinked_vault_root_works(vault: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(vault)
    set_frontmatter_keys(alias, "sub/n.md", {"tags": ["new"]}, sha256_hex(NOTE))
    assert b"tags: [new]" in (vault / "sub" / "n.md").read_bytes()


def test_vault_copy_every_valid_note(vault_copy: Path) -> None:
    from vaultcurator.vault.frontmatter import parse

    changed = 0
    for path in sorted(vault_copy.rglob("*")):
        if path.suffix.lower() != ".md" or not path.is_file():
            continue
        rel = path.relative_to(vault_copy).as_posix()
        old = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
        updates = {"tags": ["a", "b/c"], "description": "D.", "related": ["[[A]]"]}
        if not parse(old).ok:
            with pytest.raises(NoteParseError):
                set_frontmatter_keys(vault_copy, rel, updates, sha256_hex(old))
            assert path.read_bytes() == old
            continue
        result = set_frontmatter_keys(vault_copy, rel, updates, sha256_hex(old))
        changed += result.changed
        assert sha256_hex(path.read_bytes()) == result.new_hash
        assert stat.S_IMODE(path.stat().st_mode) == mode
    assert changed > 20
    assert list(vault_copy.rglob("*.vctmp")) == []
