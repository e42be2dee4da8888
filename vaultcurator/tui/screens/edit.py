"""The edit modal: change a proposal's tags and description, checked by the tag rules.

It validates as the reviewer types (through the review core's ``validate_tags``) and refuses
to close on an invalid tag; on save it returns an :class:`EditDraft` with ``dismiss``.
The app then saves it through the core (``review.actions.edit``).
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
from textual.widgets import Button, Input, Label, Static

from vaultcurator.review.actions import TagValidation, validate_tags
from vaultcurator.store.proposals import Proposal


@dataclass(frozen=True, slots=True)
class EditDraft:
    """What the reviewer decided; None fields were left as proposed."""

    proposal_id: int
    tags: list[str] | None
    description: str | None
    approve: bool


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

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog edit"):
            yield Label(Text(f"Edit {self.proposal.path}"), classes="dialog-title")
            yield Label("Tags (separated by spaces or commas)", classes="field-label")
            yield Input(self.initial_tags, id="tags", placeholder="topic/subtopic another-tag")
            yield Static("", id="tag-feedback")
            yield Label("Description (one line)", classes="field-label")
            yield Input(self.initial_description, id="description", placeholder="One line.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Save & approve", variant="success", id="save-approve")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
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
        self.action_save(False)

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
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
