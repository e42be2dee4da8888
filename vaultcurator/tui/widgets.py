"""The proposal table and the diff pane.

``ProposalTable`` is a DataTable tuned for 10,000 rows: every column has a fixed width (the
path column takes the space left), rows are one line, so nothing needs measuring; rows are
added in one go and a state change updates one cell instead of rebuilding the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellKey, RowKey

from vaultcurator.review.actions import ProposalRow, SortKey
from vaultcurator.tui.render import STATE_WIDTH, row_cells, state_text

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("path", "Note", 0),
    ("state", "State", STATE_WIDTH),
    ("tags", "Tags", 6),
    ("description", "Desc", 4),
    ("related", "Links", 6),
)
"""(key, label, width); width 0 is the path column, which fills what is left."""
SORT_KEYS: dict[str, SortKey] = {
    "path": "path",
    "state": "state",
    "tags": "tags",
    "description": "description",
    "related": "related",
}
MIN_PATH_WIDTH = 16


class ProposalTable(DataTable[RenderableType]):
    """One row per proposal, keyed by proposal id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._ids: list[int] = []
        self._index: dict[int, int] = {}
        self.sort_key: SortKey = "path"
        self.sort_reverse = False

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        if self.columns:
            return
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width or MIN_PATH_WIDTH)
        self._label_sort()

    # -- content --------------------------------------------------------------------------------

    @property
    def ids(self) -> Sequence[int]:
        """Proposal ids in display order."""
        return self._ids

    def set_rows(self, rows: Sequence[ProposalRow], *, keep: int | None = None) -> None:
        """Replace every row; the cursor stays on proposal ``keep`` when it is still shown."""
        self._ensure_columns()
        self.clear()
        self._ids = [r.id for r in rows]
        self._index = {pid: i for i, pid in enumerate(self._ids)}
        add_row = self.add_row
        for row in rows:
            add_row(*row_cells(row), key=str(row.id))
        if keep is not None and keep in self._index:
            self.move_cursor(row=self._index[keep], animate=False)

    def update_row(self, row: ProposalRow) -> None:
        """Show a proposal's new state and counts in place."""
        if row.id not in self._index:
            return
        key = str(row.id)
        for (column, _, _), cell in zip(COLUMNS, row_cells(row), strict=True):
            if column != "path":
                self.update_cell(key, column, cell)

    def set_state(self, proposal_id: int, state: str) -> None:
        if proposal_id in self._index:
            self.update_cell(str(proposal_id), "state", state_text(state))

    @property
    def current_id(self) -> int | None:
        if not self._ids or not (0 <= self.cursor_row < len(self._ids)):
            return None
        return self._ids[self.cursor_row]

    def select_id(self, proposal_id: int) -> None:
        if proposal_id in self._index:
            self.move_cursor(row=self._index[proposal_id], animate=False)

    # -- sorting labels -------------------------------------------------------------------------

    def set_sort(self, key: SortKey, reverse: bool) -> None:
        self.sort_key = key
        self.sort_reverse = reverse
        self._label_sort()

    def _label_sort(self) -> None:
        for column_key, label, _ in COLUMNS:
            column = self.columns.get(column_key)  # type: ignore[call-overload]
            if column is None:
                continue
            arrow = ""
            if SORT_KEYS[column_key] == self.sort_key:
                arrow = " ▼" if self.sort_reverse else " ▲"
            column.label = Text(label + arrow)
        self.refresh()

    # -- layout: fixed widths, no measuring -----------------------------------------------------

    def on_resize(self) -> None:
        self.fit_path_column()

    @property
    def path_width(self) -> int:
        path = self.columns.get("path")  # type: ignore[call-overload]
        return 0 if path is None else int(path.width)

    def fit_path_column(self) -> None:
        """Give the path column the width the other columns leave."""
        path = self.columns.get("path")  # type: ignore[call-overload]
        if path is None:
            return
        others = sum(c.get_render_width(self) for k, c in self.columns.items() if k != "path")
        scrollbar = self.styles.scrollbar_size_vertical
        width = max(MIN_PATH_WIDTH, self.size.width - others - scrollbar - 2 * self.cell_padding)
        if width != path.width:
            path.width = width
            # Column widths feed the render caches; a width change invalidates them.
            self._clear_caches()
            self._require_update_dimensions = True
            self.check_idle()
            self.refresh()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Skip measuring every cell when no column sizes itself to its content."""
        if any(c.auto_width for c in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(c.get_render_width(self) for c in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width, self._total_row_height + header)

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        """Fixed-width columns never change width, whatever a cell holds."""
        auto = {k for k, c in self.columns.items() if c.auto_width}
        if auto:
            super()._update_column_widths({c for c in updated_cells if c.column_key in auto})


class DiffPane(VerticalScroll):
    """The selected proposal's diff or (toggled with ``p``) the preview of the note in its
    place: below the diff it was out of sight in the short pane of an 80x24 terminal."""

    DEFAULT_CSS = """
    DiffPane > #preview { display: none; }
    DiffPane.preview > #preview { display: block; }
    DiffPane.preview > #diff { display: none; }
    """

    def compose(self) -> Iterable[Static]:
        yield Static("", id="diff")
        yield Static("", id="preview")

    def show_diff(self, renderable: RenderableType) -> None:
        self.query_one("#diff", Static).update(renderable)

    def show_preview(self, renderable: RenderableType) -> None:
        self.query_one("#preview", Static).update(renderable)

    @property
    def preview_visible(self) -> bool:
        return self.has_class("preview")


class RunLine(Static):
    """The running curation's one line (progress, elapsed, ETA, keys); hidden when idle."""

    DEFAULT_CSS = """
    RunLine { height: 1; display: none; background: $boost; color: $warning; padding: 0 1; }
    RunLine.on { display: block; }
    """

    def show_run(self, text: str | None) -> None:
        self.set_class(text is not None, "on")
        self.update(Text(text or "", no_wrap=True, overflow="ellipsis"))
