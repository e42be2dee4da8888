"""The YAML fast path must agree with libyaml whenever it answers (differential tests)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultcurator.vault import frontmatter, yaml_fast

KEYS = [
    "tags",
    "title",
    "created",
    "on",
    "null",
    "a b",
    "x-y",
    "Key",
    "k",
    "日本",
    "1",
    "yes",
    "tags ",
    "~",
    "-k",
    "k:",
    "t\t",
]
TRICKY_VALUES = [
    "2025-01-02",
    "2025-02-30",
    "2025-1-2",
    "2025-01-02 10:00",
    "1:20",
    "10:30",
    "0x1f",
    "017",
    "1_000",
    "+5",
    "-5",
    "0",
    "00",
    "1.5",
    "1.",
    ".5",
    ".inf",
    "1e3",
    "yes",
    "No",
    "on",
    "OFF",
    "~",
    "null",
    "Null",
    "=",
    "<<",
    "[a, b]",
    "[]",
    "[ ]",
    "['a', \"b\"]",
    "[[X]]",
    '"[[X]]"',
    "'it''s'",
    "'a'b",
    '"a\\"b"',
    '"a" # c',
    "a # c",
    "a#c",
    "C#",
    "https://x.org/a",
    "a: b",
    "a:",
    "|",
    ">-",
    "&a x",
    "*a",
    "!!str 5",
    "? x",
    "- x",
    "-x",
    "@x",
    "`x`",
    "%x",
    "...",
    "[a, [b]]",
    "[a,]",
    "[a, , b]",
    "{a: 1}",
    "[a]#c",
    "[a] #c",
    "[a] x",
    "[1, yes, ~, 2.5]",
    '["a, b", c]',
    "[don't]",
    "a  b",
    "💡 idea",
    "tab\there",
    "nb\u00a0sp",
    "'x' y",
    '""',
    "''",
    "[a:b]",
    "[a: b]",
    "[#x]",
    "[ a , b ]",
    "[a\u2028b]",
]
PLAIN_ALPHABET = st.sampled_from(list("abcXYZ019 -:#[]{},\"'\\.|>&*!%@`?~_/é💡\t"))


def typed(value: Any) -> Any:
    """Values with their types, so True != 1 != 1.0 in comparisons."""
    if isinstance(value, dict):
        return {str(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def reference(text: str) -> Any:
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    return {} if data is None else data


values = st.one_of(st.sampled_from(TRICKY_VALUES), st.text(PLAIN_ALPHABET, max_size=12))
key_line = st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(KEYS), values)
empty_key = st.builds(
    lambda k, sp: f"{k}:{sp}", st.sampled_from(KEYS), st.sampled_from(["", " ", " # c"])
)
item_line = st.builds(
    lambda indent, v: f"{indent}- {v}", st.sampled_from(["", "  ", "    ", " "]), values
)
other_line = st.sampled_from(
    [
        "",
        "# comment",
        "  # indented comment",
        "  cont",
        "  k: v",
        "-",
        "  -",
        "...",
        "%YAML 1.1",
        "k:v",
        "\t- x",
        "- - x",
    ]
)
messy_document = st.lists(
    st.one_of(key_line, key_line, empty_key, item_line, item_line, other_line), max_size=8
)
# Mostly well-formed lines, so that the fast path answers often and is really compared.
benign_values = st.one_of(
    st.sampled_from(TRICKY_VALUES), st.text(st.sampled_from(list("abé 19-:#./[]'\"")), max_size=8)
)
benign_document = st.lists(
    st.one_of(
        st.builds(
            lambda k, v: f"{k}: {v}", st.sampled_from(["tags", "up", "n", "a b"]), benign_values
        ),
        st.builds(lambda k: f"{k}:", st.sampled_from(["tags", "aliases"])),
        st.builds(lambda i, v: f"{i}- {v}", st.sampled_from(["", "  "]), benign_values),
    ),
    max_size=6,
)
document = st.one_of(messy_document, benign_document).map(
    lambda lines: "".join(line + "\n" for line in lines)
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document, st.booleans())
def test_fast_path_agrees_with_libyaml(text: str, crlf: bool) -> None:
    if crlf:
        text = text.replace("\n", "\r\n")
    fast = yaml_fast.load(text)
    if fast is None:
        return
    assert typed(fast) == typed(reference(text)), text


def test_fast_path_handles_typical_frontmatter() -> None:
    text = (
        "# comment\n"
        "title: 'Thinking, Fast and Slow'\n"
        "tags: [books, \"#psychology\", 'x''y']\n"
        "aliases:\n"
        "  - TFS\n"
        '  - "[[Kahneman]]"\n'
        "created: 2025-11-04\n"
        "rating: 4\n"
        "score: 4.5\n"
        "done: yes\n"
        'up: "[[Reading MOC]]"\n'
        "source: https://example.org/a#b\n"
        "empty:\n"
        "status: in progress # a comment\n"
    )
    fast = yaml_fast.load(text)
    assert fast == {
        "title": "Thinking, Fast and Slow",
        "tags": ["books", "#psychology", "x'y"],
        "aliases": ["TFS", "[[Kahneman]]"],
        "created": dt.date(2025, 11, 4),
        "rating": 4,
        "score": 4.5,
        "done": True,
        "up": "[[Reading MOC]]",
        "source": "https://example.org/a#b",
        "empty": None,
        "status": "in progress",
    }
    assert typed(fast) == typed(reference(text))


def test_fast_path_defers_what_it_does_not_know() -> None:
    for text in [
        "a:\n  b: 1\n",  # nested mapping
        "a: |\n  text\n",  # block scalar
        "a: &x 1\nb: *x\n",  # anchors
        'a: "esc\\n"\n',  # escapes
        "a: long\n  continued\n",  # multi-line plain scalar
        "- a\n- b\n",  # a list, not a mapping
        "a: 0x1f\n",  # rare int syntax
        "a: 2025-02-30\n",  # impossible date: libyaml decides what happens
    ]:
        assert yaml_fast.load(text) is None, text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document, st.booleans())
def test_jsonable_load_is_jsonable_of_load(text: str, crlf: bool) -> None:
    """``load_jsonable`` (used by the scan) is ``frontmatter.jsonable(load(...))``."""
    if crlf:
        text = text.replace("\n", "\r\n")
    fast = yaml_fast.load(text)
    expected = None if fast is None else typed(frontmatter.jsonable(fast))
    got = yaml_fast.load_jsonable(text)
    assert (None if got is None else typed(got)) == expected, text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document, st.booleans())
def test_flat_path_agrees_with_the_line_classifier(text: str, crlf: bool) -> None:
    """Blocks of plain ``key: value`` lines take a shortcut; it says what the general loop says."""
    if crlf:
        text = text.replace("\n", "\r\n")
    shortcut = yaml_fast.load(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_fast, "_FLAT", re.compile(r"(?!)"))  # never matches
        general = yaml_fast.load(text)
    assert (None if shortcut is None else typed(shortcut)) == (
        None if general is None else typed(general)
    ), text


def test_flat_shortcut_is_taken_and_right() -> None:
    text = "title: A\r\nrating: 4\r\ncreated: 2025-01-02\r\ntags: [a, 'b']\r\nup: \"[[X]]\"\r\n"
    assert yaml_fast._FLAT.fullmatch(text.replace("\r\n", "\n")) is not None
    assert typed(yaml_fast.load(text)) == typed(reference(text))
    assert yaml_fast.load_jsonable(text) == {
        "title": "A",
        "rating": 4,
        "created": "2025-01-02",
        "tags": ["a", "b"],
        "up": "[[X]]",
    }


def test_lone_carriage_return_is_left_to_libyaml() -> None:
    for text in ["a: b\rc: d\n", "a: b\r\r\n", "a:\n  - x\r\n  - y\r"]:
        fast = yaml_fast.load(text)
        assert fast is None or typed(fast) == typed(reference(text)), text
