"""Which files and folders of a vault are not notes.

Always skipped: dot-folders and dot-files (``.obsidian/``, ``.trash/``, ``.git/``,
``.vaultcurator/`` …). Optionally skipped: the templates folder named by Obsidian's settings
(templates hold ``{{placeholders}}`` that are not valid YAML and must never be curated), the
user's ``scan.exclude`` globs, Obsidian's own "Excluded files" (``userIgnoreFilters`` in
``.obsidian/app.json``: a note the user excluded there must never be sent anywhere) and
plugin-owned files named ``*.excalidraw.md``. What the last two skip is *reported*
(:meth:`IgnoreRules.reported_reason`): the user did not ask vaultcurator to skip it.

An Obsidian filter is read the way Obsidian reads it: ``/…/`` is a regular expression searched
in the path, anything else a path prefix (``Private/`` is the folder, ``Private`` also matches
``Private notes.md``); a filter with glob characters is taken as a glob.

Globs match relative POSIX paths (NFC). ``*`` and ``?`` stay within one path segment,
``**`` spans segments (``Templates/**``, ``**/drafts/**``), and a pattern without ``/``
matches a name at any depth (``*.excalidraw.md``), like ``.gitignore``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vaultcurator.config import ScanSettings

EXCALIDRAW_SUFFIX = ".excalidraw.md"
_GLOB_CHARS = frozenset("*?[")
_TEMPLATE_SETTINGS = (
    (".obsidian/templates.json", "folder"),
    (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"),
)


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile one glob into a regex over a whole relative path (see module docstring)."""
    pattern = unicodedata.normalize("NFC", pattern.strip().strip("/"))
    if "/" not in pattern:
        pattern = "**/" + pattern
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and (close := pattern.find("]", i + 2)) > 0:
            body = pattern[i + 1 : close]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = close + 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out) + r"\Z")


def templates_folder(vault_root: Path) -> str | None:
    """The templates folder set in Obsidian (core Templates or Templater), relative, or None."""
    for settings_file, key in _TEMPLATE_SETTINGS:
        try:
            data = json.loads((vault_root / settings_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        folder = data.get(key) if isinstance(data, dict) else None
        if isinstance(folder, str) and folder.strip().strip("/"):
            return unicodedata.normalize("NFC", folder.strip().strip("/"))
    return None


def obsidian_filters(vault_root: Path) -> list[str]:
    """The "Excluded files" of ``.obsidian/app.json`` (``userIgnoreFilters``), as written."""
    try:
        data = json.loads((vault_root / ".obsidian" / "app.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    filters = data.get("userIgnoreFilters") if isinstance(data, dict) else None
    if not isinstance(filters, list):
        return []
    return [f for f in filters if isinstance(f, str) and f.strip()]


@dataclass(frozen=True, slots=True)
class ObsidianFilter:
    """One "Excluded files" entry: ``source`` as the user wrote it, compiled."""

    source: str
    regex: re.Pattern[str] | None = None
    prefix: str = ""

    @classmethod
    def parse(cls, source: str) -> ObsidianFilter | None:
        text = unicodedata.normalize("NFC", source.strip())
        if len(text) > 2 and text.startswith("/") and text.endswith("/"):
            try:
                return cls(source, regex=re.compile(text[1:-1]))
            except re.error:
                return None  # Obsidian ignores a broken expression too
        text = text.lstrip("/")
        if not text:
            return None
        if _GLOB_CHARS & set(text):
            return cls(source, regex=glob_to_regex(text))
        return cls(source, prefix=text)

    def matches(self, rel: str, *, is_dir: bool = False) -> bool:
        """Whether ``rel`` (a file, or a folder when ``is_dir``) is excluded by this filter."""
        if self.regex is not None:
            return self.regex.search(rel + "/" if is_dir else rel) is not None
        return (rel + "/" if is_dir else rel).startswith(self.prefix)


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    """Compiled skip rules; ask ``skips_dir`` before descending and ``skips_file`` per file."""

    patterns: tuple[re.Pattern[str], ...] = ()
    skipped_folders: tuple[str, ...] = ()
    obsidian: tuple[ObsidianFilter, ...] = ()
    """Obsidian's "Excluded files" (reported when they skip something)."""
    plugin_files: bool = False
    """Skip ``*.excalidraw.md`` by name (reported)."""

    @classmethod
    def build(
        cls,
        exclude: Iterable[str],
        skipped_folders: Iterable[str] = (),
        obsidian: Iterable[str] = (),
        *,
        plugin_files: bool = False,
    ) -> IgnoreRules:
        parsed = (ObsidianFilter.parse(f) for f in obsidian)
        return cls(
            patterns=tuple(glob_to_regex(p) for p in exclude if p.strip().strip("/")),
            skipped_folders=tuple(skipped_folders),
            obsidian=tuple(f for f in parsed if f is not None),
            plugin_files=plugin_files,
        )

    @classmethod
    def for_vault(
        cls,
        vault_root: Path,
        exclude: Iterable[str],
        *,
        skip_templates_folder: bool,
        obsidian_excluded: bool = True,
        skip_plugin_files: bool = True,
    ) -> IgnoreRules:
        folders: list[str] = []
        if skip_templates_folder and (folder := templates_folder(vault_root)):
            folders.append(folder)
        filters = obsidian_filters(vault_root) if obsidian_excluded else []
        return cls.build(exclude, folders, filters, plugin_files=skip_plugin_files)

    @property
    def reports(self) -> bool:
        """Whether any rule skips files that a scan should list (see reported_reason)."""
        return bool(self.obsidian) or self.plugin_files

    def reported_reason(self, rel: str, *, is_dir: bool = False) -> str | None:
        """Why Obsidian's settings or a plugin rule skip ``rel``; None when they do not."""
        for rule in self.obsidian:
            if rule.matches(rel, is_dir=is_dir):
                return f"excluded in Obsidian (Excluded files: {rule.source})"
        if self.plugin_files and not is_dir and rel.lower().endswith(EXCALIDRAW_SUFFIX):
            return "Excalidraw drawing (plugin file)"
        return None

    def skips_dir(self, rel: str) -> bool:
        """``rel``: a folder's relative POSIX path (NFC)."""
        if rel.rsplit("/", 1)[-1].startswith("."):
            return True
        if rel in self.skipped_folders:
            return True
        return any(p.match(rel) for p in self.patterns)

    def skips_file(self, rel: str) -> bool:
        """``rel``: a file's relative POSIX path (NFC)."""
        if rel.rsplit("/", 1)[-1].startswith("."):
            return True
        return any(p.match(rel) for p in self.patterns)


def rules_for(root: Path, settings: ScanSettings) -> IgnoreRules:
    """The skip rules of the vault at ``root`` under ``settings``."""
    return IgnoreRules.for_vault(
        root,
        settings.exclude,
        skip_templates_folder=settings.skip_templates_folder,
        obsidian_excluded=settings.obsidian_excluded,
        skip_plugin_files=settings.skip_plugin_files,
    )
