"""Where a note's frontmatter is, byte for byte, and what it says.

This module is the single source of truth for the layout of a note (BOM, newline style,
delimiter lines, YAML span, body), shared by the scanner (read) and the editor (write), so
both always agree on which bytes belong to the frontmatter.

Parsing uses :mod:`.yaml_fast` for the simple frontmatter most notes have, and otherwise
python-frontmatter's YAML handler with libyaml's CSafeLoader (fast, safe), imported on first
use (~15 ms: a scan whose notes all take the fast path never pays it).
A note whose frontmatter cannot be used is reported with a reason and never rewritten.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from vaultcurator.vault import yaml_fast

BOM = "\ufeff"
_DELIM = re.compile(r"---[ \t]*")
_CR_ONLY_DELIM = re.compile(r"---[ \t]*\r(?!\n)")
# An inline tag: '#' at the start of a line or after whitespace (so never ``[[#Heading]]``,
# ``[[Note#Heading]]``, ``](#anchor)`` or a URL's ``#fragment``), then tag characters with at
# least one non-digit. The lookbehind after the '#' (``(?<!\S#)``: no non-space just before
# it; none at all at the start) keeps '#' the pattern's literal prefix, so ``findall`` jumps
# from '#' to '#' in C (three times faster than a str.find loop trying a match at each).
_INLINE_TAG = re.compile(r"#(?<!\S#)([\w/-]*[^\W\d][\w/-]*)")
# Fenced code: a line opening with ``` or ~~~ (any indent: fences nest in list items) up to a
# closing line with the same fence, or to the end of the note when it is never closed.
_FENCE = re.compile(
    r"^[ \t]*(`{3,}|~{3,})[^\n]*(?:\n.*?(?:\n[ \t]*\1[`~]*[ \t]*(?=\n|\Z)|\Z)|\Z)",
    re.MULTILINE | re.DOTALL,
)
_INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_WIKILINK = re.compile(r"\[\[[^\]\n]*\]\]")


@dataclass(frozen=True, slots=True)
class Layout:
    """Offsets into ``text`` (the decoded note without its BOM).

    With frontmatter: ``text[:yaml_start]`` is the opening ``---`` line with its newline,
    ``text[yaml_start:yaml_end]`` the YAML (ending with its last newline, or empty),
    ``text[yaml_end:body_start]`` the closing ``---`` line with its newline (if any), and
    ``text[body_start:]`` the body. Without frontmatter all three offsets are 0.
    """

    text: str
    bom: bool
    newline: str
    has_frontmatter: bool
    yaml_start: int = 0
    yaml_end: int = 0
    body_start: int = 0

    @property
    def yaml_text(self) -> str:
        return self.text[self.yaml_start : self.yaml_end]

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


@dataclass(slots=True)
class ParsedNote:
    layout: Layout | None
    """None when the bytes could not even be decoded."""
    frontmatter: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text of a note and whether it had a BOM; UnicodeDecodeError if it is not UTF-8."""
    text = data.decode("utf-8")
    if text.startswith(BOM):
        return text[1:], True
    return text, False


class UnterminatedFrontmatter(ValueError):
    """The note opens with ``---`` but never closes it."""


def split(text: str, *, bom: bool = False) -> Layout:
    """Locate the frontmatter block of ``text``; UnterminatedFrontmatter when it never closes."""
    first_end = text.find("\n")
    newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    if not text.startswith("---"):  # the usual note without frontmatter: no slicing at all
        return _layout(text, bom, newline, False, 0, 0, 0)
    first_line = text if first_end < 0 else text[:first_end]
    if not _is_delimiter(first_line):
        if _CR_ONLY_DELIM.match(first_line):
            # Editors that treat a lone CR as a line break see a frontmatter block here;
            # reading it as body (and writing a second block in front of it) would be wrong.
            raise UnterminatedFrontmatter(
                "frontmatter uses CR-only (classic Mac) line endings; not supported"
            )
        return _layout(text, bom, newline, False, 0, 0, 0)
    if first_end < 0:
        raise UnterminatedFrontmatter("frontmatter opens with '---' but is never closed")
    # Jump between lines that start with '---' (a line-by-line loop is 5x slower).
    search_from = first_end  # the '\n' that ends the opening line
    while (nl := text.find("\n---", search_from)) >= 0:
        pos = nl + 1
        line_end = text.find("\n", pos)
        if _is_delimiter(text[pos : len(text) if line_end < 0 else line_end]):
            body_start = len(text) if line_end < 0 else line_end + 1
            return _layout(text, bom, newline, True, first_end + 1, pos, body_start)
        search_from = pos
    raise UnterminatedFrontmatter("frontmatter opens with '---' but is never closed")


