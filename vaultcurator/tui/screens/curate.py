"""The "start a curation run" modal: scope (changed notes / all / a folder), engine, mode.

Opened with a list of conflicted notes (key ``C``), it offers one more scope, preselected:
just those notes, so re-curating them is one key and a confirmation away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static

from vaultcurator.tui.messages import EstimateRequested

ENGINES = (("Claude (Anthropic API)", "anthropic"), ("Local (offline)", "local"))
LOCAL_MODEL_ENGINE = ("Local model (OpenAI-compatible server)", "openai-compatible")
"""Offered when the settings choose it (``curation.engine = "openai-compatible"``)."""
DIALOG_HEIGHT = 0.9
"""The dialogs' max-height (app.tcss ``.dialog``)."""
DIALOG_CHROME = 10
"""Rows of the dialog that are not fields: borders, title, estimate (up to 2 lines), buttons,
margins."""
MIN_FIELDS_HEIGHT = 4
CONFLICTS_LISTED = 3
"""How many conflicted paths the modal names before "and N more"."""
NO_KEY_TEXT = "No ANTHROPIC_API_KEY is set: Claude needs one; the local engine runs offline."
MODES = (
    ("auto: real-time for a few notes, batch for many", "auto"),
    ("batch: Message Batches, half price", "batch"),
    ("realtime: concurrent requests", "realtime"),
    ("sync: one request at a time", "sync"),
)


@dataclass(frozen=True, slots=True)
class CurateRequest:
    scope: str
    """``changed``, ``all``, ``folder`` or ``conflicts``."""
    folder: str | None
    engine: str
    mode: str
    paths: frozenset[str] | None = None
    """The notes of the ``conflicts`` scope (the run is restricted to them)."""

    @property
    def all_notes(self) -> bool:
        """Conflicted notes are curated again even if their bytes were curated before."""
        return self.scope in ("all", "conflicts")

    @property
    def only(self) -> str | None:
        return self.folder if self.scope == "folder" else None


class CurateScreen(ModalScreen[CurateRequest | None]):
    DEFAULT_CSS = """
    CurateScreen #estimate { height: auto; max-height: 2; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        *,
        engine: str,
        mode: str,
        blink: bool = True,
        conflicts: Sequence[str] = (),
        has_key: bool = True,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.engines = ENGINES + ((LOCAL_MODEL_ENGINE,) if engine == LOCAL_MODEL_ENGINE[1] else ())
        self.engine = engine if engine in dict((v, k) for k, v in self.engines) else "anthropic"
        self.has_key = has_key
        """Whether ANTHROPIC_API_KEY is set; without it the dialog starts on the local engine."""
        if not has_key and self.engine == "anthropic":
            self.engine = "local"
        self.mode = mode if mode in dict((v, k) for k, v in MODES) else "auto"
        self.blink = blink
        self.conflicts = tuple(conflicts)
        """Conflicted notes to offer (and preselect) as the scope; empty for a plain run."""

    def compose(self) -> ComposeResult:
        conflicts = self.conflicts
        title = "Re-curate conflicted notes" if conflicts else "Start a curation run"
        with Vertical(classes="dialog curate"):
            yield Label(title, classes="dialog-title")
            # The fields scroll so that Start stays on screen at 80x24.
            with VerticalScroll(classes="dialog-fields"):
                if conflicts:
                    yield Static(_conflicts_text(conflicts), id="conflicts")
                yield Label("Notes", classes="field-label")
                with RadioSet(id="scope"):
                    if conflicts:
                        yield RadioButton(
                            f"The {len(conflicts)} conflicted note(s)",
                            value=True,
                            id="scope-conflicts",
                        )
                    yield RadioButton(
                        "Changed or new notes", value=not conflicts, id="scope-changed"
                    )
                    yield RadioButton("All notes", id="scope-all")
                    yield RadioButton("One folder:", id="scope-folder")
                yield Input(placeholder="Folder or glob, e.g. Journal or Reading/**", id="folder")
                yield Label("Engine", classes="field-label")
                yield Select(self.engines, value=self.engine, allow_blank=False, id="engine")
                if not self.has_key:
                    yield Static(NO_KEY_TEXT, id="no-key", classes="dim-note")
                yield Label("Mode", classes="field-label")
                yield Select(MODES, value=self.mode, allow_blank=False, id="mode")
                yield Static("", id="curate-error")
            yield Static("Estimating…", id="estimate")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Start", variant="primary", id="start")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#folder", Input).cursor_blink = self.blink
        self.query_one("#scope", RadioSet).focus()
        self._request_estimate()

    # -- the cost line: asked of the app whenever the choice changes --------------------------

    def choice(self) -> CurateRequest | None:
        """The request Start would make now (None while the folder scope has no folder)."""
        scope = self._scope()
        folder = self.query_one("#folder", Input).value.strip() or None
        if scope == "folder" and folder is None:
            return None
        return CurateRequest(
            scope=scope,
            folder=folder if scope == "folder" else None,
            engine=str(self.query_one("#engine", Select).value),
            mode=str(self.query_one("#mode", Select).value),
            paths=frozenset(self.conflicts) if scope == "conflicts" else None,
        )

    def _request_estimate(self) -> None:
        choice = self.choice()
        if choice is None:
            self.query_one("#estimate", Static).update("Name a folder to see its estimate.")
            return
        self.query_one("#estimate", Static).update("Estimating…")
        self.post_message(EstimateRequested(choice))

    def show_estimate(self, request: object, text: str) -> None:
        """The app's estimate for ``request``; ignored when the choice changed meanwhile."""
        if request == self.choice():
            self.query_one("#estimate", Static).update(text)

    def on_select_changed(self, event: Select.Changed) -> None:
        if self.is_mounted:
            self._request_estimate()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._request_estimate()

    def on_resize(self) -> None:
        # CSS cannot say "what the dialog's max-height leaves": title and buttons stay, the
        # fields scroll in the rest.
        room = int(self.size.height * DIALOG_HEIGHT) - DIALOG_CHROME
        self.query_one(".dialog-fields").styles.max_height = max(MIN_FIELDS_HEIGHT, room)

    def _scope(self) -> str:
        pressed = self.query_one("#scope", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return "changed"
        return pressed.id.removeprefix("scope-")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "folder" and event.value.strip():
            self.query_one("#scope-folder", RadioButton).value = True
        self._request_estimate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_start()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        choice = self.choice()
        if choice is None:
            self.query_one("#curate-error", Static).update("Name a folder (or pick another scope).")
            self.query_one("#folder", Input).focus()
            return
        if choice.engine == "anthropic" and not self.has_key:
            self.query_one("#curate-error", Static).update(NO_KEY_TEXT)
            return
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _conflicts_text(paths: Sequence[str]) -> str:
    """One line naming the first few conflicted notes."""
    named = ", ".join(paths[:CONFLICTS_LISTED])
    more = len(paths) - CONFLICTS_LISTED
    if more > 0:
        named += f" and {more} more"
    return f"Changed since their proposal was made: {named}."
