"""The main screen: the proposal table, its filters, and the selected note's diff.

Reviewer decisions (approve, reject, edit, approve all shown) are single quick store updates
done here through the review core; long work (loads, previews) is asked of the app with a
message (:mod:`vaultcurator.tui.messages`) and app-wide commands (apply, undo, curation, jobs,
help) are ``app.*`` actions in the bindings. The screen never imports the App class: what it
needs from the app (the store, blinking, the narrow width) is handed down in its constructor.
Filtering and sorting are the core's helpers; this screen only keeps the loaded proposals and
shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from typing import ClassVar, TypeVar, cast

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Select

from vaultcurator.review.actions import (
    REVIEWABLE,
    ActionResult,
    ProposalRow,
    SortKey,
    approve,
    approve_all,
    bulk_counts,
    edit,
    filter_proposals,
    reject,
    rows_for,
    sort_rows,
)
from vaultcurator.review.diff import block_rewritten, proposal_diff
from vaultcurator.store.db import Store
from vaultcurator.store.proposals import Proposal, get_proposal
from vaultcurator.tui.keys import review_bindings
from vaultcurator.tui.messages import (
    ActionFailed,
    PreviewLoaded,
    PreviewRequested,
    ProposalsRequested,
)
from vaultcurator.tui.render import diff_renderable, unified_diff_text
from vaultcurator.tui.screens.edit import EditDraft, EditScreen
from vaultcurator.tui.screens.modals import ConfirmScreen
from vaultcurator.tui.widgets import COLUMNS, SORT_KEYS, DiffPane, ProposalTable, RunLine

PREVIEW_BODY_CHARS = 4000

STATE_FILTERS: tuple[tuple[str, str], ...] = (
    ("To review", "open"),
    ("Pending", "pending"),
    ("Approved", "approved"),
    ("Rejected", "rejected"),
    ("Conflict", "conflict"),
    ("Failed", "failed"),
    ("Applied", "applied"),
    ("All", "all"),
)
"""(label, value) of the state filter; "open" is what still needs a decision or attention."""
SORT_CYCLE: tuple[SortKey, ...] = ("path", "state", "tags", "description", "related")
FILTER_DELAY = 0.15
"""Seconds of quiet typing before the text filter runs (Enter runs it at once)."""
T = TypeVar("T")


def states_for(value: str) -> tuple[str, ...] | None:
    if value == "open":
        return REVIEWABLE
    if value == "all":
        return None
    return (value,)


class ReviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(review_bindings())

    def __init__(self, store: Store, *, blink: bool = True, narrow_below: int = 0) -> None:
        super().__init__(id="review")
        self.store = store
        """Where the reviewer's quick decisions are written (the app's workspace store)."""
        self.blink = blink
        self.narrow_below = narrow_below
        """Below this many columns the diff pane goes under the table."""
        self.proposals: dict[int, Proposal] = {}
        self.rows: dict[int, ProposalRow] = {}
        self.state_filter = "open"
        self.text_filter = ""
        self.loaded = False
        self._filter_timer: Timer | None = None
        self._shown_diff: int | None = None

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Select(STATE_FILTERS, value="open", allow_blank=False, id="state-filter")
            yield Input(placeholder="/ filter: path, tag or text", id="search")
        with Horizontal(id="main"):
            yield ProposalTable(id="proposals")
            yield DiffPane(id="diff-pane")
        yield RunLine(id="run-status")
        # At 80 columns the footer holds a r e A w c J ? q; ctrl+p, u and C are in the help.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#search", Input).cursor_blink = self.blink
        self.table.focus()
        self.query_one("#diff-pane", DiffPane).show_diff(Text("Loading proposals…"))
        self.post_message(ProposalsRequested())

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.narrow_below, "narrow")

    def show_run(self, text: str | None) -> None:
        """The running curation's line under the table (None: no run)."""
        for line in self.query("#run-status").results(RunLine):  # none once the app closes
            line.show_run(text)

    @property
    def table(self) -> ProposalTable:
        return self.query_one("#proposals", ProposalTable)

    @property
    def diff_pane(self) -> DiffPane:
        return self.query_one("#diff-pane", DiffPane)

    # -- data -----------------------------------------------------------------------------------

    def show_proposals(self, proposals: Iterable[Proposal]) -> None:
        """Take a fresh load from the store and redraw, keeping the cursor's proposal."""
        items = list(proposals)
        self.proposals = {p.id: p for p in items}
        self.rows = {r.id: r for r in rows_for(items)}
        self.loaded = True
        self.refilter()

    def refilter(self) -> None:
        """Run the core's filter and sort over the loaded proposals and refill the table."""
        table = self.table
        keep = table.current_id
        shown = filter_proposals(
            self.proposals.values(), states=states_for(self.state_filter), text=self.text_filter
        )
        rows = sort_rows(
            (self.rows[p.id] for p in shown), table.sort_key, reverse=table.sort_reverse
        )
        table.set_rows(rows, keep=keep)
        self._update_subtitle()
        self.show_current_diff(force=True)

    def refresh_proposal(self, proposal_id: int) -> None:
        """Re-read one proposal after an action and update its row and diff in place."""
        proposal = get_proposal(self.store, proposal_id)
        if proposal is None:
            return
        self.proposals[proposal_id] = proposal
        row = ProposalRow.from_proposal(proposal)
        self.rows[proposal_id] = row
        self.table.update_row(row)
        if self.table.current_id == proposal_id:
            self.show_current_diff(force=True)

    def _update_subtitle(self) -> None:
        counts = Counter(p.state for p in self.proposals.values())
        parts = [f"{counts[s]} {s}" for s in REVIEWABLE if counts[s]]
        if counts["applied"]:
            parts.append(f"{counts['applied']} applied")
        summary = " · ".join(parts) if parts else "no proposals"
        self.sub_title = f"{summary} · showing {len(self.table.ids)}"

    @property
    def current(self) -> Proposal | None:
        pid = self.table.current_id
        return None if pid is None else self.proposals.get(pid)

    @property
    def shown_ids(self) -> list[int]:
        return list(self.table.ids)

    # -- diff pane ------------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_current_diff()

    def show_current_diff(self, *, force: bool = False) -> None:
        proposal = self.current
        pane = self.diff_pane
        if proposal is None:
            self._shown_diff = None
            if not self.loaded:
                return
            message = "No proposals yet. Press c to start a curation run."
            if self.proposals:
                message = "No proposal matches the filter."
            pane.show_diff(Text(message))
            pane.show_preview(Text(""))
            return
        if proposal.id == self._shown_diff and not force:
            return
        self._shown_diff = proposal.id
        pane.show_diff(diff_renderable(proposal_diff(proposal)))
        pane.scroll_home(animate=False)
        if pane.preview_visible:
            pane.show_preview(Text("Loading preview…", style="dim"))
            self.post_message(PreviewRequested(proposal))

    def show_preview(self, message: PreviewLoaded) -> None:
        """Show a loaded preview, unless the cursor moved to another proposal meanwhile."""
        if self.table.current_id != message.proposal_id:
            return
        parts: list[RenderableType] = [Text("What apply would write", style="bold underline")]
        if message.note:
            parts.append(Text(message.note, style="bold magenta"))
        proposal = self.proposals.get(message.proposal_id)
        tags = proposal_diff(proposal).tags if proposal is not None else None
        if tags is not None and tags.same_values and block_rewritten(message.diff_text, "tags"):
            parts.append(
                Text("The tags block is rewritten: same tags, new order or style.", "yellow")
            )
        parts.append(
            unified_diff_text(message.diff_text) if message.diff_text else Text("(no change)")
        )
        parts.append(Text("Note", style="bold underline"))
        body = message.body
        if len(body) > PREVIEW_BODY_CHARS:
            body = body[:PREVIEW_BODY_CHARS] + "\n…"
        parts.append(Text(body or "(empty body)", style="" if body else "dim"))
        self.diff_pane.show_preview(Group(*parts))

    def action_toggle_preview(self) -> None:
        pane = self.diff_pane
        pane.toggle_class("preview")
        if pane.preview_visible and self.current is not None:
            self.show_current_diff(force=True)

    # -- reviewer actions -----------------------------------------------------------------------

    def _guard(self, what: str, action: Callable[[], T]) -> T | None:
        """Run a quick core call; a failure goes up to the app's error dialog."""
        try:
            return action()
        except Exception as exc:  # every failure is shown; the app keeps running
            self.post_message(ActionFailed(what, exc))
            return None

    def _act(self, what: str, action: Callable[[], ActionResult]) -> ActionResult | None:
        result = self._guard(what, action)
        if result is None:
            return None
        for pid in result.changed:
            self.refresh_proposal(pid)
        self._update_subtitle()
        return result

    def _decide(self, verb: str, fn: Callable[..., ActionResult]) -> None:
        proposal = self.current
        if proposal is None:
            self.notify("No proposal selected.", severity="warning")
            return
        store = self.store
        result = self._act(f"{verb} failed", lambda: fn(store, [proposal.id]))
        if result is None:
            return
        if result.skipped:
            self.notify(
                f"{proposal.path}: {result.skipped[0][1]}; not changed.", severity="warning"
            )
            return
        self.table.action_cursor_down()

    def action_approve(self) -> None:
        self._decide("Approve", approve)

    def action_reject(self) -> None:
        self._decide("Reject", reject)

    def action_approve_all(self) -> None:
        """``A``: approve the *pending* rows the filter shows, after a confirmation that says
        how many, and that rejected ones stay rejected."""
        ids = self.shown_ids
        store = self.store
        counts = self._guard("Approve all failed", lambda: bulk_counts(store, ids))
        if counts is None:
            return
        pending = counts.get("pending", 0)
        if not pending:
            self.notify("No pending proposal among those shown.", severity="warning")
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Approve {pending} pending proposal(s)?", approve_all_body(counts), yes="Approve"
            ),
            partial(self._approve_all_confirmed, ids),
        )

    def _approve_all_confirmed(self, ids: list[int], yes: bool | None) -> None:
        if not yes:
            return
        store = self.store
        result = self._act("Approve all failed", lambda: approve_all(store, ids))
        if result is None:
            return
        rejected = sum(1 for _, why in result.skipped if why == "is rejected")
        text = f"Approved {result.count} pending proposal(s)."
        if rejected:
            text += f" {rejected} rejected stay rejected."
        self.notify(text)

    def action_edit(self) -> None:
        proposal = self.current
        if proposal is None:
            self.notify("No proposal selected.", severity="warning")
            return
        if proposal.state not in ("pending", "approved", "rejected"):
            self.notify(f"A {proposal.state} proposal cannot be edited.", severity="warning")
            return
        known = sorted({t for p in self.proposals.values() for t in (p.new_tags or [])})
        self.app.push_screen(
            EditScreen(proposal, known_tags=known, blink=self.blink),
            self._save_edit,
        )

    def _save_edit(self, request: EditDraft | None) -> None:
        if request is None:
            return
        store = self.store
        outcome = self._guard(
            "Edit failed",
            lambda: edit(
                store,
                request.proposal_id,
                tags=request.tags,
                description=request.description,
                related=request.related,
                strict=True,
                approve_after=request.approve,
            ),
        )
        if outcome is None:
            return
        self.refresh_proposal(request.proposal_id)
        self._update_subtitle()
        self.notify("Saved and approved." if request.approve else "Saved.")

    # -- app-level work: apply, undo, curate, jobs and help are ``app.*`` actions (keys.py) ----

    # -- filtering, sorting, moving -------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "state-filter" and event.value != self.state_filter:
            self.state_filter = str(event.value)
            if self.loaded:
                self.refilter()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search":
            return
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._apply_text_filter)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self._apply_text_filter()
            self.table.focus()

    def _apply_text_filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        text = self.query_one("#search", Input).value
        if text != self.text_filter:
            self.text_filter = text
            if self.loaded:
                self.refilter()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_cycle_state_filter(self) -> None:
        values = [v for _, v in STATE_FILTERS]
        nxt = values[(values.index(self.state_filter) + 1) % len(values)]
        cast(Select[str], self.query_one("#state-filter", Select)).value = nxt

    def sort_by(self, key: SortKey, reverse: bool | None = None) -> None:
        table = self.table
        if reverse is None:
            reverse = not table.sort_reverse if key == table.sort_key else False
        table.set_sort(key, reverse)
        if self.loaded:
            self.refilter()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        if key in SORT_KEYS:
            self.sort_by(SORT_KEYS[key])

    def action_cycle_sort(self) -> None:
        current = SORT_CYCLE.index(self.table.sort_key)
        self.sort_by(SORT_CYCLE[(current + 1) % len(SORT_CYCLE)], reverse=False)

    def action_reverse_sort(self) -> None:
        self.sort_by(self.table.sort_key, reverse=not self.table.sort_reverse)

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()


def approve_all_body(counts: dict[str, int]) -> Text:
    """What ``A`` will do to the shown rows, state by state."""
    pending = counts.get("pending", 0)
    lines = [Text.assemble((f"{pending} pending", "bold green"), " proposal(s) become approved.")]
    if counts.get("rejected"):
        lines.append(
            Text.assemble((f"{counts['rejected']} rejected", "bold red"), " stay rejected.")
        )
    if counts.get("approved"):
        lines.append(Text(f"{counts['approved']} already approved."))
    others = sum(n for s, n in counts.items() if s not in ("pending", "rejected", "approved"))
    if others:
        lines.append(Text(f"{others} conflict, failed or applied are left alone."))
    lines.append(Text("Nothing is written before w (apply).", style="dim"))
    return Text("\n").join(lines)


__all__ = ["COLUMNS", "STATE_FILTERS", "ReviewScreen", "states_for"]
