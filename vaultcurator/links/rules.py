"""Obsidian's rules for related links that are not about similarity.

* Templates and files that are not prose (Excalidraw drawings, Kanban boards) get no related
  list and are never proposed as one: a template's links would be copied into every note made
  from it, and a drawing's text is not what it is about.
* At apply time every entry is resolved again (:mod:`vaultcurator.review.related_fix`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{[^{}\n]{1,80}\}\}|<%[^%\n]{0,200}%>")
_PLUGIN_KEYS = ("excalidraw-plugin", "kanban-plugin")


def is_template_or_drawing(path: str, frontmatter: Mapping[str, Any], body: str | None) -> bool:
    """A template (in a ``Templates`` folder, named ``Template…``, or full of ``{{...}}``
    placeholders) or a plugin-owned file (Excalidraw, Kanban)."""
    lowered = path.casefold()
    parts = lowered.split("/")
    if any(part in ("templates", "template", "_templates") for part in parts[:-1]):
        return True
    name = parts[-1]
    if name.startswith("template") or name.endswith((".excalidraw.md", ".kanban.md")):
        return True
    if any(key in frontmatter for key in _PLUGIN_KEYS):
        return True
    return bool(body) and len(_PLACEHOLDER.findall(body or "")) >= 2
