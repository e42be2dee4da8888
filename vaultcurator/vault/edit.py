"""The only way a note is ever written: byte-faithful, conflict-checked, atomic, journaled.

Editing is line-surgical rather than a YAML round-trip (which is slow and loses comments,
quoting and layout): the lines of each top-level key being set are located in the YAML text
and replaced by freshly rendered lines; every other byte of the file (body, comments, other
keys, BOM, newline style, trailing newline) is copied as is. The result is then re-parsed with
the same loader the scanner uses and must show the new values for the set keys and the very
same values, in the same order, for all others; anything that cannot be located or verified
is refused with :class:`NoteParseError` instead of guessed at.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import Resolver

from vaultcurator.errors import ConflictError, NoteParseError, VaultCuratorError
from vaultcurator.vault import atomic
from vaultcurator.vault.frontmatter import (
    BOM,
    Layout,
    UnterminatedFrontmatter,
    decode,
    load_yaml,
    split,
)
from vaultcurator.vault.model import sha256_hex
from vaultcurator.vault.ports import PlannedWrite, WriteAheadLog

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


class UnsafePathError(VaultCuratorError):
    """A note path that is absolute, climbs out of the vault, or resolves outside it."""


@dataclass(frozen=True, slots=True)
class EditResult:
    path: str
    """The vault-relative POSIX path that was edited."""
    changed: bool
    """False when the note already had these values (nothing was written)."""
    old_hash: str
    new_hash: str


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


def _quoted_key(line: str) -> tuple[str, str] | None:
    quote = line[0]
    pos = 1
    while True:
        end = line.find(quote, pos)
        if end < 0:
            return None
        if quote == '"' and _escaped(line, end):
            pos = end + 1
            continue
        if quote == "'" and line.startswith("''", end):
            pos = end + 2
            continue
        break
    token = line[: end + 1]
    rest = line[end + 1 :].lstrip(" \t")
    if not rest.startswith(":") or (len(rest) > 1 and rest[1] not in " \t"):
        return None
    try:
        key = yaml.load(token, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    return str(key), token


def _escaped(line: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and line[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


_KEY_COLON = re.compile(r":(?=[ \t]|$)")


def _key_of_line(line: str) -> tuple[str, str] | None:
    """(key, key as written) when ``line`` starts a top-level property, else None."""
    if not line or line[0] in " \t#" or line.startswith("- ") or line == "-":
        return None
    if line[0] in "\"'":
        return _quoted_key(line)
    match = _KEY_COLON.search(line)
    if match is None:
        return None
    token = line[: match.start()].rstrip(" \t")
    if " #" in token or "\t#" in token:
        return None
    # Tokens with YAML indicators (&anchor, !tag, ? key, [flow]) stay as written: they then
    # fail to match the parsed keys and the note is refused rather than edited by guesswork.
    return token, token


def _locate(lines: list[str], keys: list[str], note: str) -> dict[str, tuple[int, int, str]]:
    """``key -> (first line, end line, key token)`` for every top-level key of the block.

    The lines found must name exactly the keys the YAML loader saw, in the same order;
    otherwise the layout is too unusual to edit safely.
    """
    found: list[_KeyLine] = []
    for index, line in enumerate(lines):
        if line.startswith(("...", "%", "---")):
            raise NoteParseError(note, "frontmatter uses YAML directives or document markers")
        parsed = _key_of_line(line.rstrip("\r\n"))
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
            if not _same(value, want):
                problem = f"property {key!r}"
                break
    if problem is not None:
        raise NoteParseError(note, f"edit could not be verified ({problem}); not edited")


# --------------------------------------------------------------------------- public API


def render_updates(data: bytes, updates: Mapping[str, Any], *, path: str = "<note>") -> bytes:
    """The note's bytes with ``updates`` set in its frontmatter; pure (writes nothing).

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
        if key not in before or not _same(before[key], value)
    }
    if not changes:
        return data
    if not layout.has_frontmatter:
        new_text = _with_new_block(text, layout.newline, changes)
    else:
        new_yaml = _edit_block(layout, before, changes, path)
        new_text = text[: layout.yaml_start] + new_yaml + text[layout.yaml_end :]
    _verify(new_text, layout, before, expected, path)
    return ((BOM if bom else "") + new_text).encode("utf-8")


def _with_new_block(text: str, newline: str, changes: dict[str, Any]) -> str:
    lines = ["---"]
    for key, value in changes.items():
        lines.extend(_render_entry(_render_key(key), value, DEFAULT_ITEM_INDENT))
    lines.append("---")
    return newline.join(lines) + newline + text


