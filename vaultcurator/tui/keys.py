"""The review screen's keys, once: the bindings, the help screen and the command palette all
come from :data:`REVIEW_KEYS` (the footer shows the bindings marked ``show``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class Key:
    key: str
    """Textual key name(s) for the binding."""
    action: str
    """The screen's action, or ``app.*`` for the app-wide commands (apply, undo, curate…)."""
    label: str
    """Short label: the footer's text and the palette's title."""
    help: str
    """What the key does, for the help screen and the palette."""
    section: str
    show: bool = True
    """In the footer."""
    palette: str | None = None
    """The command palette's title, when the action is offered there."""
    shown_as: str | None = None
    """How the help screen writes the key (default: the key itself)."""


REVIEW_KEYS: tuple[Key, ...] = (
    Key("a", "approve", "Approve", "approve the selected proposal", "Review",
        palette="Approve"),
    Key("r", "reject", "Reject", "reject the selected proposal", "Review", palette="Reject"),
    Key("e", "edit", "Edit", "edit its tags and description", "Review", palette="Edit"),
    Key("A", "approve_all", "All",
        "approve the pending proposals the filter shows (asks; rejected stay rejected)", "Review",
        palette="Approve all shown"),
    Key("p", "toggle_preview", "Preview",
        "preview: the frontmatter diff apply would write, and the note body", "Review",
        show=False, palette="Toggle preview"),
    Key("w", "app.apply", "Apply",
        "apply the approved proposals (asks first; conflicts are never overwritten)", "Write",
        palette="Apply approved"),
    Key("u", "app.undo", "Undo",
        "undo the last apply (asks first; restores the exact previous bytes)", "Write",
        show=False, palette="Undo last apply"),
    Key("c", "app.curate", "Curate", "start a curation run (changed notes, all, or a folder)",
        "Curate", palette="Start curation run"),
    Key("C", "app.recurate", "Re-curate", "re-curate the notes whose proposal conflicted on apply",
        "Curate", show=False, palette="Re-curate conflicts"),
    Key("J", "app.jobs", "Jobs", "jobs: running and pending batches, cancel and resume", "Curate",
        palette="Jobs"),
    Key("T", "app.taxonomy", "Taxonomy",
        "taxonomy: review the vault-wide tag plan (approve, reject, edit), apply, undo",
        "Curate", show=False, palette="Taxonomy plan"),
    Key("slash", "focus_search", "Filter", "filter by text (path, tags, description)",
        "Find and move", show=False, shown_as="/"),
    Key("f", "cycle_state_filter", "State filter", "cycle the state filter", "Find and move",
        show=False),
    Key("s", "cycle_sort", "Sort", "sort by the next column (or click a header)",
        "Find and move", show=False),
    Key("S", "reverse_sort", "Reverse sort", "reverse the order", "Find and move", show=False),
    Key("j", "cursor_down", "Down", "move down (also ↓; PgDn and End jump)", "Find and move",
        show=False),
    Key("k", "cursor_up", "Up", "move up (also ↑; PgUp and Home jump)", "Find and move",
        show=False),
    Key("escape", "focus_table", "Table", "back to the table", "Find and move", show=False),
    Key("question_mark", "app.help", "Help", "this help", "App", palette="Help", shown_as="?"),
    Key("X", "app.cancel_run", "Cancel run",
        "cancel the running curation job (from any screen; asks first)", "Curate", show=False,
        palette="Cancel the running curation"),
    Key("q", "app.quit", "Quit", "quit (asks while a curation run is on; ctrl+q too)", "App"),
)  # fmt: skip

PALETTE_KEY = ("ctrl+p", "command palette (every action by name)")


def review_bindings() -> list[Binding]:
    return [Binding(k.key, k.action, k.label, show=k.show) for k in REVIEW_KEYS]


def help_sections() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """``(section, [(key as shown, what it does)])`` in the table's order."""
    sections: dict[str, list[tuple[str, str]]] = {}
    for k in REVIEW_KEYS:
        sections.setdefault(k.section, []).append((k.shown_as or k.key, k.help))
    sections["App"].insert(-1, PALETTE_KEY)
    yield from sections.items()


def palette_entries() -> Iterator[tuple[str, str, str]]:
    """``(title, help, action)`` for the command palette."""
    for k in REVIEW_KEYS:
        if k.palette is not None:
            shown = k.shown_as or k.key
            yield k.palette, f"{k.help[:1].upper()}{k.help[1:]} ({shown})", k.action