def _is_delimiter(line: str) -> bool:
    """``---`` with optional trailing blanks and CRs: the usual two spellings without a regex."""
    return line == "---" or line == "---\r" or _DELIM.fullmatch(line.rstrip("\r")) is not None


_NEW = object.__new__
_SET_LAYOUT_FIELDS = tuple(Layout.__dict__[f.name].__set__ for f in fields(Layout))


def _layout(
    text: str,
    bom: bool,
    newline: str,
    has_frontmatter: bool,
    yaml_start: int,
    yaml_end: int,
    body_start: int,
) -> Layout:
    """``Layout(...)`` at a third of the cost: the generated ``__init__`` of a frozen dataclass
    goes through ``object.__setattr__`` per field, a third of ``split``. Sets the slots."""
    layout: Layout = _NEW(Layout)
    s_text, s_bom, s_newline, s_has, s_yaml_start, s_yaml_end, s_body_start = _SET_LAYOUT_FIELDS
    s_text(layout, text)
    s_bom(layout, bom)
    s_newline(layout, newline)
    s_has(layout, has_frontmatter)
    s_yaml_start(layout, yaml_start)
    s_yaml_end(layout, yaml_end)
    s_body_start(layout, body_start)
    return layout


def load_yaml(yaml_text: str, *, first_line: int = 1) -> dict[str, Any]:
    """Parse a frontmatter block into a mapping; ValueError with a readable reason otherwise.

    ``first_line`` is the file line number of the block's first line, so errors point at the
    line a user sees in their editor rather than a line within the YAML block.
    """
    if not yaml_text.strip():
        return {}
    fast = yaml_fast.load(yaml_text)  # the common simple case, 10x faster than libyaml
    if fast is not None:
        return fast
    return _load_full(yaml_text, first_line)


def load_yaml_jsonable(yaml_text: str, *, first_line: int = 1) -> dict[str, Any]:
    """``jsonable(load_yaml(...))``, the form the scanner keeps, in one pass when it can."""
    if not yaml_text or yaml_text.isspace():  # ``not yaml_text.strip()`` without a copy
        return {}
    fast = yaml_fast.load_jsonable(yaml_text)
    if fast is not None:
        return fast
    converted: dict[str, Any] = jsonable(_load_full(yaml_text, first_line))
    return converted


