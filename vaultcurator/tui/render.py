"""Rich renderables for the review screen: table cells and the diff pane.

Presentation only: the numbers and the diff itself come from the review core
(:class:`~vaultcurator.review.actions.ProposalRow`,
:func:`~vaultcurator.review.diff.proposal_diff`). Every user string goes into ``Text`` as
plain text, never as markup, so a note called ``[draft].md`` shows as it is.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text

from vaultcurator.review.actions import ProposalRow
from vaultcurator.review.diff import ListChange, ProposalDiff

STATE_STYLES: dict[str, str] = {
    "pending": "yellow",
    "approved": "bold green",
    "rejected": "red",
    "conflict": "bold magenta",
    "applied": "cyan",
    "failed": "bold red",
    "superseded": "dim",
}
ADDED = "green"
REMOVED = "red"
KEPT = "dim"
STATE_WIDTH = 8


def state_text(state: str) -> Text:
    return Text(state, style=STATE_STYLES.get(state, ""), no_wrap=True)


def counts_text(added: int, removed: int) -> Text:
    """``+2 −1`` with the additions green and the removals red (empty when unchanged)."""
    text = Text(no_wrap=True)
    if added:
        text.append(f"+{added}", style=ADDED)
    if removed:
        if added:
            text.append(" ")
        text.append(f"−{removed}", style=REMOVED)
    return text


def middle_ellipsis(path: str, width: int) -> str:
    """``path`` in ``width`` cells, cut in the middle so the file name stays whole: rows of
    long paths that differ only at the end must not look identical."""
    if len(path) <= width:
        return path
    if width <= 1:
        return "…"[:width]
    _folder, slash, name = path.rpartition("/")
    tail = f"/{name}" if slash else name
    if len(tail) + 1 < width:
        return path[: width - 1 - len(tail)] + "…" + tail
    keep = min(8, width - 2)  # a name longer than the cell: its start and its end (".md")
    return name[: width - 1 - keep] + "…" + name[len(name) - keep :]


class MiddlePath:
    """A table cell that fits its path to the column's width at render time (the column
    width changes with the terminal; the cell need not be rebuilt)."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    @property
    def plain(self) -> str:
        return self.path

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(middle_ellipsis(self.path, options.max_width), no_wrap=True)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, len(self.path))


def row_cells(row: ProposalRow) -> tuple[RenderableType, ...]:
    """Path, state, tag changes, description changed, related-link changes."""
    return (
        MiddlePath(row.path),
        state_text(row.state),
        counts_text(row.tags_added, row.tags_removed),
        Text("✎", style="bold") if row.description_changed else Text(""),
        counts_text(row.related_added, row.related_removed),
    )


def _list_section(title: str, change: ListChange | None, untouched: str) -> list[Text]:
    lines = [Text(title, style="bold underline")]
    if change is None:
        lines.append(Text(f"  {untouched}", style=KEPT))
        return lines
    if not change.changed:
        lines.append(Text("  (same values; p shows whether apply restyles the block)", style=KEPT))
    elif change.reordered:
        lines.append(Text("  (same values, reordered)", style="yellow"))
    elif change.respelled:
        lines.append(Text("  (same values, new spelling)", style="yellow"))
    for value in change.added:
        lines.append(Text.assemble(("  + ", ADDED), (value, f"bold {ADDED}")))
    for value in change.removed:
        why = change.reason(value)  # the proposal says why an author's tag leaves
        reason = (f"  {why}", "dim") if why else ("", "")
        lines.append(Text.assemble(("  − ", REMOVED), (value, f"strike {REMOVED}"), reason))
    for value, why in change.reasons:  # a respelling (HUB -> hub) is not a removal
        if value not in change.removed:
            lines.append(Text.assemble(("  ~ ", "yellow"), (value, "yellow"), (f"  {why}", "dim")))
    for value in change.kept:
        lines.append(Text.assemble(("    ", ""), (value, KEPT)))
    return lines


def _description_section(diff: ProposalDiff) -> list[Text]:
    lines = [Text("Description", style="bold underline")]
    old = diff.description_old or ""
    if not diff.description_touched:
        lines.append(Text("  not part of this proposal", style=KEPT))
        if old:
            lines.append(Text(f"    {old}", style=KEPT))
        return lines
    new = diff.description_new or ""
    if not diff.description_changed:
        lines.append(Text(f"    {new}" if new else "  (unchanged, empty)", style=KEPT))
        return lines
    lines.append(Text.assemble(("  − ", REMOVED), (old or "(none)", REMOVED)))
    lines.append(Text.assemble(("  + ", ADDED), (new or "(none)", ADDED)))
    return lines


def diff_renderable(diff: ProposalDiff) -> RenderableType:
    """The diff pane: the note, its state, then tags, description and related links."""
    header = Text.assemble((diff.path, "bold"), "  ", state_text(diff.state))
    parts: list[RenderableType] = [header]
    if diff.error:
        parts.append(Text(f"⚠ {diff.error}", style=STATE_STYLES["conflict"]))
    if not diff.changes_anything:
        parts.append(Text("This proposal changes nothing.", style=KEPT))
    parts.append(Text(""))
    parts.extend(_list_section("Tags", diff.tags, "not part of this proposal"))
    parts.append(Text(""))
    parts.extend(_description_section(diff))
    parts.append(Text(""))
    parts.extend(_list_section("Related", diff.related, "not part of this proposal"))
    return Group(*parts)


def unified_diff_text(text: str) -> Text:
    """A unified diff, coloured line by line."""
    out = Text()
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = ADDED
        elif line.startswith("-"):
            style = REMOVED
        elif line.startswith("@@"):
            style = "cyan"
        else:
            style = ""
        out.append(line + "\n", style=style)
    return out
