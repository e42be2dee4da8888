"""The faster inline-tag and frontmatter-split code agrees with the plain definitions."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultcurator.vault import frontmatter as fm

_TAG = re.compile(r"(?<![\w/#&])#([\w/-]*[^\W\d][\w/-]*)")


def reference_inline_tags(body: str) -> list[str]:
    """The definition: strip fenced then inline code, take every '#tag' not after [\\w/#&]."""
    cleaned = fm._INLINE_CODE.sub("", fm._FENCE.sub("", body))
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
