"""Writing the ``tags`` property in the note's own style.

A curated note must not be restyled: ``tags: [a, b]`` stays a flow list, a block list stays
a block list, every kept item keeps its line (quoting and trailing comment included) and new
items are appended. A one-line string (``tags: finance money``, which Obsidian splits at
blanks and commas) stays a string with its own separator, quotes and ``#`` marks. Only a note
whose ``tags`` was empty, missing or not writable that way takes the vault's prevailing style
(``default``). Anything too unusual to edit item by item (a multi-line flow
list with comments, an item spanning lines) returns None and the generic renderer takes over;
either way :mod:`.frontmatter_edit` re-parses the result and refuses an edit it cannot verify.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import yaml

TagsStyle = Literal["flow", "block"]
DEFAULT_STYLE: TagsStyle = "block"
"""Obsidian's own style, used when a vault shows no preference."""

_FLOW_UNSAFE = frozenset(",[]{}?:#")
_FLOW_KEY = re.compile(r"^(?:tags?|Tags?|TAGS?)[ \t]*:[ \t]*\[", re.MULTILINE)
_BLOCK_KEY = re.compile(r"^(?:tags?|Tags?|TAGS?)[ \t]*:[ \t]*(?:#.*)?\r?\n[ \t]*- ", re.MULTILINE)
SAMPLE_BYTES = 4096


def _load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return _INVALID


_INVALID = object()


def style_of(text: str) -> TagsStyle | None:
    """The style of the ``tags`` list in a note's leading text, or None when it has none."""
    head = text[:SAMPLE_BYTES]
    if _FLOW_KEY.search(head):
        return "flow"
    if _BLOCK_KEY.search(head):
        return "block"
    return None


def prevailing_style(texts: Iterable[str]) -> TagsStyle:
    """The style most of these notes write their tags in (ties and no lists: block)."""
    flow = block = 0
    for text in texts:
        style = style_of(text)
        flow += style == "flow"
        block += style == "block"
    return "flow" if flow > block else DEFAULT_STYLE


def sample_style(vault_root: Path, paths: Iterable[str], limit: int = 300) -> TagsStyle:
    """The prevailing style among up to ``limit`` of these notes (their first 4 KB)."""
    texts: list[str] = []
    for rel in paths:
        if len(texts) >= limit:
            break
        try:
            with (vault_root / rel).open("rb") as handle:
                texts.append(handle.read(SAMPLE_BYTES).decode("utf-8", "replace"))
        except OSError:
            continue
    return prevailing_style(texts)


def flow_item(rendered: str, quote: Callable[[str], str], value: str) -> str:
    """An item as written inside ``[...]``: plain when it reads back as itself there
    (PyYAML ends a plain scalar at ``?``, ``:`` or ``,`` in a flow list), else quoted."""
    if rendered.startswith(('"', "'")):
        return rendered
    if not (_FLOW_UNSAFE & set(rendered)) and _load(f"[{rendered}]") == [value]:
        return rendered
    return quote(value)


def render_flow(token: str, items: list[str], key_comment: str) -> list[str]:
    """``token: [a, b]`` with the key line's comment kept."""
    return [f"{token}: [{', '.join(items)}]{key_comment}"]


def _split_flow(inner: str) -> list[str] | None:
    """The item texts of a one-line flow sequence's inside; None if quoting is unbalanced."""
    pieces: list[str] = []
    current: list[str] = []
    quote: str | None = None
    depth = 0
    i = 0
    while i < len(inner):
        ch = inner[i]
        if quote is not None:
            current.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < len(inner):
                current.append(inner[i + 1])
                i += 1
            elif ch == quote:
                if quote == "'" and inner[i + 1 : i + 2] == "'":
                    current.append("'")
                    i += 1
                else:
                    quote = None
        elif ch in "\"'" and not "".join(current).strip():
            quote = ch
            current.append(ch)
        elif ch in "[{":
            depth += 1
            current.append(ch)
        elif ch in "]}":
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    if quote is not None or depth != 0:
        return None
    if "".join(current).strip():
        pieces.append("".join(current))
    return pieces


def _flow_parts(line: str) -> tuple[str, str, str, str] | None:
    """``(before '[', inside, after ']', separator)`` of a one-line flow list, else None."""
    open_at = line.find("[")
    if open_at < 0:
        return None
    depth = 0
    quote: str | None = None
    for pos in range(open_at, len(line)):
        ch = line[pos]
        if quote is not None:
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                inside = line[open_at + 1 : pos]
                sep = ", " if ", " in inside or "," not in inside else ","
                return line[: open_at + 1], inside, line[pos:], sep
    return None


def restyle(
    span: list[str],
    token: str,
    old: Any,
    new: list[str],
    *,
    key_comment: str,
    render_item: Callable[[str], str],
    quote: Callable[[str], str],
    default: TagsStyle | None,
    item_indent: str,
) -> list[str] | None:
    """The property's new lines (without newlines) in the note's own style, or None.

    ``span`` is the property's current lines (with newlines); ``old`` its parsed value.
    """
    if not new:
        return None
    first = span[0].rstrip("\r\n")
    if isinstance(old, list):
        stripped = first[len(token) :].lstrip(" \t")
        if stripped.startswith(":") and stripped[1:].lstrip(" \t").startswith("["):
            return _restyle_flow(span, old, new, key_comment, render_item, quote)
        return _restyle_block(span, old, new, render_item, item_indent)
    if isinstance(old, str) and len(span) == 1:
        scalar = _restyle_scalar(first, token, old, new, key_comment)
        if scalar is not None:
            return scalar
    if (default or DEFAULT_STYLE) == "flow":
        return render_flow(token, [flow_item(render_item(t), quote, t) for t in new], key_comment)
    return None


