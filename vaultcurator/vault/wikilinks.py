"""Links between notes as Obsidian sees them: parsing, resolving, and writing link text.

Parsing finds what a note already links to (body wikilinks, embeds ``![[X]]``, local Markdown
links ``[x](X.md)``, and ``"[[X]]"`` in any frontmatter property), outside code. Resolving
follows Obsidian's rules closely enough to decide which notes are "already linked":
case-insensitive, an exact path from the vault root first, then relative to the linking note's
folder, then by file name (preferring the linking note's folder, then the shortest path).
Writing uses Obsidian's "shortest path when possible": the file name when no other Markdown
file in the vault has it, the path from the vault root otherwise.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)
_WIKILINK = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
_MD_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)>\s]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_UNLINKABLE = re.compile(r"[\[\]|#^]")
"""Characters Obsidian does not allow in a link's file name."""


def _fold(text: str) -> str:
    """Key for Obsidian's case-insensitive, normalisation-insensitive name matching."""
    return unicodedata.normalize("NFC", text).casefold()


def strip_code(body: str) -> str:
    """The body without fenced code, inline code and ``%%comments%%`` (links there don't count)."""
    return _INLINE_CODE.sub("", _COMMENT.sub("", _FENCE.sub("", body)))


def linkpath(raw: str) -> str:
    """The file part of a link's text: ``Note#Heading|alias`` -> ``Note``."""
    target = raw.split("|", 1)[0]
    target = target.split("#", 1)[0]
    return target.strip()


def body_links(body: str) -> list[str]:
    """Link paths written in a note's body (wikilinks, embeds, local Markdown links), in order."""
    text = strip_code(body)
    found: list[str] = []
    for match in _WIKILINK.finditer(text):
        target = linkpath(match.group(1))
        if target:
            found.append(target)
    for match in _MD_LINK.finditer(text):
        url = match.group(1)
        if _URL_SCHEME.match(url) or url.startswith("#"):
            continue
        target = linkpath(unquote(url))
        if target:
            found.append(target)
    return found


def links_in_value(value: Any) -> list[str]:
    """Link paths of every ``[[X]]`` inside a frontmatter value (strings, lists, mappings)."""
    found: list[str] = []
    if isinstance(value, str):
        for match in _WIKILINK.finditer(value):
            target = linkpath(match.group(1))
            if target:
                found.append(target)
    elif isinstance(value, Mapping):
        for item in value.values():
            found.extend(links_in_value(item))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.extend(links_in_value(item))
    return found


def whole_link_names(value: str) -> list[str]:
    """Each ``[[...]]`` in ``value`` up to its ``|``, ``#`` included: a file named ``C# tips``
    is what an author means by ``[[C# tips]]``, though ``#`` usually starts a heading."""
    return [m.group(1).split("|", 1)[0].strip() for m in _WIKILINK.finditer(value)]


def frontmatter_links(frontmatter: Mapping[str, Any], *, skip: Iterable[str] = ()) -> list[str]:
    """Link paths in every property but those in ``skip`` (the related property itself)."""
    skipped = set(skip)
    found: list[str] = []
    for key, value in frontmatter.items():
        if key not in skipped:
            found.extend(links_in_value(value))
    return found


