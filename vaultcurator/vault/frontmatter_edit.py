"""Editing a note's frontmatter as text: line-surgical, byte-faithful, verified.

Editing is line-surgical rather than a YAML round-trip (which is slow and loses comments,
quoting and layout): the lines of each top-level key being set are located in the YAML text
and replaced by freshly rendered lines; every other byte of the file (body, comments, other
keys, BOM, newline style, trailing newline) is copied as is. The result is then re-parsed with
the same loader the scanner uses and must show the new values for the set keys and the very
same values, in the same order, for all others; anything that cannot be located or verified
is refused with :class:`NoteParseError` instead of guessed at. Pure: no file is touched here
(:mod:`vaultcurator.vault.edit` writes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import yaml
from yaml.resolver import Resolver

from vaultcurator.errors import NoteParseError
from vaultcurator.vault.frontmatter import (
    BOM,
    Layout,
    UnterminatedFrontmatter,
    decode,
    load_yaml,
    split,
)
from vaultcurator.vault.tags_style import restyle, split_scalar
from vaultcurator.vault.yaml_keys import key_of_line

DEFAULT_ITEM_INDENT = "  "
"""Indentation of list items for a key that has no list in the file yet (Obsidian's own)."""

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = Resolver()
# Characters that may not start a plain scalar (YAML indicators), or that it may not contain.
_PLAIN_FIRST_BAD = frozenset("-?:,[]{}#&*!|>'\"%@` \t")
# Outside PyYAML's printable set, or line breaks YAML 1.1 knows about: escape in "..." form.
_DQ_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]')
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_NAMED_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n|[\r\n\x0b\x0c\x85\u2028\u2029])\s*")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def single_line(text: str) -> str:
    """A description as Obsidian shows it (a single-line text property): control characters
    and line breaks become spaces, runs of whitespace one space, ends trimmed."""
    return " ".join(_CONTROL.sub(" ", text).split())


