"""The one protocol every engine implements, and what an engine is given to run.

An engine answers a set of notes: it builds (or does not need) their requests, calls its
backend, and hands every outcome to the job's ledger as it arrives. The orchestrator
(:mod:`vaultcurator.pipeline.runner`) never branches on which engine it drives: it asks the
provider (:mod:`vaultcurator.engines.registry`) for the engine of a round and calls
:meth:`Engine.run`. Adding an engine means a class here-like and a registry entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from vaultcurator.config import CurationSettings, Settings
from vaultcurator.domain.jobs import JobOptions
from vaultcurator.domain.progress import NoteDone, ProgressCallback, ignore_progress
from vaultcurator.domain.requests import CurationRequest, RequestOutcome
from vaultcurator.store.ledger import JobLedger
from vaultcurator.vault.model import Inventory, Note

OutcomeParser = Callable[[str, Any, bool], RequestOutcome]
"""``(custom_id, message, via_batch) -> outcome``: validates a model reply (content side)."""


@dataclass(frozen=True, slots=True)
class PreparedNote:
    """One note ready to be curated: its job's custom_id, the note as scanned, its body.

    The runner checked that the note still has the bytes the job was planned from.
    """

    custom_id: str
    note: Note
    body: str


def no_checkpoint(event: str) -> None:
    """The default checkpoint: nothing happens.

    Tests inject one that kills the process at a named point (``batch_submitting``,
    ``batch_create_returned``, ``batch_created``) to prove resume never sends twice.
    """


@dataclass(slots=True)
class EngineSetup:
    """Everything an engine may need; each takes what it uses."""

    settings: CurationSettings
    """The job's settings (its model and max_tokens)."""
    options: JobOptions
    ledger: JobLedger
    inventory: Inventory
    vault_root: Path
    build: Callable[[PreparedNote], CurationRequest]
    """The Messages API request for a note (prompt, schema, cache breakpoints)."""
    parse: OutcomeParser
    progress: ProgressCallback = ignore_progress
    checkpoint: Callable[[str], None] = no_checkpoint
    deadline_at: float | None = None
    """Epoch seconds after which batches are canceled (None: no deadline, or it passed)."""
    app_settings: Settings = field(default_factory=Settings)
    """Every settings section (an engine with its own section, like ``openai``, reads it)."""


class Engine(Protocol):
    """One way of answering notes (sync, realtime, batch, local...)."""

    deadline_hit: bool
    """True once the engine stopped waiting because the job's deadline passed."""

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        """Answer ``total`` ``notes`` (``attempt`` 0 is the first round), each outcome
        recorded through the ledger the moment it arrives."""

    def settle(self) -> bool:
        """Finish what an earlier process left in flight (stored batches); True if any."""

    def cancel(self, poll_interval: float, wait: float) -> Canceled:
        """Stop what is in flight on the server, waiting up to ``wait`` s to keep its results."""


@dataclass(slots=True)
class Canceled:
    """What :meth:`Engine.cancel` stopped."""

    canceled: list[str] = field(default_factory=list)
    """Server-side ids (batches) that were asked to stop."""
    still_canceling: list[str] = field(default_factory=list)
    """Those that had not ended when the wait ran out (``resume`` fetches them)."""


class PerNoteEngine:
    """Base of engines that answer one note at a time (no state left in flight)."""

    deadline_hit = False

    def __init__(self, setup: EngineSetup) -> None:
        self.setup = setup

    @classmethod
    def from_setup(cls, setup: EngineSetup) -> PerNoteEngine:
        return cls(setup)

    def settle(self) -> bool:
        return False

    def cancel(self, poll_interval: float, wait: float) -> Canceled:
        return Canceled()  # nothing outlives the process that sent it


class PerNoteSink:
    """Records each outcome through the ledger and reports it as a :class:`NoteDone`."""

    def __init__(self, setup: EngineSetup, total: int) -> None:
        self.setup = setup
        self.total = total
        self._done = itertools.count(1)

    def __call__(self, path: str, outcome: RequestOutcome) -> None:
        self.setup.ledger.record(outcome)
        self.setup.progress(
            NoteDone(
                outcome.custom_id, path, outcome.kind, next(self._done), self.total, outcome.error
            )
        )