def _edit_block(layout: Layout, before: dict[str, Any], changes: dict[str, Any], note: str) -> str:
    lines = _split_lines(layout.yaml_text)
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


def resolve_note_path(vault_root: Path, rel_path: str) -> Path:
    """The real file behind a vault-relative POSIX path; UnsafePathError if it leaves the vault."""
    if not rel_path or "\x00" in rel_path or (os.sep == "\\" and "\\" in rel_path):
        raise UnsafePathError(f"not a usable note path: {rel_path!r}")
    parts = rel_path.split("/")
    if rel_path.startswith("/") or ".." in parts:
        raise UnsafePathError(f"note path must stay inside the vault: {rel_path!r}")
    # os.path on strings: pathlib's resolve() costs more than the rest of an edit's checks.
    root = os.path.realpath(vault_root)
    real = os.path.realpath(os.path.join(root, *parts))  # noqa: PTH118
    if not rel_path.isascii() and not os.path.lexists(real):
        spelled = _spelled_on_disk(root, parts)
        if spelled is not None:
            real = os.path.realpath(spelled)
    if real == root or not real.startswith(root.rstrip(os.sep) + os.sep):
        raise UnsafePathError(f"note path resolves outside the vault: {rel_path!r}")
    return Path(real)


def _spelled_on_disk(root: str, parts: list[str]) -> str | None:
    """The file behind an NFC path whose names the disk spells otherwise (NFD, from a Mac).

    Note paths are NFC (see Note.path); Linux keeps names as written. Each missing name is
    matched to the one entry of its folder that is equal once normalised; None if not exactly
    one is.
    """
    current = root
    for part in parts:
        exact = os.path.join(current, part)  # noqa: PTH118
        if os.path.lexists(exact):
            current = exact
            continue
        wanted = unicodedata.normalize("NFC", part)
        try:
            with os.scandir(current) as entries:
                names = [e.name for e in entries if unicodedata.normalize("NFC", e.name) == wanted]
        except OSError:
            return None
        if len(names) != 1:
            return None
        current = os.path.join(current, names[0])  # noqa: PTH118
    return current


_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _read(target: Path, rel_path: str, expected_hash: str) -> bytes:
    try:
        with target.open("rb") as handle:
            data = handle.read()
            mode = os.fstat(handle.fileno()).st_mode
    except FileNotFoundError:
        raise ConflictError(rel_path, expected_hash, None) from None
    actual = sha256_hex(data)
    if actual != expected_hash:
        raise ConflictError(rel_path, expected_hash, actual)
    if not mode & _WRITE_BITS:  # os.replace would go through; Obsidian could not save it
        raise PermissionError(errno.EACCES, "note is read-only; not edited", rel_path)
    return data


def set_frontmatter_keys(
    vault_root: Path,
    rel_path: str,
    updates: Mapping[str, Any],
    expected_hash: str,
    *,
    log: WriteAheadLog | None = None,
    proposal_id: int | None = None,
) -> EditResult:
    """Set ``updates`` in one note's frontmatter if the note still hashes to ``expected_hash``.

    The single-note form of :func:`apply_edits` (the same, only write path), raising instead
    of reporting: ConflictError when the note changed or vanished, NoteParseError when its
    frontmatter cannot be edited safely, UnsafePathError for a path outside the vault. With
    ``log`` the write is journaled (write-ahead) so it can be undone.
    """
    [outcome] = apply_edits(
        vault_root, [EditRequest(rel_path, updates, expected_hash, proposal_id)], log=log
    )
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    return outcome.result


# --------------------------------------------------------------------------- batches


@dataclass(frozen=True, slots=True)
class EditRequest:
    """One note's updates for :func:`apply_edits`."""

    path: str
    updates: Mapping[str, Any]
    expected_hash: str
    proposal_id: int | None = None


@dataclass(slots=True)
class EditOutcome:
    """What became of one request: a result, or the error that left the note untouched."""

    path: str
    result: EditResult | None = None
    error: VaultCuratorError | OSError | ValueError | None = None
    warning: str | None = None
    """Set on a written note whose folder could not be flushed: the write is visible and
    journaled, but might not survive a power cut."""


@dataclass(slots=True)
class _Job:
    outcome: EditOutcome
    expected_hash: str
    new_bytes: Callable[[bytes], bytes]
    proposal_id: int | None = None


@dataclass(slots=True)
class _Ready:
    job: _Job
    target: Path
    old: bytes
    new: bytes
    new_hash: str


DEFAULT_CHUNK = 256
"""Notes per group commit: one filesystem flush and one journal commit each."""


