"""Whatever is on disk, a scan finishes: bad notes are reported with a reason, never fatal."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import pytest

from tests.scan.conftest import Write, scan
from vaultcurator.store import Store
from vaultcurator.vault.model import Note


def only(vault: Path) -> Note:
    notes = scan(vault).notes
    assert len(notes) == 1
    return notes[0]


def test_bom_and_crlf(vault: Path, write: Write) -> None:
    write("a.md", b"\xef\xbb\xbf---\r\ntags: [x, y]\r\ndescription: d\r\n---\r\nBody #z\r\n")
    note = only(vault)
    assert (note.status, note.tags, note.description) == ("ok", ["x", "y"], "d")
    assert note.inline_tags == ["z"]
    assert note.body == "Body #z\r\n"


@pytest.mark.parametrize(
    ("content", "body"),
    [(b"", ""), (b"Just text\n", "Just text\n"), (b"# Title\n---\nafter a rule\n", None)],
)
def test_no_frontmatter(vault: Path, write: Write, content: bytes, body: str | None) -> None:
    write("a.md", content)
    note = only(vault)
    assert (note.status, note.error, note.frontmatter, note.tags) == ("ok", None, {}, [])
    assert note.body == (content.decode() if body is None else body)


@pytest.mark.parametrize("content", [b"---\n", b"---", b"---\ntags: [a]\nbody but no close\n"])
def test_unterminated_frontmatter(vault: Path, write: Write, content: bytes) -> None:
    write("a.md", content)
    note = only(vault)
    assert note.status == "invalid"
    assert "never closed" in (note.error or "")


def test_empty_frontmatter_block(vault: Path, write: Write) -> None:
    write("a.md", b"---\n---\nbody\n")
    note = only(vault)
    assert (note.status, note.frontmatter, note.body) == ("ok", {}, "body\n")


def test_broken_yaml_reports_the_line_in_the_file(vault: Path, write: Write) -> None:
    write("a.md", b"\xef\xbb\xbf---\r\ntitle: ok\r\ntags: [a, b\r\nnext: 1\r\n---\r\nbody\r\n")
    note = only(vault)
    assert note.status == "invalid"
    assert note.error is not None
    assert note.error.startswith("broken YAML in frontmatter: line 4, column 5")
    assert "from line 3" in note.error  # where the unclosed list starts
    assert "<unicode string>" not in note.error
    assert note.body == "body\r\n"  # still known, for reports


@pytest.mark.parametrize(
    ("yaml_text", "reason"),
    [("- a\n- b\n", "a list"), ("just words\n", "a str"), ("42\n", "a int")],
)
def test_frontmatter_that_is_not_a_mapping(
    vault: Path, write: Write, yaml_text: str, reason: str
) -> None:
    write("a.md", f"---\n{yaml_text}---\nbody\n")
    note = only(vault)
    assert note.status == "invalid"
    assert reason in (note.error or "")


def test_impossible_date_is_a_parse_error(vault: Path, write: Write) -> None:
    write("a.md", "---\ncreated: 2025-02-30\n---\n")
    assert "day is out of range" in (only(vault).error or "")


def test_not_utf8(vault: Path, write: Write) -> None:
    data = "---\ntags: [a]\n---\nCr\u00eapes\n".encode("latin-1")
    write("a.md", data)
    note = only(vault)
    assert note.status == "invalid"
    assert note.error == "not UTF-8 text (byte 0xea at offset 20, line 4)"
    assert note.hash == hashlib.sha256(data).hexdigest()
    assert note.body is None


def test_too_large_is_hashed_not_parsed(vault: Path, write: Write) -> None:
    data = b"---\ntags: [a]\n---\n" + b"x" * 5000
    write("big.md", data)
    write("small.md", b"---\ntags: [b]\n---\n")
    notes = scan(vault, max_note_bytes=1000).notes
    big, small = notes
    assert big.status == "invalid" and (big.error or "").startswith("too large (5,018 bytes")
    assert big.hash == hashlib.sha256(data).hexdigest()
    assert (big.frontmatter, big.tags, big.body) == ({}, [], None)
    assert small.status == "ok"


def test_file_names_are_nfc_and_sorted_by_code_point(vault: Path, write: Write) -> None:
    nfd = unicodedata.normalize("NFD", "Café.md")
    write(nfd, "x")
    write("Ideas 💡.md", "x")
    write("読書メモ.md", "x")
    write("b.md", "x")
    write("B.md", "x")
    write("sub/a.md", "x")
    paths = [n.path for n in scan(vault).notes]
    assert paths == ["B.md", "Café.md", "Ideas 💡.md", "b.md", "sub/a.md", "読書メモ.md"]
    assert unicodedata.is_normalized("NFC", paths[1])


def test_nfc_twins_keep_one_note_whatever_the_listing_order(vault: Path, write: Write) -> None:
    """Two spellings of one name (possible on Linux): one note, read from the spelling that
    sorts first, so every scan picks the same file."""
    nfc, nfd = "Café.md", unicodedata.normalize("NFD", "Café.md")
    write(nfd, "decomposed")
    write(nfc, "composed")
    (note,) = scan(vault).notes
    assert note.path == nfc
    first = min(nfc, nfd)
    assert note.size == len((vault / first).read_bytes())


def test_nested_folders(vault: Path, write: Write) -> None:
    write("a/b/c/d.md", "x")
    write("a/z.md", "x")
    assert [n.path for n in scan(vault).notes] == ["a/b/c/d.md", "a/z.md"]


def test_file_deleted_during_scan_is_dropped(vault: Path, write: Write) -> None:
    write("a.md", "a")
    doomed = write("b.md", "b")
    write("c.md", "c")
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        if not calls:
            doomed.unlink()  # listed already, gone before it is read
        calls.append((done, total))

    from vaultcurator.config import ScanSettings
    from vaultcurator.vault.scan import scan_vault

    inventory = scan_vault(vault, ScanSettings(), progress=progress)
    assert [(n.index, n.path) for n in inventory.notes] == [(0, "a.md"), (1, "c.md")]
    assert inventory.files_read == 2
    assert calls[-1] == (3, 3)


def test_file_changed_during_scan_uses_the_bytes_read(vault: Path, write: Write) -> None:
    write("a.md", "---\ntags: [old]\n---\n")
    target = write("b.md", "---\ntags: [old]\n---\n")
    new = b"---\ntags: [new, newer]\n---\nmore\n"

    def progress(done: int, total: int) -> None:
        if done == 0:
            target.write_bytes(new)

    from vaultcurator.config import ScanSettings
    from vaultcurator.vault.scan import scan_vault

    note = scan_vault(vault, ScanSettings(), progress=progress).notes[1]
    assert note.tags == ["new", "newer"]
    assert (note.hash, note.size) == (hashlib.sha256(new).hexdigest(), len(new))
    assert note.mtime_ns == target.stat().st_mtime_ns


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(vault: Path, write: Write, store: Store) -> None:
    locked = write("locked.md", "---\ntags: [a]\n---\n")
    write("open.md", "x")
    locked.chmod(0)
    try:
        inventory = scan(vault, store)
        note = inventory.notes[0]
        assert (note.path, note.status, note.error) == ("locked.md", "invalid", "permission denied")
        assert inventory.files_read == 1
        locked.chmod(0o644)
        assert scan(vault, store).notes[0].tags == ["a"]  # not cached while unreadable
    finally:
        locked.chmod(0o644)


def test_special_files_and_dangling_links_are_ignored(vault: Path, write: Write) -> None:
    write("real.md", "x")
    os.mkfifo(vault / "pipe.md")
    (vault / "dangling.md").symlink_to(vault / "nowhere.md")
    (vault / "loop1.md").symlink_to(vault / "loop2.md")
    (vault / "loop2.md").symlink_to(vault / "loop1.md")
    (vault / "folder.md").mkdir()
    write("folder.md/inside.md", "x")
    assert [n.path for n in scan(vault).notes] == ["folder.md/inside.md", "real.md"]


def test_unreadable_file_becomes_an_invalid_note(vault: Path, write: Write) -> None:
    """Any OS error while reading (here ENOTDIR) gives an invalid note with the reason."""
    from vaultcurator.vault.scan import note_from_read, read_file

    write("file.md", "x")
    read = read_file(str(vault / "file.md" / "x.md"), 1000)
    note, row = note_from_read("x.md", read, 1000)
    assert (note.status, note.error) == ("invalid", "cannot read: Not a directory")
    assert row is None  # never cached: the next scan tries again


@pytest.mark.parametrize(
    ("yaml_text", "reason"),
    [
        ("a: &x [1, *x]\n", "contains itself"),
        ("b: &y {k: *y}\n", "contains itself"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", "nested more than 64 levels"),
        (
            "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{n}: &{n} [{','.join([f'*{p}'] * 10)}]\n"
                for p, n in zip("abcde", "bcdef", strict=True)
            ),
            "expands to more than 100,000 values",
        ),
    ],
)
def test_hostile_yaml_is_refused_quickly(
    vault: Path, write: Write, yaml_text: str, reason: str
) -> None:
    write("a.md", f"---\n{yaml_text}---\nbody\n")
    note = only(vault)
    assert note.status == "invalid"
    assert reason in (note.error or "")


def test_aliases_within_limits_are_fine(vault: Path, write: Write) -> None:
    write("a.md", "---\nbase: &b [x, y]\ntags: *b\n---\n")
    assert only(vault).tags == ["x", "y"]


@pytest.mark.parametrize("new", ["a longer body than before\n", "x", "same"])
def test_a_file_changed_since_the_listing_is_read_as_it_is_now(
    vault: Path, write: Write, new: str
) -> None:
    """The listing's stat stands in for a stat before reading: a change since then (grown,
    shrunk, or same size with a new mtime) is still read whole and described by a fresh stat."""
    from vaultcurator.vault.scan import read_file

    path = write("a.md", "same")
    listed = path.stat()
    path.write_text(new)
    os.utime(path, ns=(listed.st_atime_ns, listed.st_mtime_ns + 1_000_000))
    read = read_file(str(path), 1000, listed)
    assert read.data == new.encode()
    assert read.stable and read.st is not None
    assert (read.st.st_size, read.st.st_mtime_ns) == (len(new), listed.st_mtime_ns + 1_000_000)
