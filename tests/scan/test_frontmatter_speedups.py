"""The faster inline-tag and frontmatter-split code agrees with the plain definitions."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultcurator.vault import frontmatter as fm

_TAG = re.compile(r"(?<!\S)#([\w/-]*[^\W\d][\w/-]*)")


def reference_inline_tags(body: str) -> list[str]:
    """The definition: strip fenced code, code spans, wikilinks; every '#tag' at a line's start
    or after whitespace."""
    cleaned = fm._WIKILINK.sub("", fm._INLINE_CODE.sub("", fm._FENCE.sub("", body)))
    seen: dict[str, None] = {}
    for match in _TAG.finditer(cleaned):
        seen.setdefault(match.group(1).rstrip("/"), None)
    return [t for t in seen if t]


def reference_split(text: str) -> tuple[bool, int, int, int] | None:
    """Line by line: the first line is '---', the block ends at the next '---' line."""
    lines = re.findall(r"[^\n]*\n|[^\n]+\Z", text)  # '\n' ends a line, nothing else does
    if not lines or not fm._DELIM.fullmatch(lines[0].rstrip("\n").rstrip("\r")):
        if re.match(r"---[ \t]*\r(?!\n)", text):  # CR-only line endings: refused
            return None
        return (False, 0, 0, 0)
    if not lines[0].endswith("\n"):
        return None
    offset = len(lines[0])
    for line in lines[1:]:
        if fm._DELIM.fullmatch(line.rstrip("\n").rstrip("\r")):
            return (True, len(lines[0]), offset, offset + len(line))
        offset += len(line)
    return None


pieces = st.sampled_from(
    [
        "#",
        "a",
        "1",
        "/",
        "-",
        "&",
        " ",
        "\n",
        "`",
        "```",
        "~~~",
        "é",
        "_",
        "##",
        "x#y",
        "#t",
        "#1",
        "#a/b/",
        "\n```\n",
        "[[#h]]",
        "[[n#h]]",
        "]]",
        "\t",
        "https://x.y/p#frag",
        "#日本",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(pieces, max_size=30).map("".join))
def test_inline_tags_match_the_definition(body: str) -> None:
    assert fm.inline_tags(body) == reference_inline_tags(body)


line_pieces = st.sampled_from(["---", "--- ", "---\t", "----", "a: 1", "", "x---", " ---", "\r"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(line_pieces, st.sampled_from(["\n", "\r\n", ""])), max_size=6))
def test_split_matches_the_definition(lines: list[tuple[str, str]]) -> None:
    text = "".join(a + b for a, b in lines)
    try:
        layout = fm.split(text)
        got: tuple[bool, int, int, int] | None = (
            layout.has_frontmatter,
            layout.yaml_start,
            layout.yaml_end,
            layout.body_start,
        )
    except fm.UnterminatedFrontmatter:
        got = None
    assert got == reference_split(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(line_pieces, st.sampled_from(["\n", "\r\n", ""])), max_size=6))
def test_layout_is_what_the_dataclass_would_build(lines: list[tuple[str, str]]) -> None:
    """``split`` builds its Layout by setting the slots; it equals ``Layout(...)``."""
    text = "".join(a + b for a, b in lines)
    try:
        layout = fm.split(text, bom=True)
    except fm.UnterminatedFrontmatter:
        return
    rebuilt = fm.Layout(
        text=layout.text,
        bom=layout.bom,
        newline=layout.newline,
        has_frontmatter=layout.has_frontmatter,
        yaml_start=layout.yaml_start,
        yaml_end=layout.yaml_end,
        body_start=layout.body_start,
    )
    assert layout == rebuilt
    assert hash(layout) == hash(rebuilt)
    assert layout.newline == (
        "\r\n" if text.split("\n", 1)[0].endswith("\r") and "\n" in text else "\n"
    )


tag_values = st.one_of(
    st.sampled_from(["a", " #b ", "#", "", "x y", 'q"t', "back\\slash", "tab\tx", "é", 5, None]),
    st.text(max_size=6),
)


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.lists(tag_values, max_size=5), tag_values))
def test_tags_from_property_match_the_definition(raw: object) -> None:
    expected: list[str] = []
    items = (
        raw
        if isinstance(raw, list)
        else ([p for p in re.split(r"[,\s]+", raw) if p] if isinstance(raw, str) else [raw])
    )
    if raw is not None:
        for item in items:
            if item is not None and (tag := str(item).strip().lstrip("#").strip()):
                expected.append(tag)
    assert fm.tags_from_property({"tags": raw}) == expected


@settings(max_examples=800, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=5))
def test_tag_lists_encode_as_json_does(tags: list[str]) -> None:
    from vaultcurator.vault.scan import _ENCODE, _encode_tags

    assert _encode_tags(tags) == _ENCODE(tags)
    assert json.loads(_encode_tags(tags)) == tags


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.sampled_from(["---\n", "\ufeff---\r\n", ""]))
def test_parse_jsonable_is_jsonable_of_parse(tail: bytes, head: str) -> None:
    data = head.encode() + b"a: 2025-01-02\nb: [2025-01-03, x]\n---\n" + tail
    for variant in (data, head.encode() + tail):
        plain, shaped = fm.parse(variant), fm.parse_jsonable(variant)
        assert shaped.frontmatter == fm.jsonable(plain.frontmatter)
        assert (shaped.error, shaped.layout) == (plain.error, plain.layout)
