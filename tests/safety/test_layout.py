"""Edits keep every byte they do not mean to change, or refuse the note."""

from __future__ import annotations

import pytest

from vaultcurator.errors import NoteParseError
from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault.frontmatter_edit import render_updates

UPDATES = {"tags": ["new", "x"], "description": "d"}


def test_cr_only_frontmatter_is_reported_not_doubled() -> None:
    """Classic-Mac line endings: the block is not seen with '\\n' rules; adding a second
    block in front would turn the note's own properties into body text."""
    data = b"---\rtitle: x\rtags: [a]\r---\rbody\r"
    assert fm.parse(data).error is not None
    with pytest.raises(NoteParseError):
        render_updates(data, UPDATES)


def test_cr_only_note_without_frontmatter_still_gets_a_block() -> None:
    data = b"just\rbody\r"
    out = render_updates(data, UPDATES)
    assert out.endswith(data)
    assert fm.parse(out).frontmatter["tags"] == ["new", "x"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            b"---\ntags: [a, b]  # my tags\ntitle: t\n---\nbody\n",
            b"---\ntags: [new, x]  # my tags\ntitle: t\n---\nbody\n",  # flow stays flow
        ),
        (
            b"---\ntags: # my tags\n  - a\ntitle: t\n---\nbody\n",
            b"---\ntags: # my tags\n  - new\n  - x\ntitle: t\n---\nbody\n",
        ),
        (
            b'---\ntags: "a #b"\t# why\ntitle: t\n---\nbody\n',
            b'---\ntags: "new x"\t# why\ntitle: t\n---\nbody\n',  # a string stays a string
        ),
        (
            b"---\r\ntags:\r\n  - a\r\n  # keep me\r\n  - b\r\ntitle: t\r\n---\r\nbody\r\n",
            b"---\r\ntags:\r\n  # keep me\r\n  - new\r\n  - x\r\ntitle: t\r\n---\r\nbody\r\n",
        ),
    ],
    ids=["flow-inline", "key-line", "quoted-hash", "between-items-crlf"],
)
def test_comments_in_a_replaced_property_are_kept(before: bytes, after: bytes) -> None:
    assert render_updates(before, {"tags": ["new", "x"]}) == after


def test_comment_inside_a_list_replaced_by_an_empty_one_is_kept() -> None:
    data = b"---\ntags:\n  - a\n  # keep me\n  - b\ntitle: t\n---\n"
    out = render_updates(data, {"tags": []})
    assert out == b"---\ntags: []\n  # keep me\ntitle: t\n---\n"


def test_comment_after_a_scalar_value_is_kept() -> None:
    data = b"---\ndescription: old # why\ntitle: t\n---\nbody\n"
    out = render_updates(data, {"description": "new: value"})
    assert out == b'---\ndescription: "new: value" # why\ntitle: t\n---\nbody\n'


def test_block_scalar_lines_starting_with_hash_are_value_not_comment() -> None:
    data = b"---\ndescription: |\n  # heading\n  text\ntitle: t\n---\nbody\n"
    out = render_updates(data, {"description": "d"})
    assert out == b"---\ndescription: d\ntitle: t\n---\nbody\n"