# --------------------------------------------------------------------------- rendering


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    named = _NAMED_ESCAPES.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}"


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that loads back to exactly ``text``."""
    return '"' + _DQ_ESCAPE.sub(_escape, text) + '"'


def _plain_ok(text: str) -> bool:
    """Whether ``text`` can be written unquoted and still load as this very string."""
    if not text or text[0] in _PLAIN_FIRST_BAD or text[-1] in " \t:":
        return False
    if ": " in text or " #" in text or _UNPRINTABLE.search(text):
        return False
    resolved = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(resolved == _STR_TAG)


def render_scalar(value: Any, *, in_list: bool = False) -> str:
    """One scalar value as YAML text: quoted only when YAML needs it."""
    if value is None:
        return "null" if in_list else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "." not in text:  # PyYAML's float pattern needs a dot: 1e+20 -> 1.0e+20
            text = text.replace("e", ".0e") if "e" in text else text + ".0"
        return text
    if isinstance(value, str):
        if "[[" in value:  # links in properties must be quoted for Obsidian to see them
            return double_quoted(value)
        return value if _plain_ok(value) else double_quoted(value)
    raise ValueError(f"cannot write a {type(value).__name__} into frontmatter")


def _normalized(key: str, value: Any) -> Any:
    """The value as it will be written (and must read back): tuples as lists, etc."""
    if key == "tags" and isinstance(value, str):
        value = [value]
    if isinstance(value, (list, tuple)):
        items = list(value)
        for item in items:
            if isinstance(item, (list, tuple, dict)):
                raise ValueError(f"{key}: nested lists or mappings are not supported")
        return items
    if key == "description" and isinstance(value, str):
        return _LINE_BREAKS.sub(" ", value).strip()
    if isinstance(value, dict):
        raise ValueError(f"{key}: mappings are not supported")
    return value


_TAGS_KEY = re.compile(r"tags?", re.IGNORECASE)


def _target_key(key: str, before: Mapping[str, Any]) -> str:
    """The property to write: ``tags`` goes to the note's own ``Tags``/``tag`` if it has one.

    Obsidian reads tags from any property matching ``/^tags?$/i``; adding a second one beside
    the note's ``Tags`` would split its tags in two.
    """
    if key != "tags" or key in before:
        return key
    if "tag" in before:
        return "tag"
    for existing in before:
        if _TAGS_KEY.fullmatch(existing):
            return existing
    return key


def _tags(token: str, span: list[str], old: Any, value: Any, comment: str, style: Any) -> Any:
    """A list's lines in the note's own style (tags: or the vault's); None: the generic ones."""
    if not isinstance(value, list) or not (_TAGS_KEY.fullmatch(token) or isinstance(old, list)):
        return None  # another list (related) keeps its style only if it already is a list
    item = partial(render_scalar, in_list=True)
    return restyle(span, token, old, value, key_comment=comment, render_item=item,
                   quote=double_quoted, default=style, item_indent=_item_indent(span))  # fmt: skip


def _render_key(key: str) -> str:
    return key if _plain_ok(key) and "[[" not in key else double_quoted(key)


def _render_entry(key_token: str, value: Any, item_indent: str) -> list[str]:
    """The lines (without newlines) for ``key_token: value``."""
    if isinstance(value, list):
        if not value:
            return [f"{key_token}: []"]
        items = [f"{item_indent}- {render_scalar(item, in_list=True)}" for item in value]
        return [f"{key_token}:", *items]
    rendered = render_scalar(value)
    return [f"{key_token}: {rendered}" if rendered else f"{key_token}:"]


# --------------------------------------------------------------------------- locating keys


@dataclass(slots=True)
class _KeyLine:
    line: int
    key: str
    token: str


def _split_lines(text: str) -> list[str]:
    """Lines with their ``\\n`` (only ``\\n`` ends a line here, whatever else YAML thinks)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _locate(lines: list[str], keys: list[str], note: str) -> dict[str, tuple[int, int, str]]:
    """``key -> (first line, end line, key token)`` for every top-level key of the block.

    The lines found must name exactly the keys the YAML loader saw, in the same order;
    otherwise the layout is too unusual to edit safely.
    """
    found: list[_KeyLine] = []
    for index, line in enumerate(lines):
        if line.startswith(("...", "%", "---")):
            raise NoteParseError(note, "frontmatter uses YAML directives or document markers")
        parsed = key_of_line(line.rstrip("\r\n"))
        if parsed is not None:
            found.append(_KeyLine(index, parsed[0], parsed[1]))
    seen: dict[str, int] = {}
    for entry in found:
        seen[entry.key] = seen.get(entry.key, 0) + 1
    if list(seen) != keys:
        raise NoteParseError(
            note, "cannot match the frontmatter's lines to its properties; not edited"
        )
    spans: dict[str, tuple[int, int, str]] = {}
    for position, entry in enumerate(found):
        if seen[entry.key] > 1:
            spans[entry.key] = (-1, -1, entry.token)  # duplicate: refused if it is set
            continue
        end = found[position + 1].line if position + 1 < len(found) else len(lines)
        spans[entry.key] = (entry.line, end, entry.token)
    return spans


def _is_gap_line(line: str) -> bool:
    """Blank and comment lines after a property's value are kept, not replaced with it."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _span_of(
    lines: list[str], start: int, end: int, key: str, current: Any, note: str
) -> tuple[int, int]:
    """The lines of one property: its key line up to the next key, minus trailing gap lines."""
    trimmed = end
    while trimmed - 1 > start and _is_gap_line(lines[trimmed - 1]):
        trimmed -= 1
    cut = lines[trimmed:end]
    has_comment = any(line.lstrip().startswith("#") for line in cut)
    block_scalar = "|" in lines[start] or ">" in lines[start]
    if not cut or not (has_comment or block_scalar):
        return start, trimmed
    # A '#' line may still be inside a multi-line quoted value, and blank lines may belong to
    # a keep-chomping block scalar (|+): the shortest span that parses back to the property's
    # value on its own is the property.
    for candidate in range(trimmed, end + 1):
        try:
            alone = load_yaml("".join(lines[start:candidate]))
        except ValueError:
            continue
        if list(alone) == [key] and _same(alone[key], current):
            return start, candidate
    if not has_comment:
        return start, trimmed  # e.g. an alias: cannot stand alone; verification still guards
    raise NoteParseError(note, f"cannot tell where property {key!r} ends; not edited")


