"""Files a scan treats specially: plugin-owned ones, and names that are not valid UTF-8.

A plugin file (an Excalidraw drawing, a Kanban board) is a Markdown file holding a plugin's
data, not prose: curating it would write tags into a drawing. It is recognised by its
frontmatter (and, in :mod:`.ignore`, by the ``*.excalidraw.md`` name) and listed apart.

On POSIX a file name is bytes; Python hands undecodable ones over as surrogate escapes, which
cannot be stored, printed or sent anywhere. Such a note is reported invalid under a displayable
name and the rest of the vault goes on.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from vaultcurator.vault.model import Note

PLUGIN_PROPERTIES = {"excalidraw-plugin": "Excalidraw drawing", "kanban-plugin": "Kanban board"}
"""Frontmatter keys that mark a file as owned by a plugin (its data, not prose)."""


def plugin_owner(frontmatter: dict[str, Any]) -> str | None:
    """Why a note with this frontmatter is a plugin's file, or None for a prose note."""
    for key, what in PLUGIN_PROPERTIES.items():
        if key in frontmatter:
            return f"{what} (plugin file: {key} property)"
    return None


def split_plugin_files(
    notes: list[Note], *, keep: bool
) -> tuple[list[Note], list[tuple[str, str]]]:
    """``notes`` without plugin-owned ones, and those as ``(path, reason)``.

    With ``keep`` (the user turned ``scan.skip_plugin_files`` off) they stay, as ordinary notes.
    """
    if not any(n.status == "skipped" for n in notes):
        return notes, []
    kept: list[Note] = []
    owned: list[tuple[str, str]] = []
    for note in notes:
        if note.status != "skipped":
            kept.append(note)
        elif keep:
            note.status, note.error = "ok", None
            kept.append(note)
        else:
            owned.append((note.path, note.error or "plugin file"))
    return kept, owned


BAD_NAME = "path is not valid UTF-8 (shown with \\x escapes); rename it to curate it"


def encodable(os_path: str) -> bool:
    """False for a name the OS gave with undecodable bytes (surrogate escapes on POSIX)."""
    try:
        os_path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_name(name: str) -> str:
    """A name as valid text: undecodable bytes shown as ``\\xff`` escapes (never raises)."""
    if name.isascii() or encodable(name):
        return name
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def text_name(name: str) -> str:
    """A file name as the scan keys it: displayable (see :func:`display_name`), NFC."""
    return unicodedata.normalize("NFC", display_name(name))


def bad_name_note(index: int, rel: str, st: os.stat_result | None) -> Note:
    """The invalid note standing for a file whose name is not UTF-8 (never read or cached)."""
    mtime_ns, size = (st.st_mtime_ns, st.st_size) if st is not None else (0, 0)
    return Note(index, rel, "", mtime_ns, size, "invalid", BAD_NAME)
