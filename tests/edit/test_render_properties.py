"""Property test: random notes, random updates; nothing outside the set keys ever changes."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.edit.oracle import assert_only_keys_changed
from vaultcurator.errors import NoteParseError
from vaultcurator.vault.frontmatter import decode, parse, split
from vaultcurator.vault.frontmatter_edit import render_updates

ASCII_WORD = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)
UNICODE_WORD = st.text(
    st.characters(whitelist_categories=("Ll", "Lu", "Lo")), min_size=1, max_size=5
)
WORD = st.one_of(ASCII_WORD, UNICODE_WORD).filter(lambda w: w.lower() not in YAML_WORDS)
YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
PLAIN = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\ufeff"),
    max_size=30,
)
LINE_BREAKY_TEXT = st.lists(st.one_of(ANY_TEXT, st.sampled_from(["\n", "\r\n", " \n  "])))

KEYS = [
    "title",
    "tags",
    "Tags",
    "tag",
    "description",
    "related",
    "aliases",
    "created",
    "status",
    "up",
    "cssclasses",
    "rating",
    "weird key",
    "ünïcödé",
    "k-1",
    "_x",
    "quoted key",
    "C#",
]


def double(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


SCALAR = st.one_of(
    PLAIN,
    ANY_TEXT.map(double),
    ANY_TEXT.filter(lambda t: "\n" not in t and "\r" not in t).map(single),
    st.sampled_from(["42", "-3.5", "true", "2024-01-05", "~", "'#quoted hash'", "[[Link]]"]),
)


@st.composite
def entry(draw: Any, key: str) -> list[str]:
    token = '"quoted key"' if key == "quoted key" else key
    kind = draw(
        st.sampled_from(
            [
                "scalar",
                "comment",
                "null",
                "block",
                "flow",
                "literal",
                "folded_plain",
                "dq2",
                "nested",
                "flow2",
                "dq_hash",
            ]
        )
    )
    if kind == "scalar":
        return [f"{token}: {draw(SCALAR)}"]
    if kind == "comment":
        return [f"{token}: {draw(PLAIN)}   # {draw(ANY_TEXT)}"]
    if kind == "null":
        return [f"{token}:"]
    if kind == "block":
        indent = draw(st.sampled_from(["", "  ", "    "]))
        items = draw(st.lists(SCALAR, min_size=1, max_size=4))
        lines = [f"{token}:"] + [f"{indent}- {item}" for item in items]
        if draw(st.booleans()):
            lines.insert(2, f"{indent}# comment between items")
        return lines
    if kind == "flow":
        items = draw(st.lists(st.one_of(ASCII_WORD, ANY_TEXT.map(double)), max_size=4))
        return [f"{token}: [{', '.join(items)}]"]
    if kind == "literal":
        style = draw(st.sampled_from(["|", ">", "|-", "|+", ">-"]))
        body = draw(st.lists(st.one_of(PLAIN, st.just("")), min_size=1, max_size=4))
        return [f"{token}: {style}"] + [f"  {line}" if line else "" for line in body]
    if kind == "folded_plain":
        return [f"{token}: {draw(PLAIN)}", f"  {draw(PLAIN)}", f"  {draw(PLAIN)}"]
    if kind == "flow2":
        return [f"{token}: [{draw(ASCII_WORD)},", f"  {draw(ASCII_WORD)}]"]
    if kind == "dq_hash":
        return [f'{token}: "{draw(PLAIN)}', f'# {draw(PLAIN)}"']
    if kind == "dq2":
        return [f'{token}: "{draw(PLAIN)}', f'  {draw(PLAIN)}"']
    return [f"{token}:", f"  sub: {draw(SCALAR)}", f"  other: [{draw(ASCII_WORD)}]"]


GAP = st.sampled_from(["", "# a comment", "  # indented comment", "#", "# key: lookalike"])


@st.composite
def note(draw: Any) -> bytes:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=7))
    lines: list[str] = draw(st.lists(GAP, max_size=2))
    for key in keys:
        lines.extend(draw(entry(key)))
        lines.extend(draw(st.lists(GAP, max_size=2)))
    body_lines = draw(
        st.lists(st.one_of(ANY_TEXT, st.just("---"), st.just("# Heading")), max_size=5)
    )
    body = nl.join(body_lines) + (nl if draw(st.booleans()) else "")
    if draw(st.booleans()) or keys:
        text = "---" + nl + "".join(line + nl for line in lines) + "---" + nl + body
    else:
        text = body
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


@st.composite
def updates(draw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["tags"] = draw(st.lists(st.one_of(WORD, ANY_TEXT), max_size=5))
    if draw(st.booleans()):
        out["description"] = "".join(draw(LINE_BREAKY_TEXT))
    if draw(st.booleans()):
        out["related"] = [f"[[{name}]]" for name in draw(st.lists(ANY_TEXT, max_size=3))]
    if draw(st.booleans()):
        other = draw(st.sampled_from([k for k in KEYS if k != "tags"]))
        out[other] = draw(st.one_of(ANY_TEXT, st.integers()))
    return out


BREAKS = re.compile(r"[ \t]*(?:\r\n|[\r\n\x0b\x0c\x85\u2028\u2029])\s*")


def split_tags(value: str) -> list[str]:
    """Obsidian's reading of a string of tags: split at blanks and commas, ``#`` dropped."""
    return [p.lstrip("#") for p in re.split(r"[,\s]+", value) if p.lstrip("#")]