def _stands_for(lines: list[str], key: str, current: Any) -> bool:
    """Whether ``lines`` alone parse to exactly ``{key: current}``."""
    try:
        alone = load_yaml("".join(lines))
    except ValueError:
        return False
    return list(alone) == [key] and _same(alone[key], current)


def _comments_of(
    lines: list[str], start: int, end: int, key: str, current: Any
) -> tuple[str, list[str]]:
    """The comments written in a property's lines, which its new value must keep.

    Returns the key line's trailing comment (with the blanks before it) and the whole-line
    comments inside the value (without newlines). A ``#`` counts as a comment only when the
    property parses to the same value without it, so a ``#`` inside a quoted or block scalar
    is left with the value it belongs to. Comments after list items go with their items.
    """
    span = lines[start:end]
    if not any("#" in line for line in span):
        return "", []
    key_line = span[0].rstrip("\r\n")
    ending = span[0][len(key_line) :]
    key_comment = ""
    for pos in range(1, len(key_line)):
        if key_line[pos] != "#" or key_line[pos - 1] not in " \t":
            continue
        if _stands_for([key_line[:pos] + ending, *span[1:]], key, current):
            key_comment = key_line[len(key_line[:pos].rstrip(" \t")) :]
            break
    inner = [
        line.rstrip("\r\n")
        for index, line in enumerate(span[1:], start=1)
        if line.lstrip(" \t").startswith("#")
        and _stands_for(span[:index] + span[index + 1 :], key, current)
    ]
    return key_comment, inner


def _item_indent(lines: list[str]) -> str:
    for line in lines[1:]:
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") or stripped.rstrip("\r\n") == "-":
            return line[: len(line) - len(stripped)]
    return DEFAULT_ITEM_INDENT


