"""A fast path for the simple frontmatter most notes have; everything else goes to libyaml.

Scanning a large vault is dominated by YAML parsing (~50 µs a note with libyaml's
CSafeLoader, 5x the cost of reading and hashing the file). Most frontmatter is a flat
mapping of plain or quoted scalars, one-line flow lists and block lists of scalars. This
module parses exactly that subset, line by line, and returns what ``yaml.load(...,
CSafeLoader)`` returns for it; at the first thing it is not sure about (nested mappings,
block scalars, anchors, tags, escapes, multi-line scalars, tabs, unusual characters, number
or date formats beyond the plainest) it returns None and the caller uses libyaml.

Scalars are resolved with PyYAML's implicit resolvers, so ``yes`` is True, ``5`` is 5,
``2025-01-02`` is a date and ``~`` is None, exactly as the full loader does. They are
copied here (a test holds them equal to PyYAML's), so the usual scan never imports PyYAML
(~15 ms of every scan's start-up): only the full loader does, when a note needs it.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _implicit_resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """``yaml.resolver.Resolver.yaml_implicit_resolvers`` (PyYAML 5-6, YAML 1.1): the
    resolvers of a plain scalar by its first character, in PyYAML's order."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, flags, first in (
        (_BOOL, r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""", re.X, "yYnNtTfFoO"),
        (_FLOAT, r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X, "-+0123456789."),
        (_INT, r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""", re.X, "-+0123456789"),
        ("tag:yaml.org,2002:merge", r"^(?:<<)$", 0, "<"),
        (_NULL, r"""^(?: ~
                    |null|Null|NULL
                    | )$""", re.X, ["~", "n", "N", ""]),
        (_TIMESTAMP, r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X, "0123456789"),
        ("tag:yaml.org,2002:value", r"^(?:=)$", 0, "="),
        ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", 0, "!&*"),
    ):  # fmt: skip
        regexp = re.compile(pattern, flags)
        for char in first:
            table.setdefault(char, []).append((tag, regexp))
    return table


_IMPLICIT = _implicit_resolvers()
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
"""``yaml.constructor.SafeConstructor.bool_values``."""
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+\Z")
_PLAIN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_LINE = re.compile(
    r"^(?:([A-Za-z_][\w\- ]*(?<! )):(?: +(.*))?"  # 1 key, 2 its value (if any)
    r"|( *-)(?: +(.*))?"  # 3 indent and dash, 4 the item's value (if any)
    r"| *(?:#.*)?"  # blank, or a comment
    r"|(.+))$",  # 5 anything else
    re.MULTILINE,
)
"""One line of a block, classified: one ``findall`` instead of several calls per line."""
_FLAT = re.compile(r"(?:[A-Za-z_][\w\- ]*(?<! ): +[^ #\n][^\n]*\n)*")
"""A block of ``key: value`` lines only (the usual frontmatter): no lists, blanks, comments."""
_DOUBLE = re.compile(r'"([^"\\]*)"(?:\s+#.*)?\s*\Z')
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?:\s+#.*)?\s*\Z")
_FLOW_ITEM = re.compile(
    r"""\s*(?:"([^"\\]*)"|'((?:[^']|'')*)'|([^\s,\[\]{}"'#:][^,\[\]{}#:"']*?))\s*([,\]])"""
)
_FLOW_END = re.compile(r"(?:\s+#.*)?\s*\Z")
_PLAIN_FIRST_FORBIDDEN = frozenset("-?:,[]{}#&*!|>'\"%@` ")


_MISSING = object()
_VALUES: dict[str, Any] = {}
"""Parsed values by their text (immutable: scalars, or tuples for lists)."""
_JSON_VALUES: dict[str, Any] = {}
"""The same, JSON-shaped (see :func:`load_jsonable`)."""
_VALUES_MAX = 50_000
_STR_KEYS: set[str] = set()
"""Keys already known to be plain strings (``on:`` or ``null:`` would not be)."""


class _Unsure(Exception):
    """The text is outside the subset this module parses with certainty."""


def load(yaml_text: str) -> dict[str, Any] | None:
    """The mapping ``yaml_text`` holds, or None when only the full YAML parser can tell."""
    try:
        return _load(yaml_text, _VALUES, json=False)
    except _Unsure:
        return None


def load_jsonable(yaml_text: str) -> dict[str, Any] | None:
    """Like :func:`load`, with values JSON-shaped as ``frontmatter.jsonable`` makes them
    (dates as ISO strings): what the scanner keeps, without a second pass over the values."""
    try:
        return _load(yaml_text, _JSON_VALUES, json=True)
    except _Unsure:
        return None