def split_scalar(value: str) -> list[str]:
    """The tags of a string ``tags`` value, as Obsidian reads them (blanks and commas split,
    ``#`` dropped)."""
    return [p.lstrip("#") for p in _SCALAR_SEP.split(value) if p.lstrip("#")]


_SCALAR_SEP = re.compile(r"[,\s]+")


def _restyle_scalar(
    first: str, token: str, old: str, new: list[str], key_comment: str
) -> list[str] | None:
    """``token: a b c`` for a one-line string of several tags, or None when the new tags
    cannot be written so (a tag with a blank or comma would split in two)."""
    pieces = [p for p in _SCALAR_SEP.split(old) if p]
    if len(pieces) < 2 or any(not t or _SCALAR_SEP.search(t) for t in new):
        return None  # one tag shows no separator to keep: the vault's style decides
    gap = first[len(token) :]
    colon = gap.find(":")
    if colon < 0:
        return None
    after = gap[colon + 1 :]
    head = first[: len(token) + colon + 1] + after[: len(after) - len(after.lstrip(" \t"))]
    found = _SCALAR_SEP.search(old.strip())
    sep = found.group(0) if found else " "
    mark = "#" if pieces and all(p.startswith("#") for p in pieces) else ""
    joined = sep.join(mark + t for t in new)
    quote_char = after.lstrip(" \t")[:1]
    candidates = [f"{quote_char}{joined}{quote_char}"] if quote_char in "\"'" and quote_char else []
    candidates += [joined, '"' + joined.replace("\\", "\\\\").replace('"', '\\"') + '"']
    for rendered in candidates:
        line = f"{head}{rendered}{key_comment}"
        loaded = _load(line)
        value = loaded.get(token) if isinstance(loaded, dict) else None
        if isinstance(value, str) and split_scalar(value) == new:
            return [line]
    return None


def _restyle_flow(
    span: list[str],
    old: list[Any],
    new: list[str],
    key_comment: str,
    render_item: Callable[[str], str],
    quote: Callable[[str], str],
) -> list[str] | None:
    first = span[0].rstrip("\r\n")
    if len(span) > 1 or (parts := _flow_parts(first)) is None:
        token = first.split(":", 1)[0]
        return render_flow(token, [flow_item(render_item(t), quote, t) for t in new], key_comment)
    before, inside, after, sep = parts
    pieces = _split_flow(inside)
    kept: dict[str, list[str]] = {}
    if pieces is not None and len(pieces) == len(old):
        for piece, value in zip(pieces, old, strict=True):
            if isinstance(value, str) and _load(f"[{piece}]") == [value]:
                kept.setdefault(value, []).append(piece.strip())
    lead = " " if inside.startswith(" ") and inside.strip() else ""
    items = []
    for tag in new:
        spelled = kept.get(tag)
        items.append(spelled.pop(0) if spelled else flow_item(render_item(tag), quote, tag))
    return [f"{before}{lead}{sep.join(items)}{lead}{after}"]


def _restyle_block(
    span: list[str],
    old: list[Any],
    new: list[str],
    render_item: Callable[[str], str],
    item_indent: str,
) -> list[str] | None:
    head = span[0].rstrip("\r\n")
    # Each item line with the whole-line comments written just above it.
    items: list[tuple[list[str], str, Any]] = []
    pending: list[str] = []
    for raw in span[1:]:
        line = raw.rstrip("\r\n")
        bare = line.lstrip(" \t")
        if not bare or bare.startswith("#"):
            pending.append(line)
            continue
        if not (bare.startswith("- ") or bare == "-"):
            return None  # an item spanning lines: the generic renderer handles it
        value = _load(bare)
        if not isinstance(value, list) or len(value) != 1:
            return None
        items.append((pending, line, value[0]))
        pending = []
    if [v for _, _, v in items] != old:
        return None
    # Match each new tag to the first unused old item with that value.
    owner: dict[int, int] = {}
    for position, tag in enumerate(new):
        for index, (_, _, value) in enumerate(items):
            if index not in owner and value == tag:
                owner[index] = position
                break
    # Comments above a removed item move down to the next kept one (or the end).
    comments_of: dict[int, list[str]] = {}
    carry: list[str] = []
    for index, (comments, _, _) in enumerate(items):
        if index in owner:
            comments_of[owner[index]] = carry + comments
            carry = []
        else:
            carry += comments
    lines_of = {position: items[index][1] for index, position in owner.items()}
    out = [head]
    for position, tag in enumerate(new):
        if position in lines_of:
            out.extend(comments_of[position])
            out.append(lines_of[position])
        else:
            out.extend(carry)  # left over from removed items: heads the new ones
            carry = []
            out.append(f"{item_indent}- {render_item(tag)}")
    return out + carry + pending
