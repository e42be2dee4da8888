"""What the screens may ask of the app that hosts them: attributes down, requests up.

Screens never import the App class (that made ``app`` and ``screens`` import each other):
they see the app through this protocol, which :class:`~vaultcurator.tui.app.ReviewApp`
satisfies, and ask it to act (apply, undo, curate, show a screen). The app, in turn, talks
to a screen only through the screen's own methods, never its widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar, cast

from textual.app import App

from vaultcurator.store.proposals import Proposal
from vaultcurator.workspace import Workspace

T = TypeVar("T")


class ReviewHost(Protocol):
    """The app's side of the screens' contract (worker methods return their Worker)."""

    ws: Workspace
    blink: bool
    narrow_below: int

    def guard(self, what: str, action: Callable[[], T]) -> T | None: ...
    def load_proposals(self) -> object: ...
    def load_preview(self, proposal: Proposal) -> object: ...
    def confirm_apply(self) -> object: ...
    def confirm_undo(self) -> object: ...
    def ask_curation(self) -> object: ...
    def ask_recuration(self) -> object: ...
    def show_jobs(self) -> object: ...
    def show_help(self) -> object: ...
    def refresh_jobs(self) -> object: ...
    def confirm_cancel_job(self, job_id: int) -> object: ...
    def resume_job(self, job_id: int) -> object: ...


def host_of(app: App[object]) -> ReviewHost:
    """The running app as the screens see it."""
    return cast(ReviewHost, app)