def _load(yaml_text: str, values: dict[str, Any], *, json: bool) -> dict[str, Any]:
    if "\r" in yaml_text:  # CRLF; any other CR is refused by the printable check below
        yaml_text = yaml_text.replace("\r\n", "\n")
        if yaml_text.endswith("\r"):
            yaml_text = yaml_text[:-1]
    if not yaml_text.replace("\n", "").isprintable():
        raise _Unsure
    if _FLAT.fullmatch(yaml_text) is not None:
        return _load_flat(yaml_text, values, json)
    out: dict[str, Any] = {}
    pending: str | None = None  # a key written as ``key:`` that may own a block list
    items: list[Any] | None = None
    item_indent = -1
    for key, rest, dash, item, other in _LINE.findall(yaml_text):
        if key:
            if pending is not None:
                out[pending] = items
                pending, items = None, None
            if key not in _STR_KEYS:
                _check_key(key)
            # ``rest`` never starts with a space (the pattern takes them all before it).
            if not rest or rest[0] == "#":
                pending, items = key, None
            else:
                out[key] = _value(rest, values, json)
        elif dash:
            if pending is None:
                raise _Unsure
            indent = len(dash) - 1
            if items is None:
                items, item_indent = [], indent
            elif indent != item_indent:
                raise _Unsure
            items.append(_value(item, values, json))
        elif other:
            raise _Unsure
        # else: a blank or comment line
    if pending is not None:
        out[pending] = items
    return out


def _load_flat(yaml_text: str, values: dict[str, Any], json: bool) -> dict[str, Any]:
    """What ``_load`` makes of a block that ``_FLAT`` matched, with less work per line: each
    line is ``key:``, spaces, then a value (the key holds no ':', the value is not empty)."""
    out: dict[str, Any] = {}
    known_value = values.get
    for line in yaml_text.split("\n"):
        if not line:
            continue  # after the last newline
        key, _, rest = line.partition(":")
        if key not in _STR_KEYS:
            _check_key(key)
        rest = rest.lstrip(" ")
        known = known_value(rest, _MISSING)  # ``_value``, inlined for the usual hit
        if known is _MISSING:
            if (
                rest[-1:] == '"'
                and rest[0] == '"'
                and len(rest) > 1
                and '"' not in rest[1:-1]
                and "\\" not in rest
            ):
                # A plain double-quoted string (a link, a URL): what ``_DOUBLE`` would take,
                # without the regex; such values are mostly unique, so they are not memoised.
                known = rest[1:-1]
            else:
                known = _value(rest, values, json)
        elif type(known) is tuple:
            known = list(known)
        out[key] = known
    return out


def _check_key(key: str) -> None:
    """_Unsure unless ``key`` is a plain string to YAML (``on`` or ``null`` would not be)."""
    if _resolve(key) != _STR:
        raise _Unsure
    if len(_STR_KEYS) < _VALUES_MAX:
        _STR_KEYS.add(key)


def _value(text: str, values: dict[str, Any], json: bool) -> Any:
    """A block-context value: empty, quoted, a one-line flow list or a plain scalar."""
    # Values repeat a lot across a vault (tags, statuses, lists of tags): remember them.
    known = values.get(text, _MISSING)
    if known is not _MISSING:
        return list(known) if type(known) is tuple else known
    value = _parse_value(text)
    if json:
        value = _jsonable(value)
    if len(values) >= _VALUES_MAX:
        values.clear()
    values[text] = tuple(value) if type(value) is list else value
    return value


def _jsonable(value: Any) -> Any:
    """Dates as ISO strings (the only non-JSON values this module makes), in lists too."""
    if type(value) is _dt.date:
        return value.isoformat()
    if type(value) is list:
        return [v.isoformat() if type(v) is _dt.date else v for v in value]
    return value


def _parse_value(text: str) -> Any:
    text = text.strip(" ")
    if not text or text[0] == "#":
        return None
    first = text[0]
    if first == '"':
        return _quoted(_DOUBLE.match(text), double=True)
    if first == "'":
        return _quoted(_SINGLE.match(text), double=False)
    if first == "[":
        return _flow_list(text)
    comment = text.find(" #")
    if comment >= 0:
        text = text[:comment].rstrip(" ")
    if first in _PLAIN_FIRST_FORBIDDEN or ": " in text or text.endswith(":"):
        raise _Unsure
    return _plain(text)


def _quoted(match: re.Match[str] | None, *, double: bool) -> str:
    if match is None:
        raise _Unsure
    return match.group(1) if double else match.group(1).replace("''", "'")


def _flow_list(text: str) -> list[Any]:
    pos = 1
    out: list[Any] = []
    if text[1:].lstrip(" ").startswith("]"):
        pos = text.index("]") + 1
    else:
        while True:
            match = _FLOW_ITEM.match(text, pos)
            if match is None:
                raise _Unsure
            double, single, plain, sep = match.groups()
            if double is not None:
                out.append(double)
            elif single is not None:
                out.append(single.replace("''", "'"))
            else:
                if plain[0] in _PLAIN_FIRST_FORBIDDEN:
                    raise _Unsure
                out.append(_plain(plain))
            pos = match.end()
            if sep == "]":
                break
    if _FLOW_END.match(text, pos) is None:
        raise _Unsure
    return out


def _resolve(text: str) -> str:
    for tag, regexp in _IMPLICIT.get(text[0], ()):
        if regexp.match(text):
            return str(tag)
    return _STR


def _plain(text: str) -> Any:
    tag = _resolve(text)
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOLS[text.lower()]
    if tag == _INT and _PLAIN_INT.match(text):
        return int(text)
    if tag == _FLOAT and _PLAIN_FLOAT.match(text):
        return float(text)
    if tag == _TIMESTAMP and (date := _PLAIN_DATE.match(text)):
        try:
            return _dt.date(int(date.group(1)), int(date.group(2)), int(date.group(3)))
        except ValueError:
            raise _Unsure from None
    raise _Unsure
