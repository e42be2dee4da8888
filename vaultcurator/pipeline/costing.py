"""Estimates on real numbers, and the spending cap (``--max-cost``).

:func:`job_estimate` prices a selection the way the job would run it: with the stored
calibration for the model and prompt version, or, when online and there is none yet, after
counting a handful of the job's requests with ``count_tokens`` (:mod:`.calibration`).
:class:`SpendGuard` keeps a running job under its cap: what the job has been billed so far,
plus an estimate of every request sent and not yet answered, must stay within it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.calibration import (
    SAMPLE_REQUESTS,
    Calibration,
    calibrate,
    load_calibration,
    save_calibration,
)
from vaultcurator.curation.cost import cost_usd
from vaultcurator.curation.estimate import EXPECTED_OUTPUT_TOKENS, Estimate, estimate, note_estimate
from vaultcurator.curation.prompts import prompt_version
from vaultcurator.curation.requests import PromptContext, build_request, load_body
from vaultcurator.domain.requests import Usage
from vaultcurator.errors import UsageError, VaultCuratorError
from vaultcurator.vault.model import Inventory, Note

API_KEY_ENV = "ANTHROPIC_API_KEY"


def online(settings: CurationSettings) -> bool:
    """Whether the API can be asked to count tokens (Claude engine and a key set)."""
    return settings.engine == "anthropic" and bool(os.environ.get(API_KEY_ENV))


def stored_calibration(vault_root: Path, settings: CurationSettings) -> Calibration | None:
    return load_calibration(vault_root, settings.model, prompt_version(vault_root))


def _sample(notes: list[Note], vault_root: Path) -> list[tuple[Note, str]]:
    """Up to :data:`SAMPLE_REQUESTS` notes spread over the selection, with their bodies."""
    if not notes:
        return []
    step = max(1, len(notes) // SAMPLE_REQUESTS)
    picked: list[tuple[Note, str]] = []
    for note in notes[::step]:
        body = note.body if note.body is not None else load_body(vault_root, note)
        if body is not None:
            picked.append((note, body))
        if len(picked) >= SAMPLE_REQUESTS:
            break
    return picked


def calibrate_job(
    vault_root: Path, inventory: Inventory, notes: list[Note], settings: CurationSettings
) -> Calibration | None:
    """Count a few of the job's requests and store the ratios; None when counting failed."""
    from vaultcurator.engines.anthropic_count import COUNT_ERRORS, TokenCounter

    context = PromptContext.build(inventory, settings, vault_root, expected_requests=len(notes))
    sample = _sample(notes, vault_root)
    if not sample:
        return None
    requests = [build_request(note, body, context, settings).params for note, body in sample]
    estimates = [note_estimate(note, context, settings, vault_root) for note, _ in sample]
    try:
        found = calibrate(
            TokenCounter(),
            model=settings.model,
            prompt_version=context.prompt_version,
            system_text=context.system_text,
            requests=requests,
            note_estimates=estimates,
        )
    except COUNT_ERRORS:
        return None
    if found is not None:
        save_calibration(vault_root, found)
    return found


def ensure_calibration(
    vault_root: Path, inventory: Inventory, notes: list[Note], settings: CurationSettings
) -> Calibration | None:
    """The stored calibration, or a new one when online and there is none yet."""
    found = stored_calibration(vault_root, settings)
    if found is None and online(settings) and notes:
        found = calibrate_job(vault_root, inventory, notes, settings)
    return found


def job_estimate(
    vault_root: Path,
    inventory: Inventory,
    notes: list[Note],
    settings: CurationSettings,
    *,
    allow_network: bool = True,
) -> tuple[PromptContext, Estimate]:
    """The job's prompt context and estimate, calibrated when a calibration is at hand."""
    if allow_network:
        found = ensure_calibration(vault_root, inventory, notes, settings)
    else:
        found = stored_calibration(vault_root, settings)
    context = PromptContext.build(
        inventory,
        settings,
        vault_root,
        expected_requests=len(notes),
        token_scale=found.prefix_scale if found else 1.0,
    )
    result = estimate(
        notes,
        context,
        settings,
        vault_root=vault_root,
        note_scale=found.note_scale if found else None,
    )
    return context, result


class CostCapReached(VaultCuratorError):
    """The job's spend would pass ``--max-cost``: nothing more is sent (resumable)."""


def refuse_over_cap(result: Estimate, cap: float | None) -> None:
    """UsageError (exit 2, nothing sent) when the estimate is over the cap."""
    if cap is None:
        return
    expected = result.job_cost_usd()
    if expected > cap:
        how = "calibrated" if result.calibrated else "offline estimate"
        raise UsageError(
            f"estimated cost ${expected:.4f} for {result.notes} notes ({result.job_mode}, "
            f"{how}) is over the spending cap ${cap:.4f} (--max-cost / curation.max_cost); "
            "raise the cap or select fewer notes (--limit, --only)"
        )


@dataclass(slots=True)
class SpendGuard:
    """Keeps a job's spend under ``cap``: billed so far plus requests in flight.

    ``charge`` is called before a request is handed to an engine; ``settle`` when its
    answer (with the real usage) comes back. A reservation assumes the expected output, or
    the average billed so far when answers run longer, so the spend can pass the cap only
    by how much the answers in flight exceed that.
    """

    cap: float
    model: str
    spent: float = 0.0
    """Billed for answers already received (this run and earlier ones)."""
    in_flight: dict[str, float] = field(default_factory=dict)
    answers: int = 0
    output_tokens: int = 0

    @property
    def committed(self) -> float:
        return self.spent + sum(self.in_flight.values())

    def request_cost(self, input_tokens: int, *, batch: bool) -> float:
        average = self.output_tokens // self.answers if self.answers else 0
        output = max(EXPECTED_OUTPUT_TOKENS, average)
        usage = Usage(input_tokens=input_tokens, output_tokens=output)
        return cost_usd(usage, self.model, batch=batch)

    def charge(self, custom_id: str, input_tokens: int, *, batch: bool) -> None:
        """Reserve a request's expected cost; CostCapReached when it would pass the cap."""
        cost = self.request_cost(input_tokens, batch=batch)
        if self.committed + cost > self.cap:
            raise CostCapReached(
                f"spending cap ${self.cap:.4f} reached (${self.committed:.4f} spent or in "
                "flight); finished answers are kept. Continue with a higher cap: "
                "vaultcurator resume VAULT --max-cost USD"
            )
        self.in_flight[custom_id] = cost

    def settle(self, custom_id: str, usage: Usage, *, batch: bool) -> None:
        """Replace a request's reservation with what it was billed."""
        self.in_flight.pop(custom_id, None)
        self.spent += cost_usd(usage, self.model, batch=batch)
        self.answers += 1
        self.output_tokens += usage.output_tokens

    def to_dict(self) -> dict[str, Any]:
        return {"cap_usd": self.cap, "spent_usd": round(self.spent, 6)}
