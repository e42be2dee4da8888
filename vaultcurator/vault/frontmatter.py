"""Where a note's frontmatter is, byte for byte, and what it says.

This module is the single source of truth for the layout of a note (BOM, newline style,
delimiter lines, YAML span, body), shared by the scanner (read) and the editor (write), so
both always agree on which bytes belong to the frontmatter.

Parsing uses python-frontmatter's YAML handler with libyaml's CSafeLoader (fast, safe).
A note whose frontmatter cannot be used is reported with a reason and never rewritten.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

BOM = "\ufeff"
_HANDLER = YAMLHandler()
_DELIM = re.compile(r"---[ \t]*")
# An inline tag: '#' not preceded by a word char, '/', '#' or '&'; Obsidian needs a non-digit.
_INLINE_TAG = re.compile(r"(?<![\w/#&])#([\w/-]*[^\W\d][\w/-]*)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


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


def _newline_of(text: str) -> str:
    first = text.find("\n")
    if first > 0 and text[first - 1] == "\r":
        return "\r\n"
    return "\n"


class UnterminatedFrontmatter(ValueError):
    """The note opens with ``---`` but never closes it."""


def split(text: str, *, bom: bool = False) -> Layout:
    """Locate the frontmatter block of ``text``; UnterminatedFrontmatter when it never closes."""
    newline = _newline_of(text)
    first_end = text.find("\n")
    first_line = text if first_end < 0 else text[:first_end]
    if not _DELIM.fullmatch(first_line.rstrip("\r")):
        return Layout(text=text, bom=bom, newline=newline, has_frontmatter=False)
    if first_end < 0:
        raise UnterminatedFrontmatter("frontmatter opens with '---' but is never closed")
    yaml_start = first_end + 1
    pos = yaml_start
    while pos <= len(text):
        nl = text.find("\n", pos)
        line_end = len(text) if nl < 0 else nl
        line = text[pos:line_end].rstrip("\r")
        if _DELIM.fullmatch(line):
            body_start = len(text) if nl < 0 else nl + 1
            return Layout(
                text=text, bom=bom, newline=newline, has_frontmatter=True,
                yaml_start=yaml_start, yaml_end=pos, body_start=body_start,
            )
        if nl < 0:
            break
        pos = nl + 1
    raise UnterminatedFrontmatter("frontmatter opens with '---' but is never closed")


def load_yaml(yaml_text: str) -> dict[str, Any]:
    """Parse a frontmatter block into a mapping; ValueError with a readable reason otherwise."""
    if not yaml_text.strip():
        return {}
    try:
        data = _HANDLER.load(yaml_text, Loader=_Loader)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise ValueError(f"broken YAML in frontmatter: {reason}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise ValueError(f"frontmatter is {kind}, not a mapping of properties")
    return {str(k): v for k, v in data.items()}


def parse(data: bytes) -> ParsedNote:
    """Decode, split and parse one note; never raises for bad content (see ``error``)."""
    try:
        text, bom = decode(data)
    except UnicodeDecodeError as exc:
        return ParsedNote(
            layout=None, error=f"not UTF-8 text (byte 0x{data[exc.start]:02x} at {exc.start})"
        )
    try:
        layout = split(text, bom=bom)
    except UnterminatedFrontmatter as exc:
        return ParsedNote(layout=None, error=str(exc))
    if not layout.has_frontmatter:
        return ParsedNote(layout=layout)
    try:
        return ParsedNote(layout=layout, frontmatter=load_yaml(layout.yaml_text))
    except ValueError as exc:
        return ParsedNote(layout=layout, error=str(exc))


def tags_from_property(frontmatter: dict[str, Any]) -> list[str]:
    """The ``tags`` (or legacy ``tag``) property as a list, ``#`` stripped, order kept."""
    raw = frontmatter.get("tags", frontmatter.get("tag"))
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
        tag = str(item).strip().lstrip("#").strip()
        if tag:
            out.append(tag)
    return out


def inline_tags(body: str) -> list[str]:
    """``#tags`` written in the body (outside code), unique, in order of first appearance."""
    cleaned = _INLINE_CODE.sub("", _FENCE.sub("", body))
    seen: dict[str, None] = {}
    for match in _INLINE_TAG.finditer(cleaned):
        seen.setdefault(match.group(1).rstrip("/"), None)
    return [t for t in seen if t]


def description_of(frontmatter: dict[str, Any]) -> str | None:
    value = frontmatter.get("description")
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def jsonable(value: Any) -> Any:
    """Frontmatter values as JSON-safe data (dates become ISO strings) for the scan cache."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
