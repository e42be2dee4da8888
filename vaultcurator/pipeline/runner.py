"""Driving one curation job to its end, whatever engine answers it.

Driving is a loop of *rounds*: each round takes the requests that still need an answer
(never sent, lost in flight, canceled by a deadline, or failed with a retryable error and
attempts left), asks the job's provider which engine should send them
(:mod:`vaultcurator.engines.registry`) and runs that engine through the one
:class:`~vaultcurator.engines.base.Engine` protocol. Every outcome is persisted the moment it
arrives. The runner is shared by ``curate`` and ``resume``.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from vaultcurator.config import MODE_NAMES, TAG_POLICY_NAMES, ModeName
from vaultcurator.curation.answers import outcome_from_message
from vaultcurator.curation.cost import job_cost
from vaultcurator.curation.estimate import MESSAGE_OVERHEAD_TOKENS
from vaultcurator.curation.prompts import approx_tokens
from vaultcurator.curation.requests import (
    SCHEMA_OVERHEAD_TOKENS,
    PromptContext,
    build_request,
    load_body,
)
from vaultcurator.curation.tag_policy import policy_for
from vaultcurator.domain.jobs import Job, JobStatus, MappedRequest
from vaultcurator.domain.progress import Notice, ProgressCallback, RoundStarted, ignore_progress
from vaultcurator.domain.requests import CurationRequest, RequestOutcome, is_retryable
from vaultcurator.engines.base import Engine, EngineSetup, PreparedNote, no_checkpoint
from vaultcurator.engines.registry import provider
from vaultcurator.pipeline.costing import CostCapReached, SpendGuard, stored_calibration
from vaultcurator.pipeline.report import CurationReport, report_for_job
from vaultcurator.store import jobs
from vaultcurator.store.ledger import JobLedger
from vaultcurator.store.taxonomy import approved_plan
from vaultcurator.vault.model import Inventory
from vaultcurator.workspace import Workspace

NOTE_CHANGED = "changed on disk since it was scanned; run curate again to include it"


def _as_mode(stored: str, default: ModeName) -> ModeName:
    """The job's stored mode as a Claude mode (the offline engine stores its own name)."""
    for mode in MODE_NAMES:
        if mode == stored:
            return mode
    return default


