"""What a curation run tells the outside world once it stops: the report.

Progress events while it runs are in :mod:`vaultcurator.domain.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaultcurator.curation.cost import CostSummary
from vaultcurator.review.apply import ApplyReport
from vaultcurator.store.db import Store
from vaultcurator.store.jobs import Job, job_requests, status_counts


@dataclass(frozen=True, slots=True)
class Failure:
    """A note that got no proposal, and why."""

    path: str
    custom_id: str
    error_type: str
    error: str
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "custom_id": self.custom_id,
            "error_type": self.error_type,
            "error": self.error,
            "attempts": self.attempts,
        }


@dataclass(slots=True)
class CurationReport:
    """The outcome of ``curate`` / ``resume``: what was asked, what came back, what it cost."""

    job_id: int | None
    engine: str
    mode: str
    status: str
    """The job's status: ``done``, ``interrupted``, ``canceled``, or ``empty`` (no note)."""
    selected: int
    proposals: int
    failures: list[Failure] = field(default_factory=list)
    modes_used: list[str] = field(default_factory=list)
    batches: int = 0
    rejected_ids: list[str] = field(default_factory=list)
    """Result custom_ids not in the job's map: logged and never applied."""
    cost: CostSummary | None = None
    applied: ApplyReport | None = None
    """The ``--yes`` apply report, when proposals were applied."""
    invalid_notes: list[tuple[str, str]] = field(default_factory=list)
    """Selected-by-filter notes that cannot be curated: (path, reason)."""
    links: dict[str, Any] | None = None
    """Related-links summary, when the links step ran (wired by the lead)."""
    vocabulary: dict[str, Any] | None = None
    """With an approved taxonomy: the new tags answers brought under its areas, and the
    tags refused for falling outside it (see ``curation.tag_policy.PolicyRun``)."""

    @property
    def interrupted(self) -> bool:
        return self.status == "interrupted"

    @property
    def exit_code(self) -> int:
        """0 when every selected note got a proposal, 1 when some failed, 130 interrupted."""
        if self.interrupted:
            return 130
        return 1 if self.failures else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "engine": self.engine,
            "mode": self.mode,
            "status": self.status,
            "modes_used": list(self.modes_used),
            "selected": self.selected,
            "proposals": self.proposals,
            "failed": len(self.failures),
            "failures": [f.to_dict() for f in self.failures],
            "batches": self.batches,
            "rejected_ids": list(self.rejected_ids),
            "cost": None if self.cost is None else self.cost.to_dict(),
            "applied": None if self.applied is None else self.applied.to_dict(),
            "invalid_notes": [{"path": p, "reason": r} for p, r in self.invalid_notes],
            "links": self.links,
            "vocabulary": self.vocabulary,
        }


def failures_of(store: Store, job_id: int) -> list[Failure]:
    """Every request of the job that did not succeed, with its last error."""
    out: list[Failure] = []
    for entry in job_requests(store, job_id):
        if entry.status == "succeeded":
            continue
        if entry.status in ("planned", "submitted"):
            error_type, error = "not_finished", "no answer yet (run resume to finish the job)"
        elif entry.status == "canceled":
            error_type, error = "canceled", entry.error or "its batch was canceled"
        else:
            error_type = entry.error_type or "error"
            error = entry.error or error_type
        out.append(Failure(entry.path, entry.custom_id, error_type, error, entry.attempts))
    return out


def report_for_job(
    store: Store,
    job: Job,
    *,
    modes_used: list[str],
    batches: int,
    rejected_ids: list[str],
    cost: CostSummary | None,
) -> CurationReport:
    counts = status_counts(store, job.id)
    return CurationReport(
        job_id=job.id,
        engine=job.engine,
        mode=job.mode,
        status=job.status,
        selected=sum(counts.values()),
        proposals=counts.get("succeeded", 0),
        failures=failures_of(store, job.id),
        modes_used=modes_used,
        batches=batches,
        rejected_ids=rejected_ids,
        cost=cost,
    )