def property_items(value: Any) -> list[str]:
    """A list property's entries as strings (a lone string counts as one entry)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def _without_md(path: str) -> str:
    return path[:-3] if path.lower().endswith(".md") else path


class LinkResolver:
    """Resolves link paths to notes and writes the shortest unambiguous link text.

    ``paths`` are every Markdown file Obsidian knows (relative POSIX paths, including notes
    that are not curated, such as templates), so a name clash anywhere is seen.
    """

    def __init__(self, paths: Iterable[str], aliases: Iterable[tuple[str, str]] = ()) -> None:
        """``aliases``: (path, alias) pairs; a link to an alias is a link to its note, when
        no file has that name (Obsidian lists aliases as the note's names)."""
        self._by_path: dict[str, str] = {}
        self._by_stem: dict[str, list[str]] = defaultdict(list)
        self._by_alias: dict[str, list[str]] = defaultdict(list)
        self._memo: dict[tuple[str, str], str | None] = {}
        for path, alias in aliases:
            if alias.strip() and path not in self._by_alias[_fold(alias.strip())]:
                self._by_alias[_fold(alias.strip())].append(path)
        for path in sorted(set(paths)):
            folded = _fold(path) if not path.isascii() else path.casefold()
            bare = folded[:-3] if folded.endswith(".md") else folded
            self._by_path[bare] = path
            self._by_path.setdefault(folded, path)
            self._by_stem[bare.rsplit("/", 1)[-1]].append(path)

    def __contains__(self, path: str) -> bool:
        return _fold(path) in self._by_path

    def resolve(self, link: str, source_path: str = "") -> str | None:
        """The note a link path points to, or None (unresolved, or not a Markdown note)."""
        folder = posixpath.dirname(source_path)
        key = (link, folder)
        if key not in self._memo:
            self._memo[key] = self._resolve(link.strip().lstrip("/"), folder)
        return self._memo[key]

    def _resolve(self, target: str, folder: str) -> str | None:
        if not target:
            return None
        hit = self._by_path.get(_fold(_without_md(target)))
        if hit is not None:
            return hit
        if "/" in target and (folder or target.startswith(".")):
            relative = posixpath.normpath(posixpath.join(folder, target))
            hit = self._by_path.get(_fold(_without_md(relative)))
            if hit is not None:
                return hit
        candidates = self._by_stem.get(_fold(_stem(target)), [])
        if "/" in target:
            suffix = "/" + _fold(_without_md(target))
            candidates = [c for c in candidates if _fold(_without_md("/" + c)).endswith(suffix)]
        elif not candidates:
            candidates = self._by_alias.get(_fold(target), [])
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        same_folder = [c for c in candidates if posixpath.dirname(c) == folder]
        pool = same_folder or candidates
        return min(pool, key=lambda c: (c.count("/"), len(c), c))

    def link_text(self, path: str) -> str | None:
        """Shortest text Obsidian resolves to ``path`` from anywhere; None if not linkable.

        The file name when unique (case-insensitively) among the vault's Markdown files, else
        the path from the vault root; ``.md`` is dropped (kept for ``.MD`` and other casings).
        """
        keep_ext = not path.endswith(".md")
        stem = path.rsplit("/", 1)[-1] if keep_ext else _stem(path)
        if _UNLINKABLE.search(path) or not stem.strip():
            return None
        if len(self._by_stem.get(_fold(_stem(path)), [])) <= 1:
            text = stem
        else:
            text = path if keep_ext else _without_md(path)
        return text if self.resolve(text) == path else None

    def wikilink(self, path: str) -> str | None:
        text = self.link_text(path)
        return None if text is None else f"[[{text}]]"


def vault_markdown_paths(root: Path, folders: list[tuple[str, int]] | None = None) -> list[str]:
    """Every ``.md`` file Obsidian would see (dot-folders skipped), relative POSIX NFC paths.

    Wider than the scan's notes on purpose: templates and excluded folders still take part in
    Obsidian's name resolution, so a clash with them must make the link text longer.
    ``folders``, when given, receives each folder walked with its modification time (ns), so
    a caller can tell later whether a new walk would find anything else.
    """
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if folders is not None:
            try:
                folders.append((dirpath, os.stat(dirpath).st_mtime_ns))  # noqa: PTH116
            except OSError:  # vanished while walked: never matches a later look
                folders.append((dirpath, -1))
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            if name.lower().endswith(".md") and not name.startswith("."):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                found.append(unicodedata.normalize("NFC", rel.replace(os.sep, "/")))
    return found
