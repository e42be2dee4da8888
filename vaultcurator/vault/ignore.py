"""Which files and folders of a vault are not notes.

Always skipped: dot-folders and dot-files (``.obsidian/``, ``.trash/``, ``.git/``,
``.vaultcurator/`` …). Optionally skipped: the templates folder named by Obsidian's settings
(templates hold ``{{placeholders}}`` that are not valid YAML and must never be curated), and
the user's ``scan.exclude`` globs.

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


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    """Compiled skip rules; ask ``skips_dir`` before descending and ``skips_file`` per file."""

    patterns: tuple[re.Pattern[str], ...] = ()
    skipped_folders: tuple[str, ...] = ()

    @classmethod
    def build(cls, exclude: Iterable[str], skipped_folders: Iterable[str] = ()) -> IgnoreRules:
        return cls(
            patterns=tuple(glob_to_regex(p) for p in exclude if p.strip().strip("/")),
            skipped_folders=tuple(skipped_folders),
        )

    @classmethod
    def for_vault(
        cls, vault_root: Path, exclude: Iterable[str], *, skip_templates_folder: bool
    ) -> IgnoreRules:
        folders: list[str] = []
        if skip_templates_folder and (folder := templates_folder(vault_root)):
            folders.append(folder)
        return cls.build(exclude, folders)

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
