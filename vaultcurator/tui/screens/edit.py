"""The edit modal: change a proposal's tags, description and related links.

It validates as the reviewer types (through the review core's ``validate_tags``) and refuses
to close on an invalid tag; on save it returns an :class:`EditDraft` with ``dismiss``.
The app then saves it through the core (``review.actions.edit``). Related links are a list
to tick (space or a click unticks one to remove it) and a field that adds a note by name on
Enter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList, Static

from vaultcurator.review.actions import TagValidation, validate_tags
from vaultcurator.store.proposals import Proposal


@dataclass(frozen=True, slots=True)
class EditDraft:
    """What the reviewer decided; None fields were left as proposed."""

    proposal_id: int
    tags: list[str] | None
    description: str | None
    approve: bool
    related: list[str] | None = None
    """The related list as kept and added to; None when left as proposed."""


class EditScreen(ModalScreen[EditDraft | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save(False)", "Save"),
        Binding("ctrl+a", "save(True)", "Save & approve"),
    ]

    def __init__(
        self, proposal: Proposal, *, known_tags: Sequence[str] = (), blink: bool = True
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.proposal = proposal
        self.known_tags = list(known_tags)
        self.blink = blink
        shown = proposal.new_tags if proposal.new_tags is not None else proposal.old_tags
        self.initial_tags = " ".join(shown or [])
        self.initial_description = (
            proposal.new_description if proposal.has_description else proposal.old_description
        ) or ""
        related = proposal.new_related if proposal.new_related is not None else proposal.old_related
        self.initial_related = list(related or [])
        self.related_entries = list(self.initial_related)
        """Every entry shown, in order."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog edit"):
            yield Label(Text(f"Edit {self.proposal.path}"), classes="dialog-title")
            yield Label("Tags (separated by spaces or commas)", classes="field-label")
            yield Input(self.initial_tags, id="tags", placeholder="topic/subtopic another-tag")
            yield Static("", id="tag-feedback")
            yield Label("Description (one line)", classes="field-label")
            yield Input(self.initial_description, id="description", placeholder="One line.")
            yield Label(
                "Related links (untick to remove; a note name + Enter adds one)",
                classes="field-label",
            )
            yield SelectionList[str](
                *((Text(entry), entry, True) for entry in self.related_entries),
                id="related-list",
                compact=True,
            )
            yield Input("", id="related-add", placeholder="Note name")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Save & approve", variant="success", id="save-approve")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        listing = self.query_one("#related-list", SelectionList)
        listing.styles.height = "auto"
        listing.styles.max_height = 6  # a long list scrolls; the buttons stay in view
        for field in self.query(Input):
            field.cursor_blink = self.blink
        self.query_one("#tags", Input).focus()

    def validation(self) -> TagValidation:
        known = [*self.known_tags, *(self.proposal.old_tags or []), *(self.proposal.new_tags or [])]
        return validate_tags(self.query_one("#tags", Input).value, existing=known)

    def _show(self, result: TagValidation) -> None:
        feedback = self.query_one("#tag-feedback", Static)
        text = Text()
        for raw, why in result.rejected:
            text.append(f"✗ {raw!r} is not a valid tag: {why}\n", style="bold red")
        for raw, new in result.changed:
            text.append(f"→ {raw!r} will be saved as {new!r}\n", style="yellow")
        feedback.update(text)
        feedback.set_class(not result.ok, "invalid")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "tags":
            self._show(self.validation())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "related-add":
            self.add_related(event.input.value)
            event.input.value = ""
            return
        self.action_save(False)

    @staticmethod
    def entry_of(typed: str) -> str | None:
        """A related entry from what was typed: a ``[[link]]`` as is, a name as its link."""
        name = typed.strip()
        if not name.strip("[]| "):
            return None
        return name if "[[" in name else f"[[{name.strip('[]| ')}]]"

    def add_related(self, typed: str) -> None:
        """Add ``typed`` (a note name, or a ``[[link]]``) as a checked related entry."""
        entry = self.entry_of(typed)
        if entry is None or entry in self.related_entries:
            return
        self.related_entries.append(entry)
        self.related_list.add_option((Text(entry), entry, True))

    @property
    def related_list(self) -> SelectionList[str]:
        found: SelectionList[str] = self.query_one("#related-list", SelectionList)
        return found

    def related_value(self) -> list[str] | None:
        """The kept and added entries; None when nothing changed."""
        ticked = set(self.related_list.selected)
        kept = [entry for entry in self.related_entries if entry in ticked]
        pending = self.entry_of(self.query_one("#related-add", Input).value)
        if pending is not None and pending not in kept:
            kept.append(pending)  # typed but Enter not pressed: still meant
        return None if kept == self.initial_related else kept

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_save(event.button.id == "save-approve")

    def action_save(self, approve: bool) -> None:
        result = self.validation()
        if not result.ok:
            self._show(result)
            self.query_one("#tags", Input).focus()
            return
        tags_text = self.query_one("#tags", Input).value
        description = self.query_one("#description", Input).value
        self.dismiss(
            EditDraft(
                proposal_id=self.proposal.id,
                tags=None if tags_text == self.initial_tags else result.tags,
                description=None if description == self.initial_description else description,
                approve=approve,
                related=self.related_value(),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
