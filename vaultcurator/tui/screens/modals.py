"""Small modal screens: confirm, message / error, progress with a summary, and help."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Static

from vaultcurator.tui.keys import help_sections


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; dismisses with True for yes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, body: RenderableType, yes: str = "Yes") -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._body = body
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            yield Static(self._body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._yes, variant="primary", id="yes")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class MessageScreen(ModalScreen[None]):
    """A message with one OK button (errors use the ``error`` variant)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, body: RenderableType, *, error: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._body = body
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error" if self.error else "dialog"):
            yield Label(self._title, classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(self._body, classes="dialog-body", id="message-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="error" if self.error else "primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ErrorScreen(MessageScreen):
    """The one error dialog: a worker or an action failed; the app keeps running."""

    def __init__(self, title: str, error: BaseException | str) -> None:
        detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        super().__init__(title, Text(detail), error=True)


class ProgressScreen(ModalScreen[None]):
    """A long task (apply, undo, curation): a progress bar, then its summary and OK."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(self, title: str) -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self.finished = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title", id="progress-title")
            yield ProgressBar(total=None, show_eta=False, id="progress-bar")
            yield Static("", classes="dialog-body", id="progress-detail")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static("", classes="dialog-body", id="progress-summary")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok", disabled=True)

    def set_progress(self, done: int, total: int, detail: str = "") -> None:
        bar = self.query_one("#progress-bar", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        self.query_one("#progress-detail", Static).update(
            Text(f"{done} / {total}" + (f"  {detail}" if detail else ""))
        )

    def finish(self, title: str, summary: RenderableType) -> None:
        """Show the summary and let the user close the dialog."""
        self.finished = True
        self.query_one("#progress-title", Label).update(title)
        bar = self.query_one("#progress-bar", ProgressBar)
        if bar.total is None:
            bar.update(total=1, progress=1)
        else:
            bar.update(progress=bar.total)
        self.query_one("#progress-summary", Static).update(summary)
        ok = self.query_one("#ok", Button)
        ok.disabled = False
        ok.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.finished:
            self.dismiss(None)

    def action_close(self) -> None:
        if self.finished:
            self.dismiss(None)


def help_table() -> Table:
    """Every key, by section, as a grid: a wrapped description keeps its indent."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=9, no_wrap=True)
    grid.add_column(ratio=1)
    for title, keys in help_sections():
        grid.add_row(Text(title, style="bold underline"), "")
        for key, what in keys:
            grid.add_row(Text(f"  {key}", style="bold"), Text(what))
        grid.add_row("", "")
    return grid


class HelpScreen(ModalScreen[None]):
    """Every key. The text has the focus, so arrows and PgUp/PgDn scroll it at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,enter", "close", "Close")
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys  (↑↓ PgUp PgDn scroll · esc closes)", classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll", id="help-scroll"):
                yield Static(help_table(), id="help-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