def _load_full(yaml_text: str, first_line: int) -> dict[str, Any]:
    """The full YAML loader (libyaml), for what the fast path is not sure about."""
    import yaml  # on first use only (see the module docstring)
    from frontmatter.default_handlers import YAMLHandler

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # SafeLoader: no libyaml
    try:
        data = YAMLHandler().load(yaml_text, Loader=loader)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. a date like 2025-02-30
        raise ValueError(f"broken YAML in frontmatter: {_yaml_reason(exc, first_line)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise ValueError(f"frontmatter is {kind}, not a mapping of properties")
    _check_shape(data)
    return {str(k): v for k, v in data.items()}


MAX_VALUES = 100_000
"""Frontmatter with more values than this, once aliases are expanded, is refused."""
MAX_DEPTH = 64
"""Frontmatter nested deeper than this is refused."""


def _check_shape(data: Any) -> None:
    """ValueError if ``data`` contains itself, nests too deeply or expands too much.

    Everything downstream (JSON, prompts, the scan cache) copies values out recursively: a
    recursive alias (``a: &x [*x]``) would never finish, deep nesting would overflow the
    stack and a "billion laughs" of aliases would exhaust memory. Only the full YAML loader
    can produce these; the fast path's flat data never needs this check.
    """
    count = 0
    on_path: set[int] = set()

    def visit(value: Any, depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            raise ValueError(f"frontmatter expands to more than {MAX_VALUES:,} values (aliases)")
        if isinstance(value, (dict, list, tuple, set)):
            if depth > MAX_DEPTH:
                raise ValueError(f"frontmatter is nested more than {MAX_DEPTH} levels deep")
            if id(value) in on_path:
                raise ValueError("frontmatter contains itself (a recursive YAML alias)")
            on_path.add(id(value))
            for item in value.values() if isinstance(value, dict) else value:
                visit(item, depth + 1)
            on_path.discard(id(value))

    visit(data, 0)


def _yaml_reason(exc: Exception, first_line: int) -> str:
    """libyaml's message without its ``in "<unicode string>"`` noise, with file line numbers."""
    import yaml  # loaded already: what its loader raised is explained here

    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return " ".join(str(exc).split())
    mark = exc.problem_mark
    where = f"line {mark.line + first_line}, column {mark.column + 1}"
    parts = [p for p in (exc.context, exc.problem) if p]
    if exc.context and exc.context_mark is not None and exc.context_mark.line != mark.line:
        parts[0] = f"{exc.context} (from line {exc.context_mark.line + first_line})"
    return f"{where}: {'; '.join(parts) or 'invalid YAML'}"


def parse(data: bytes) -> ParsedNote:
    """Decode, split and parse one note; never raises for bad content (see ``error``)."""
    return _parse(data, load_yaml)


def parse_jsonable(data: bytes) -> ParsedNote:
    """:func:`parse` with the frontmatter JSON-shaped (see :func:`jsonable`), for the scan."""
    return _parse(data, load_yaml_jsonable)


def _parse(data: bytes, load: Callable[..., dict[str, Any]]) -> ParsedNote:
    try:
        text, bom = decode(data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return ParsedNote(
            layout=None,
            error=f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}, "
            f"line {line})",
        )
    try:
        layout = split(text, bom=bom)
    except UnterminatedFrontmatter as exc:
        return ParsedNote(layout=None, error=str(exc))
    if not layout.has_frontmatter:
        return ParsedNote(layout=layout)
    first_line = text.count("\n", 0, layout.yaml_start) + 1
    try:
        return ParsedNote(layout=layout, frontmatter=load(layout.yaml_text, first_line=first_line))
    except ValueError as exc:
        return ParsedNote(layout=layout, error=str(exc))


def tags_from_property(frontmatter: dict[str, Any]) -> list[str]:
    """The ``tags`` (or legacy ``tag``) property as a list, ``#`` stripped, order kept.

    Like Obsidian (``/^tags?$/i``), the property name is matched case-insensitively
    (``Tags:``), preferring an exact ``tags``; the editor writes to that same property.
    """
    raw = frontmatter.get("tags", frontmatter.get("tag"))
    if raw is None:
        raw = next((v for k, v in frontmatter.items() if k.lower() in ("tags", "tag")), None)
    items: list[Any]
    if raw is None:
        return []
    if isinstance(raw, str):
        items = [p for p in re.split(r"[,\s]+", raw) if p]
    elif isinstance(raw, list):
        items = raw
    else:
        items = [raw]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        tag = (item if type(item) is str else str(item)).strip()
        if tag[:1] == "#":  # rare: skip two calls per tag otherwise
            tag = tag.lstrip("#").strip()
        if tag:
            out.append(tag)
    return out


def inline_tags(body: str) -> list[str]:
    """``#tags`` written in the body, unique, in order of first appearance.

    Like Obsidian: a tag starts a line or follows whitespace, and never comes from fenced
    code, code spans or wikilinks, so heading links and URL fragments are not tags (a vault
    of 6,280 notes had 2,254 such fakes when any ``#`` after punctuation counted).
    """
    if "#" not in body:
        return []
    cleaned = body
    # One-character tests first: ``"```" in s`` is ~5x slower than ``"`" in s`` on long text.
    has_backtick = "`" in cleaned
    if (has_backtick and "```" in cleaned) or ("~" in cleaned and "~~~" in cleaned):
        cleaned = _FENCE.sub("", cleaned)
    if has_backtick:
        cleaned = _INLINE_CODE.sub("", cleaned)
    if "[[" in cleaned:
        cleaned = _WIKILINK.sub("", cleaned)
    # Each '#' is tried once: a tag holds no '#', so a match never swallows the next one.
    seen = dict.fromkeys(_INLINE_TAG.findall(cleaned))
    for tag in seen:  # trailing '/' is dropped: rare, so checked once per distinct tag
        if tag[-1] == "/":
            # Never empty: a tag holds a letter (``[^\W\d]``), which rstrip("/") keeps.
            return list(dict.fromkeys([t.rstrip("/") for t in seen]))
    return list(seen)


def description_of(frontmatter: dict[str, Any]) -> str | None:
    value = frontmatter.get("description")
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def jsonable(value: Any) -> Any:
    """Frontmatter values as JSON-safe data (dates become ISO strings) for the scan cache."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value  # the usual case, checked first: this runs for every value of every note
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            kind = type(item)
            if kind is str or kind is int or kind is bool or kind is float or item is None:
                out[key if type(key) is str else str(key)] = item  # no call: the common case
            else:
                out[key if type(key) is str else str(key)] = jsonable(item)
        return out
    if isinstance(value, (list, tuple)):
        return [v if type(v) is str else jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