def same_value(key: str, old: Any, new: Any) -> bool:
    """Already set: the same value, or a string of tags Obsidian reads as this list."""
    if key.lower() in ("tags", "tag") and isinstance(old, str) and isinstance(new, list):
        return bool(new) and split_tags(old) == new
    return repr(old) == repr(new)


def target_key(key: str, before: dict[str, Any]) -> str:
    if key != "tags" or key in before:
        return key
    if "tag" in before:
        return "tag"
    return next((k for k in before if k.lower() in ("tags", "tag")), key)


@settings(
    max_examples=int(os.environ.get("EDIT_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(note(), updates())
def test_only_the_set_keys_change(old: bytes, changes: dict[str, Any]) -> None:
    parsed = parse(old)
    assume(parsed.ok)
    before = parsed.frontmatter
    expected: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "description" and isinstance(value, str):
            value = BREAKS.sub(" ", value).strip()
        expected[target_key(key, before)] = value
    try:
        new = render_updates(old, changes)
    except NoteParseError:
        # A top-level flow mapping with keys ({a: 1}) is refused rather than rewritten.
        assert split(decode(old)[0]).yaml_text.lstrip().startswith("{") and before
        return
    if all(k in before and same_value(k, before[k], v) for k, v in expected.items()):
        assert new is old
        return
    assert_only_keys_changed(old, new, list(expected), expected)
    assert render_updates(new, changes) is new
    text, _ = decode(new)
    yaml_lines = split(text).yaml_text.splitlines()
    for key, value in expected.items():
        if isinstance(value, list) and value:
            start = next(
                i
                for i, line in enumerate(yaml_lines)
                if line.startswith(key + ":") or line.startswith(f'"{key}":')
            )
            key_line = yaml_lines[start].split(" #")[0].split("\t#")[0]  # a kept comment
            if isinstance(after := parse(new).frontmatter[key], str):  # a string stays one
                assert isinstance(before[key], str) and len(split_tags(before[key])) > 1
                assert split_tags(after) == value
                continue
            if key_line.split(":", 1)[1].lstrip().startswith("["):  # flow stays flow
                assert any(
                    line.startswith(f"{key}:") and "[" in line
                    for line in split(decode(old)[0]).yaml_text.splitlines()
                )
                continue
            assert key_line.rstrip() in (f"{key}:", f'"{key}":')
            values = [x for x in yaml_lines[start + 1 :] if not x.lstrip().startswith("#")]
            items = values[: len(value)]
            assert all(line.lstrip().startswith("- ") for line in items)
            if key == "related":
                assert all(line.lstrip().startswith('- "[[') for line in items)
