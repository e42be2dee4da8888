"""``taxonomy``: build a vault-wide tag plan, store it (versioned), approve it, apply it.

Building never writes a note. Applying turns the approved renames into per-note ``tags``
proposals and writes them in one journaled apply run (so ``undo`` restores every byte).
The Claude planner is estimated before it is sent; its reply is validated whole, and a plan
that fails validation raises before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vaultcurator.curation.cost import cost_usd
from vaultcurator.curation.pricing import price_for
from vaultcurator.domain.taxonomy import Decision, TaxonomyPlan
from vaultcurator.errors import UsageError, VaultCuratorError
from vaultcurator.review.apply import ApplyReport, apply_proposals
from vaultcurator.store import taxonomy as plans
from vaultcurator.taxonomy import claude
from vaultcurator.taxonomy.local import canonical_counts, plan_local
from vaultcurator.taxonomy.proposals import PlanProposals, propose_renames
from vaultcurator.taxonomy.stats import collect
from vaultcurator.vault.model import Note
from vaultcurator.workspace import Workspace

ENGINES = ("local", "anthropic")
Send = Callable[[dict[str, Any]], Any]
"""``params -> message``: one Messages API call (the real client, or a test's)."""


@dataclass(slots=True)
class PlanEstimate:
    requests: int
    input_tokens: int
    output_tokens: int
    usd: float
    model: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "usd": round(self.usd, 4),
            "model": self.model,
        }


@dataclass(slots=True)
class PlanApplied:
    plan: TaxonomyPlan
    proposals: PlanProposals
    report: ApplyReport | None
    inline_remaining: dict[str, int] = field(default_factory=dict)
    """Renamed tags still used inline (``#old`` in bodies, never edited), with the count."""


def estimate_plan(notes: Sequence[Note], model: str) -> PlanEstimate:
    """What the Claude planner would send and cost (standard rates, nothing sent)."""
    requests = claude.plan_requests(collect(notes), model)
    tokens_in, tokens_out = claude.estimated_tokens(requests)
    price = price_for(model)
    usd = (tokens_in * price.input_per_mtok + tokens_out * price.output_per_mtok) / 1e6
    return PlanEstimate(len(requests), tokens_in, tokens_out, usd, model)


def _client_send() -> Send:
    """The engines' real client (imported here: the SDK costs a second to import)."""
    import anthropic

    from vaultcurator.curation.requests import sdk_kwargs
    from vaultcurator.engines.client import (
        RetryPolicy,
        call_with_retries,
        error_message_of,
        make_client,
        require_api_key,
    )

    require_api_key()
    client = make_client(max_retries=0)

    def send(params: dict[str, Any]) -> Any:
        try:
            return call_with_retries(
                lambda: client.messages.create(**sdk_kwargs(params)), RetryPolicy()
            )
        except anthropic.APIError as exc:
            raise VaultCuratorError(
                f"the taxonomy request failed: {error_message_of(exc)}"
            ) from None

    return send


def build_plan(
    ws: Workspace,
    notes: Sequence[Note],
    *,
    engine: str = "local",
    flat: bool = False,
    send: Send | None = None,
) -> TaxonomyPlan:
    """A new plan for ``notes``, stored as the next version (a draft).

    A local plan identical to the current draft is that draft (same version, and the
    reviewer's decisions on it kept): the local planner is deterministic, so rebuilding
    from unchanged tags must not supersede work in progress.
    """
    valid = [n for n in notes if n.error is None]
    if engine == "local":
        plan = plan_local(valid, flat=flat)
        current = plans.load_plan(ws.store)
        if current is not None and _same_draft(current, plan):
            return current
    elif engine == "anthropic":
        model = ws.settings.curation.model
        stats = collect(valid)
        requests = claude.plan_requests(stats, model)
        sender = send or _client_send()
        messages = [sender(params) for params in requests]
        renames, usage = claude.parse_plan(messages, stats)  # InvalidPlan: nothing stored
        final = {r.old: r.target for r in renames}
        plan = TaxonomyPlan(
            renames=renames,
            tags=canonical_counts(valid, final),
            engine=claude.ENGINE,
            model=model,
            cost_usd=cost_usd(usage, model, batch=False),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
        )
    else:
        raise UsageError(f"unknown taxonomy engine {engine!r}; use {' or '.join(ENGINES)}")
    return plans.save_plan(ws.store, plan)


def _same_draft(current: TaxonomyPlan, fresh: TaxonomyPlan) -> bool:
    """Whether ``fresh`` proposes exactly what the stored draft ``current`` proposed."""

    def key(plan: TaxonomyPlan) -> set[tuple[str, str, int, int]]:
        return {(r.old, r.proposed or r.target, r.notes, r.inline_uses) for r in plan.renames}

    return (
        current.state == "draft"
        and current.engine == fresh.engine
        and key(current) == key(fresh)
        and sorted(current.tags) == sorted(fresh.tags)
    )


def decide(
    ws: Workspace,
    plan: TaxonomyPlan,
    decisions: Mapping[str, Decision],
    targets: Mapping[str, str] | None = None,
) -> TaxonomyPlan:
    """Record a reviewer's decisions (and edited targets) on some of the plan's renames."""
    if plan.id is None:
        raise UsageError("the plan is not stored")
    plans.decide_renames(ws.store, plan.id, decisions, targets)
    return plans.load_plan(ws.store, plan.id) or plan


def approve(ws: Workspace, plan: TaxonomyPlan, notes: Sequence[Note]) -> TaxonomyPlan:
    """Make the plan (its approved renames) the vault's vocabulary."""
    if plan.id is None:
        raise UsageError("the plan is not stored")
    chosen = {r.old: r.target for r in plan.approved()}
    valid = [n for n in notes if n.error is None]
    plans.approve_plan(ws.store, plan.id, canonical_counts(valid, chosen))
    return plans.load_plan(ws.store, plan.id) or plan


def approve_all(ws: Workspace, plan: TaxonomyPlan, notes: Sequence[Note]) -> TaxonomyPlan:
    plan = decide(ws, plan, {r.old: "approved" for r in plan.renames})
    return approve(ws, plan, notes)


def propose(ws: Workspace, plan: TaxonomyPlan, notes: Sequence[Note]) -> PlanProposals:
    """Per-note ``tags`` proposals for the plan's approved renames (pending, for review)."""
    return propose_renames(ws.store, notes, plan.rename_map(), model=plan.model)


def apply_plan(
    ws: Workspace,
    plan: TaxonomyPlan,
    notes: Sequence[Note],
    progress: Callable[[int, int], None] | None = None,
) -> PlanApplied:
    """Propose and write the approved renames in one journaled run (undo restores it)."""
    if plan.state != "approved":
        raise UsageError(f"plan version {plan.version} is not approved; approve it first")
    made = propose(ws, plan, notes)
    report = None
    if made.ids:
        report = apply_proposals(ws, ids=made.ids, include_pending=True, progress=progress)
        if plan.id is not None:
            plans.mark_applied(ws.store, plan.id, report.run_id)
    inline = {r.old: r.inline_uses for r in plan.approved() if r.inline_uses}
    return PlanApplied(plan, made, report, inline)
