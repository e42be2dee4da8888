"""Typed messages: workers post results to the app (``post_message`` is thread-safe), and
screens post requests that bubble up to the app.

Workers never touch widgets; they compute with the core and post one of these. The app's
handlers, on the UI thread, update the screens.
"""

from __future__ import annotations

from textual.message import Message

from vaultcurator.review.apply import ApplyReport
from vaultcurator.review.undo import UndoSummary
from vaultcurator.store.proposals import Proposal
from vaultcurator.tui.jobs_model import JobsSnapshot


class ProposalsLoaded(Message):
    """Every reviewable proposal, fresh from the store."""

    def __init__(self, proposals: list[Proposal]) -> None:
        super().__init__()
        self.proposals = proposals


class PreviewLoaded(Message):
    """The note preview of one proposal: the frontmatter diff apply would write, and the body."""

    def __init__(self, proposal_id: int, diff_text: str, note: str, body: str) -> None:
        super().__init__()
        self.proposal_id = proposal_id
        self.diff_text = diff_text
        self.note = note
        """A remark about the diff (stale file, unreadable note), or empty."""
        self.body = body


class WorkProgress(Message):
    """``done`` of ``total`` steps of a long task (apply, curation)."""

    def __init__(self, done: int, total: int, detail: str = "") -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.detail = detail


class ApplyFinished(Message):
    def __init__(self, report: ApplyReport) -> None:
        super().__init__()
        self.report = report


class UndoFinished(Message):
    def __init__(self, summary: UndoSummary) -> None:
        super().__init__()
        self.summary = summary


class CurationFinished(Message):
    """A curation run ended; ``lines`` summarise it for the summary dialog."""

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title = title
        self.lines = lines


class JobsRefreshed(Message):
    def __init__(self, snapshot: JobsSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class JobActionDone(Message):
    """Cancel or resume of a job finished; ``text`` says what happened."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


# -- requests: a screen asks the app (the message bubbles from the screen up to the app) -------
#
# Screens never import the App class; they post one of these and the app's handler does the
# work (starts a worker, shows a dialog). App-wide commands (apply, undo, curate, jobs, help)
# are ``app.*`` actions in the screens' bindings instead (:mod:`vaultcurator.tui.keys`).


class ProposalsRequested(Message):
    """Load every reviewable proposal again (the answer is :class:`ProposalsLoaded`)."""


class PreviewRequested(Message):
    """Load the note preview of one proposal (the answer is :class:`PreviewLoaded`)."""

    def __init__(self, proposal: Proposal) -> None:
        super().__init__()
        self.proposal = proposal


class ActionFailed(Message):
    """A quick core call made by a screen failed: the app shows its error dialog."""

    def __init__(self, title: str, error: BaseException | str) -> None:
        super().__init__()
        self.title = title
        self.error = error


class JobsRequested(Message):
    """Build a fresh jobs snapshot (the answer is :class:`JobsRefreshed`)."""


class JobCancelRequested(Message):
    """Cancel job ``job_id`` (the app checks it is the newest unfinished one and asks first)."""

    def __init__(self, job_id: int) -> None:
        super().__init__()
        self.job_id = job_id


class JobResumeRequested(Message):
    """Resume job ``job_id`` (the app checks it is the newest unfinished one)."""

    def __init__(self, job_id: int) -> None:
        super().__init__()
        self.job_id = job_id


class RunProgress(Message):
    """A background curation run's progress: ``done`` of ``total`` (-1: only ``detail``)."""

    def __init__(self, done: int, total: int, detail: str = "") -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.detail = detail


class EstimateRequested(Message):
    """The curate dialog's choice changed: estimate its cost (answer: :class:`EstimateReady`).

    ``request`` is the dialog's ``CurateRequest`` (typed loosely: screens import messages)."""

    def __init__(self, request: object) -> None:
        super().__init__()
        self.request = request


class EstimateReady(Message):
    def __init__(self, request: object, text: str) -> None:
        super().__init__()
        self.request = request
        self.text = text