class JobRunner:
    """Drives one job until every request is answered, failed for good, or the job stops."""

    checkpoint: Callable[[str], None] = staticmethod(no_checkpoint)
    """Named points in the batch path; tests replace it to kill the process there."""

    def __init__(
        self,
        ws: Workspace,
        job: Job,
        inventory: Inventory,
        progress: ProgressCallback = ignore_progress,
    ) -> None:
        self.ws = ws
        self.job = job
        self.inventory = inventory
        self.progress = progress
        self.opts = job.options
        self.provider = provider(job.engine)
        self.settings = dataclasses.replace(
            ws.settings.curation,
            model=job.model or ws.settings.curation.model,
            max_tokens=self.opts.max_tokens,
            tag_policy=next(
                (p for p in TAG_POLICY_NAMES if p == self.opts.tag_policy),
                ws.settings.curation.tag_policy,
            ),
            max_tags=self.opts.max_tags or ws.settings.curation.max_tags,
        )
        self.by_path = inventory.by_path()
        # The approved taxonomy, if any: the prompt's vocabulary and the answers' renames.
        plan = approved_plan(ws.store)
        vocabulary = None if plan is None else plan.tags
        self.tag_policy = policy_for(
            self.settings,
            None if plan is None else plan.rename_map(),
            None if vocabulary is None else [tag for tag, _ in vocabulary],
        )
        # The job's own request count and mode: the prefix (and whether it is grown to be
        # cached) stays the same when the job is resumed.
        requests = sum(jobs.status_counts(ws.store, job.id).values())
        calibration = stored_calibration(ws.root, self.settings)
        self.note_scale = calibration.note_scale if calibration else 1.0
        self.context = PromptContext.build(
            inventory,
            dataclasses.replace(self.settings, mode=_as_mode(self.opts.mode, self.settings.mode)),
            ws.root,
            expected_requests=requests,
            token_scale=calibration.prefix_scale if calibration else 1.0,
            vocabulary=vocabulary,
        )
        self.guard: SpendGuard | None = None
        if self.opts.max_cost is not None and self.provider.priced and job.model:
            spent = job_cost(ws.store, job.id, job.model).actual_usd
            self.guard = SpendGuard(cap=self.opts.max_cost, model=job.model, spent=spent)
        self._batch_round = False
        self.ledger = JobLedger(
            ws.store,
            job,
            job.engine,
            job.model,
            tag_policy=self.tag_policy,
        )
        self.modes_used: list[str] = []
        self.deadline_hit = False
        self._engines: dict[str, Engine] = {}

    # ------------------------------------------------------------------ options

    def _past_deadline(self) -> bool:
        deadline = self.opts.deadline_at
        return self.deadline_hit or (deadline is not None and time.time() >= deadline)

    def _canceled(self) -> bool:
        current = jobs.get_job(self.ws.store, self.job.id)
        return current is None or current.status == "canceled" or current.options.canceled

    def parse(self, custom_id: str, message: Any, via_batch: bool) -> RequestOutcome:
        outcome = outcome_from_message(custom_id, message, via_batch, self.context.known_tags)
        if self.guard is not None:
            self.guard.settle(custom_id, outcome.usage, batch=via_batch)
        return outcome

    def build(self, item: PreparedNote) -> CurationRequest:
        """The request for a note; with a spending cap, its expected cost is reserved first
        (CostCapReached stops the round before the request is handed to the engine)."""
        request = build_request(item.note, item.body, self.context, self.settings)
        if request.custom_id != item.custom_id:
            request = dataclasses.replace(request, custom_id=item.custom_id)
        if self.guard is not None:
            user = str(request.params["messages"][0]["content"])
            tokens = self.context.prefix_tokens + round(
                (approx_tokens(user) + SCHEMA_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS)
                * self.note_scale
            )
            self.guard.charge(request.custom_id, tokens, batch=self._batch_round)
        return request

    def engine(self, name: str) -> Engine:
        """The job's engine called ``name`` (one instance per job: it may keep state)."""
        if name not in self._engines:
            setup = EngineSetup(
                settings=self.settings,
                options=self.opts,
                ledger=self.ledger,
                inventory=self.inventory,
                vault_root=self.ws.root,
                build=self.build,
                parse=self.parse,
                progress=self.progress,
                checkpoint=self.checkpoint,
                deadline_at=None if self.deadline_hit else self.opts.deadline_at,
                app_settings=self.ws.settings,
            )
            self._engines[name] = self.provider.engine(name, setup)
        return self._engines[name]

    # ------------------------------------------------------------------ driving

    def drive(self) -> str:
        """Run rounds until nothing is left; returns the job's final status.

        Ctrl-C (KeyboardInterrupt) leaves the job ``interrupted`` with every finished result
        kept; other errors too, and are re-raised.
        """
        store = self.ws.store
        jobs.set_job_status(store, self.job.id, "running")
        try:
            self._warn_prompt_changed()
            self._settle()
            for round_no in itertools.count():
                if self._canceled():
                    break
                todo = self._todo()
                if not todo or round_no > self.opts.max_retries + 2:
                    break
                self._run_round(todo, round_no)
        except KeyboardInterrupt:
            jobs.set_job_status(store, self.job.id, "interrupted")
            return "interrupted"
        except CostCapReached as exc:
            jobs.set_job_status(store, self.job.id, "interrupted")
            self.progress(Notice(str(exc)))
            return "interrupted"
        except BaseException:
            jobs.set_job_status(store, self.job.id, "interrupted")
            raise
        final: JobStatus = "canceled" if self._canceled() else "done"
        if final == "canceled":
            self._cancel_leftovers()
        jobs.set_job_status(store, self.job.id, final)
        return final

    def _warn_prompt_changed(self) -> None:
        """Requests sent from now on use the templates as they are: say so if they changed."""
        started = self.opts.prompt_version
        if started and self.context.prompt_version != started:
            self.progress(
                Notice(
                    f"prompt templates changed since job {self.job.id} started (prompt "
                    f"{started}); notes not yet sent use prompt {self.context.prompt_version}"
                )
            )

    def _settle(self) -> None:
        """Resume: let each engine finish what an earlier process left in flight."""
        if not self.ledger.batches(jobs.LIVE_BATCH_STATES):
            return
        for name in self.provider.engines:
            engine = self.engine(name)
            if engine.settle() and name not in self.modes_used:
                self.modes_used.append(name)
            self.deadline_hit = self.deadline_hit or engine.deadline_hit

    def _todo(self) -> list[MappedRequest]:
        out: list[MappedRequest] = []
        for entry in jobs.job_requests(self.ws.store, self.job.id):
            waiting = entry.status in ("planned", "submitted", "canceled")
            if waiting or (entry.status == "failed" and self._retryable(entry)):
                out.append(entry)
        return out

    def _retryable(self, entry: MappedRequest) -> bool:
        return is_retryable(entry.error_type) and entry.attempts <= self.opts.max_retries

    def _run_round(self, todo: list[MappedRequest], round_no: int) -> None:
        name = self.provider.route(
            len(todo),
            self.opts.mode,
            self.opts.realtime_max,
            round_no == 0,
            self._past_deadline(),
        )
        if name not in self.modes_used:
            self.modes_used.append(name)
        self.progress(RoundStarted(mode=name, count=len(todo), round=round_no))
        self._batch_round = name == "batch"
        engine = self.engine(name)
        engine.run(self._prepared(todo), round_no, len(todo))
        self.deadline_hit = self.deadline_hit or engine.deadline_hit

    def _prepared(self, entries: Iterable[MappedRequest]) -> Iterator[PreparedNote]:
        """The notes of ``entries``, read lazily (a batch holds one chunk at a time); a note
        that no longer has the bytes the job was planned from fails, and is not sent."""
        for entry in entries:
            note = self.by_path.get(entry.path)
            body = None
            if note is not None and note.hash == entry.base_hash:
                body = load_body(self.ws.root, note)
            if note is None or body is None:
                self.ledger.mark_failed(entry.custom_id, "note_changed", NOTE_CHANGED)
                self.progress(Notice(f"{entry.path}: {NOTE_CHANGED}"))
                continue
            yield PreparedNote(
                entry.custom_id, dataclasses.replace(note, index=entry.note_index), body
            )

    def _cancel_leftovers(self) -> None:
        for entry in jobs.job_requests(self.ws.store, self.job.id, ("planned", "submitted")):
            self.ledger.mark_failed(
                entry.custom_id, "canceled", "the job was canceled before this note was answered"
            )

    # ------------------------------------------------------------------ reporting

    def report(self) -> CurationReport:
        job = jobs.get_job(self.ws.store, self.job.id) or self.job
        cost = (
            job_cost(self.ws.store, job.id, job.model)
            if self.provider.priced and job.model
            else None
        )
        report = report_for_job(
            self.ws.store,
            job,
            modes_used=list(self.modes_used),
            batches=len(self.ledger.batches()),
            rejected_ids=list(self.ledger.rejected),
            cost=cost,
        )
        report.vocabulary = self.tag_policy.summary()
        return report