def apply_edits(
    vault_root: Path,
    requests: Iterable[EditRequest],
    *,
    log: WriteAheadLog | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> list[EditOutcome]:
    """Edit many notes' frontmatter, with group commits; never raises per note.

    Per note: the hash is checked right before its replace, the write-ahead row is durable
    before the file changes, the replace is atomic. Per chunk: the temps are flushed with
    one filesystem sync, their rows committed in one transaction and each folder fsynced
    once (an fsync per note costs milliseconds on real disks). Outcomes come back in
    request order.
    """
    jobs = [
        _Job(
            EditOutcome(req.path),
            req.expected_hash,
            partial(_render_for, req.updates, req.path),
            req.proposal_id,
        )
        for req in requests
    ]
    _run_jobs(vault_root, jobs, log, chunk_size)
    return [job.outcome for job in jobs]


def replace_notes(
    vault_root: Path,
    items: Iterable[tuple[str, bytes, str]],
    *,
    log: WriteAheadLog | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> list[EditOutcome]:
    """Write whole contents ``(path, data, expected_hash)`` in batches (undo's restore)."""
    jobs = [
        _Job(EditOutcome(path), expected, partial(_constant, data))
        for path, data, expected in items
    ]
    _run_jobs(vault_root, jobs, log, chunk_size)
    return [job.outcome for job in jobs]


def _render_for(updates: Mapping[str, Any], path: str, old: bytes) -> bytes:
    return render_updates(old, updates, path=path)


def _constant(data: bytes, _old: bytes) -> bytes:
    return data


def _chunks(jobs: list[_Job], size: int) -> Iterator[list[_Job]]:
    """Chunks of at most ``size`` jobs, never the same path twice (its hash would be stale)."""
    chunk: list[_Job] = []
    paths: set[str] = set()
    for job in jobs:
        if len(chunk) >= size or job.outcome.path in paths:
            yield chunk
            chunk, paths = [], set()
        chunk.append(job)
        paths.add(job.outcome.path)
    if chunk:
        yield chunk


def _run_jobs(vault_root: Path, jobs: list[_Job], log: WriteAheadLog | None, size: int) -> None:
    for chunk in _chunks(jobs, max(1, size)):
        ready: list[_Ready] = []
        for job in chunk:
            rel = job.outcome.path
            try:
                target = resolve_note_path(vault_root, rel)
                old = _read(target, rel, job.expected_hash)
                new = job.new_bytes(old)
            except (VaultCuratorError, OSError, ValueError) as exc:
                job.outcome.error = exc
                continue
            if new == old:
                job.outcome.result = EditResult(rel, False, job.expected_hash, job.expected_hash)
            else:
                ready.append(_Ready(job, target, old, new, sha256_hex(new)))
        if ready:
            _commit_chunk(vault_root, ready, log)


def _commit_chunk(vault_root: Path, ready: list[_Ready], log: WriteAheadLog | None) -> None:
    with ExitStack() as stack:
        staged: list[tuple[_Ready, atomic.StagedFile]] = []
        for item in ready:
            try:
                staged_file = stack.enter_context(
                    atomic.staged(item.target, item.new, durable=False)
                )
            except OSError as exc:
                item.job.outcome.error = exc
                continue
            staged.append((item, staged_file))
        if not staged:
            return
        atomic.sync_filesystem(vault_root)
        entry_ids: list[int | None] = [None] * len(staged)
        if log is not None:
            writes = [
                PlannedWrite(
                    item.job.outcome.path,
                    item.old,
                    item.job.expected_hash,
                    item.new_hash,
                    item.job.proposal_id,
                )
                for item, _ in staged
            ]
            entry_ids = list(log.record(writes))
        failed: list[int] = []
        folders: dict[Path, list[EditOutcome]] = {}
        for (item, staged_file), entry_id in zip(staged, entry_ids, strict=True):
            rel = item.job.outcome.path
            try:
                staged_file.commit(item.job.expected_hash, rel, sync_dir=False)
            except (ConflictError, OSError) as exc:
                item.job.outcome.error = exc
                if entry_id is not None:
                    failed.append(entry_id)
                continue
            folders.setdefault(item.target.parent, []).append(item.job.outcome)
            item.job.outcome.result = EditResult(rel, True, item.job.expected_hash, item.new_hash)
        if failed and log is not None:
            log.discard(failed)
        for folder, outcomes in folders.items():
            try:
                atomic.fsync_dir(folder)
            except OSError as exc:  # the notes are replaced: say so, never lose their outcome
                for outcome in outcomes:
                    outcome.warning = f"written, but its folder could not be flushed: {exc}"
