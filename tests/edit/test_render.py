"""render_updates: only the lines of the set keys change, every other byte stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.edit.oracle import assert_only_keys_changed
from vaultcurator.errors import NoteParseError
from vaultcurator.vault.frontmatter import load_yaml, parse, split
from vaultcurator.vault.frontmatter_edit import render_updates

UPDATES = {
    "tags": ["cooking/fermentation", "C#", "yes", "2024", "café"],
    "description": "First line\nsecond: line  # not a comment",
    "related": ["[[A]]", "[[B c]]"],
}
EXPECTED = {
    "tags": ["cooking/fermentation", "C#", "yes", "2024", "café"],
    "description": "First line second: line  # not a comment",
    "related": ["[[A]]", "[[B c]]"],
}


def frontmatter_of(data: bytes) -> dict[str, object]:
    text = data.decode("utf-8-sig")
    return load_yaml(split(text).yaml_text)


def test_exact_output_for_a_typical_note() -> None:
    old = (
        b"---\n"
        b"# leading comment\n"
        b"title: 'Kimchi'   # quoted on purpose\n"
        b"tags:\n"
        b"    - recipe\n"
        b"    - korean\n"
        b"# between\n"
        b"\n"
        b"aliases: [Kimchee,   'Gimchi']\n"
        b"description: >\n"
        b"  folded\n"
        b"  text\n"
        b"created: 2026-02-11\n"
        b"---\n"
        b"# Kimchi\n\nBody #tag\n"
    )
    new = render_updates(old, {"tags": ["recipe", "fermentation"], "description": "Spicy."})
    assert new == (
        b"---\n"
        b"# leading comment\n"
        b"title: 'Kimchi'   # quoted on purpose\n"
        b"tags:\n"
        b"    - recipe\n"
        b"    - fermentation\n"
        b"# between\n"
        b"\n"
        b"aliases: [Kimchee,   'Gimchi']\n"
        b"description: Spicy.\n"
        b"created: 2026-02-11\n"
        b"---\n"
        b"# Kimchi\n\nBody #tag\n"
    )


def test_new_keys_are_appended_in_given_order_with_the_files_newlines() -> None:
    old = b"\xef\xbb\xbf---\r\ntitle: x\r\n# trailing comment\r\n---\r\nbody without newline"
    new = render_updates(old, UPDATES)
    assert new.startswith(b"\xef\xbb\xbf---\r\ntitle: x\r\n# trailing comment\r\ntags:\r\n")
    assert new.endswith(b"---\r\nbody without newline")
    assert b"\n" not in new.replace(b"\r\n", b"")
    assert list(frontmatter_of(new)) == ["title", "tags", "description", "related"]
    assert_only_keys_changed(old, new, list(UPDATES), EXPECTED)


@pytest.mark.parametrize(
    ("old", "prefix"),
    [
        (b"", b"---\ntags:\n"),
        (b"just a body\n", b"---\ntags:\n"),
        (b"line one\r\nline two\r\n", b"---\r\ntags:\r\n"),
        (b"\xef\xbb\xbfbom body", b"\xef\xbb\xbf---\ntags:\n"),
    ],
)
def test_note_without_frontmatter_gets_a_block_at_the_top(old: bytes, prefix: bytes) -> None:
    new = render_updates(old, UPDATES)
    assert new.startswith(prefix)
    assert new.endswith(old.removeprefix(b"\xef\xbb\xbf"))
    assert frontmatter_of(new) == EXPECTED
    assert_only_keys_changed(old, new, list(UPDATES), EXPECTED)


def test_value_styles() -> None:
    new = render_updates(b'---\nrelated: ["[[X]]"]\n---\n', UPDATES).decode()
    assert 'tags:\n  - cooking/fermentation\n  - C#\n  - "yes"\n  - "2024"\n  - café\n' in new
    assert '\nrelated: ["[[A]]", "[[B c]]"]\n' in new  # a flow list stays flow (issue 12)
    assert 'description: "First line second: line  # not a comment"\n' in new
    plain = render_updates(b"", {"description": "Plain, simple — text.", "tags": []}).decode()
    assert "description: Plain, simple — text.\n" in plain
    assert "tags: []\n" in plain


def test_list_items_keep_the_keys_own_indentation() -> None:
    old = b'---\ntags:\n- a\n- b\nrelated:\n    - "[[A]]"\n---\n'
    new = render_updates(old, {"tags": ["x"], "related": ["[[B]]"]})
    assert new == b'---\ntags:\n- x\nrelated:\n    - "[[B]]"\n---\n'


def test_tags_go_to_the_notes_own_tags_property() -> None:
    old = b"---\nTags: [archive, Legacy]\naliases: Legacy\n---\nbody\n"
    new = render_updates(old, {"tags": ["archive", "legacy/evernote"]})
    assert new == b"---\nTags: [archive, legacy/evernote]\naliases: Legacy\n---\nbody\n"


@pytest.mark.parametrize(
    "old",
    [
        b"---\ntags: [a, b]\ndescription: Same.\n---\nbody",
        b"---\r\ntags:\r\n  - a\r\n  - b\r\ndescription: 'Same.'\r\n---\r\n",
        b"---\ntags:\n- a\n---\n",
    ],
)
def test_setting_the_same_values_returns_the_very_same_bytes(old: bytes) -> None:
    current = frontmatter_of(old)
    updates = {"tags": current["tags"]}
    if "description" in current:
        updates["description"] = current["description"]
    assert render_updates(old, updates) is old


def test_second_application_is_a_no_op() -> None:
    old = b"---\ntitle: t\n---\nbody\n"
    once = render_updates(old, UPDATES)
    assert render_updates(once, UPDATES) is once


def test_comment_line_inside_a_multiline_quoted_value_is_not_left_behind() -> None:
    old = b'---\ndescription: "first\n# still inside"\nnext: 1\n---\n'
    assert frontmatter_of(old)["description"] == "first # still inside"
    new = render_updates(old, {"description": "new"})
    assert new == b"---\ndescription: new\nnext: 1\n---\n"


def test_trailing_comments_after_a_replaced_list_are_kept() -> None:
    old = b"---\ntags:\n  - a\n  # - b (disabled)\n# next up\nnext: 1\n---\n"
    new = render_updates(old, {"tags": ["c"]})
    assert new == b"---\ntags:\n  - c\n  # - b (disabled)\n# next up\nnext: 1\n---\n"


def test_an_aliased_value_can_be_replaced() -> None:
    old = b"---\nbase: &b [a]\ntags: *b\n---\n"
    assert render_updates(old, {"tags": ["c"]}) == b"---\nbase: &b [a]\ntags:\n  - c\n---\n"


def test_a_single_tag_string_is_kept_and_becomes_a_list_when_tags_are_added() -> None:
    """One tag shows no separator style to keep, so added tags take the list style."""
    assert render_updates(b"---\ntags: a\n---\n", {"tags": "a"}) == b"---\ntags: a\n---\n"
    assert render_updates(b"---\ntags: a\n---\n", {"tags": ["a", "b"]}) == (
        b"---\ntags:\n  - a\n  - b\n---\n"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"---\ntags: finance personal-finance\n---\nB\n",
         b"---\ntags: finance personal-finance money/budget\n---\nB\n"),
        (b"---\ntags: finance, money # mine\ntitle: x\n---\n",
         b"---\ntags: finance, money, money/budget # mine\ntitle: x\n---\n"),
        (b"---\nTags: '#finance #money'\r\n---\r\n",
         b"---\nTags: '#finance #money #money/budget'\r\n---\r\n"),
        (b'---\ntags:   "finance,money"\n---\n',
         b'---\ntags:   "finance,money,money/budget"\n---\n'),
    ],
)  # fmt: skip
def test_a_string_of_several_tags_stays_a_string_in_its_own_style(old: bytes, new: bytes) -> None:
    """Obsidian splits ``tags: a b`` at blanks and commas; the edit keeps that style."""
    before = frontmatter_of(old)
    kept = [t.lstrip("#") for t in str(next(iter(before.values()))).replace(",", " ").split()]
    assert render_updates(old, {"tags": [*kept, "money/budget"]}) == new
    assert render_updates(old, {"tags": kept}) == old


def test_a_string_of_tags_becomes_a_list_only_when_a_tag_cannot_be_written_in_it() -> None:
    old = b"---\ntags: finance money\n---\n"
    assert render_updates(old, {"tags": ["finance", "two words"]}) == (
        b"---\ntags:\n  - finance\n  - two words\n---\n"
    )
    assert render_updates(old, {"tags": ["money"]}) == b"---\ntags: money\n---\n"


def test_other_value_types() -> None:
    new = render_updates(b"", {"n": 3, "f": 1e20, "b": True, "z": None, "s": "null"})
    assert frontmatter_of(new) == {"n": 3, "f": 1e20, "b": True, "z": None, "s": "null"}
    with pytest.raises(ValueError, match="mapping"):
        render_updates(b"", {"x": {"a": 1}})


def test_awkward_strings_round_trip() -> None:
    awkward = [
        "- dash",
        "key: value",
        "#hash",
        "a #b",
        "trailing:",
        " padded ",
        "tab\there",
        'quote " and \\ backslash',
        "'single'",
        "@at",
        "`tick`",
        "%pct",
        "!tag",
        "&anchor",
        "*alias",
        "~",
        "",
        "0x1F",
        "1_000",
        "1.5",
        ".inf",
        "2024-01-05",
        "on",
        "NULL",
        "line\u2028sep",
        "nel\x85",
        "bell\x07",
        "bom\ufeff",
        "emoji 🎉",
        "ünïcode",
        "[[X|alias]]",
        "{not: flow}",
        "[not, flow]",
        "---",
        "...",
        "? q",
        "|",
        ">",
    ]
    new = render_updates(b"---\nx: 1\n---\n", {"aliases": awkward, "title": awkward[1]})
    assert frontmatter_of(new) == {"x": 1, "aliases": awkward, "title": awkward[1]}


@pytest.mark.parametrize(
    ("old", "reason"),
    [
        (b"---\ntags: [a\n---\n", "broken YAML"),
        (b"---\njust a string\n---\n", "not a mapping"),
        (b"---\n- a\n---\n", "not a mapping"),
        (b"---\ntags: [a]\nbody never closed\n", "never closed"),
        (b"\xff\xfe---\n", "UTF-8"),
        (b"---\ntags: [a]\ntags: [b]\n---\n", "more than once"),
        (b"---\n{tags: [a], x: 1}\n---\n", "cannot match"),
        (b"---\ntags: &t [a]\nother: *t\n---\n", None),
        (b"---\n<<: {x: 1}\ntags: [a]\n---\n", "cannot match"),
        (b"---\ntags: [a]\n...\n---\n", "document markers"),
        (b"---\n? tags\n: [a]\n---\n", "cannot match"),
        (b"---\ntrue: 1\n---\n", "cannot match"),
    ],
)
def test_notes_that_cannot_be_edited_safely_are_refused(old: bytes, reason: str | None) -> None:
    with pytest.raises(NoteParseError) as excinfo:
        render_updates(old, {"tags": ["zz"]}, path="n.md")
    assert excinfo.value.path == "n.md"
    if reason is not None:
        assert reason in excinfo.value.reason


def test_every_note_of_the_fixture_vault(fixture_vault: Path) -> None:
    notes = sorted(p for p in fixture_vault.rglob("*") if p.suffix.lower() == ".md")
    assert len(notes) > 20
    edited = refused = 0
    for path in notes:
        old = path.read_bytes()
        if not parse(old).ok:
            with pytest.raises(NoteParseError):
                render_updates(old, UPDATES)
            refused += 1
            continue
        new = render_updates(old, UPDATES)
        before = parse(old).frontmatter
        keys = [("Tags" if k == "tags" and "Tags" in before else k) for k in UPDATES]
        expected = {
            ("Tags" if k == "tags" and "Tags" in before else k): v for k, v in EXPECTED.items()
        }
        assert_only_keys_changed(old, new, keys, expected)
        assert render_updates(new, UPDATES) is new
        edited += 1
    assert edited > 20 and refused > 0