def _newline_of_line(line: str, default: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return default


# --------------------------------------------------------------------------- verification


def _same(a: Any, b: Any) -> bool:
    """Equality that also tells ``1`` from ``True`` from ``1.0`` and sees NaN as itself."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _same_value(key: str, value: Any, want: Any) -> bool:
    """``_same``, where a string of tags equals the list Obsidian reads it as (a string
    style is kept: :func:`.tags_style.split_scalar`)."""
    if isinstance(value, str) and isinstance(want, list) and _TAGS_KEY.fullmatch(key):
        return bool(want) and split_scalar(value) == want
    return _same(value, want)


def _verify(
    new_text: str,
    layout: Layout,
    before: dict[str, Any],
    expected: dict[str, Any],
    note: str,
) -> None:
    try:
        new_layout = split(new_text, bom=layout.bom)
        after = load_yaml(new_layout.yaml_text)
    except (ValueError, UnterminatedFrontmatter) as exc:
        raise NoteParseError(
            note, f"edit would break the frontmatter ({exc}); not edited"
        ) from None
    order = list(before) + [k for k in expected if k not in before]
    problem = None
    if not new_layout.has_frontmatter or new_layout.body != layout.body:
        problem = "body"
    elif list(after) != order:
        problem = "key order"
    else:
        for key, value in after.items():
            want = expected[key] if key in expected else before[key]
            if not _same_value(key, value, want):
                problem = f"property {key!r}"
                break
    if problem is not None:
        raise NoteParseError(note, f"edit could not be verified ({problem}); not edited")


# --------------------------------------------------------------------------- public API


def render_updates(
    data: bytes, updates: Mapping[str, Any], *, path: str = "<note>", tags_style: Any = None
) -> bytes:
    """The note's bytes with ``updates`` set in its frontmatter; pure (writes nothing).

    A ``tags`` list keeps the note's own style; ``tags_style`` (``flow``/``block``) is the
    vault's prevailing one, for tags that were a scalar (:mod:`.tags_style`).

    Returns ``data`` itself when every key already has its value. Raises NoteParseError
    for a note that is not UTF-8, has broken or unusual frontmatter, or whose edit cannot be
    verified, and ValueError for a value that cannot be written (a mapping, a date...).
    """
    try:
        text, bom = decode(data)
        layout = split(text, bom=bom)
        before = load_yaml(layout.yaml_text) if layout.has_frontmatter else {}
    except UnicodeDecodeError:
        raise NoteParseError(path, "not UTF-8 text") from None
    except (ValueError, UnterminatedFrontmatter) as exc:
        raise NoteParseError(path, str(exc)) from None
    expected = {_target_key(key, before): _normalized(key, value) for key, value in updates.items()}
    changes = {
        key: value
        for key, value in expected.items()
        if key not in before or not _same_value(key, before[key], value)
    }
    if not changes:
        return data
    if not layout.has_frontmatter:
        new_text = _with_new_block(text, layout.newline, changes)
    else:
        new_yaml = _edit_block(layout, before, changes, path, tags_style)
        new_text = text[: layout.yaml_start] + new_yaml + text[layout.yaml_end :]
    _verify(new_text, layout, before, expected, path)
    return ((BOM if bom else "") + new_text).encode("utf-8")


def _with_new_block(text: str, newline: str, changes: dict[str, Any]) -> str:
    lines = ["---"]
    for key, value in changes.items():
        lines.extend(_render_entry(_render_key(key), value, DEFAULT_ITEM_INDENT))
    lines.append("---")
    return newline.join(lines) + newline + text


def _without_empty_flow(line: str) -> str:
    """``line`` without a ``{}`` value (its comment, if any, is kept)."""
    value, hash_mark, comment = line.partition("#")
    if value.strip() != "{}":
        return line
    return (hash_mark + comment) if hash_mark else ""


def _edit_block(
    layout: Layout, before: dict[str, Any], changes: dict[str, Any], note: str, style: Any = None
) -> str:
    lines = _split_lines(layout.yaml_text)
    if not before:  # an empty mapping written in flow style (``{}``): the new keys replace it
        lines = [_without_empty_flow(line) for line in lines]
        lines = [line for line in lines if line]
    spans = _locate(lines, list(before), note)
    replacements: list[tuple[int, int, list[str]]] = []
    appended: list[str] = []
    default_newline = _newline_of_line(lines[-1], layout.newline) if lines else layout.newline
    for key, value in changes.items():
        if key not in spans:
            for rendered in _render_entry(_render_key(key), value, DEFAULT_ITEM_INDENT):
                appended.append(rendered + default_newline)
            continue
        first, next_key, token = spans[key]
        if first < 0:
            raise NoteParseError(note, f"property {key!r} appears more than once; not edited")
        first, end = _span_of(lines, first, next_key, key, before[key], note)
        newline = _newline_of_line(lines[first], layout.newline)
        new_lines = _render_entry(token, value, _item_indent(lines[first:end]))
        key_comment, inner_comments = _comments_of(lines, first, end, key, before[key])
        styled = _tags(token, lines[first:end], before[key], value, key_comment, style)
        if styled is not None:
            replacements.append((first, end, [line + newline for line in styled]))
            continue
        new_lines[0] += key_comment
        # A list's comments go before its items (most are headings for them), others after.
        at = 1 if isinstance(value, list) and value else len(new_lines)
        new_lines[at:at] = inner_comments
        replacements.append((first, end, [line + newline for line in new_lines]))
    for first, end, replaced in sorted(replacements, reverse=True):
        lines[first:end] = replaced
    if appended and lines and not lines[-1].endswith("\n"):
        lines[-1] += default_newline
    return "".join(lines + appended)
