"""A vault-wide tag plan: renames of spelling variants, synonyms and nesting, and the
canonical tags they leave. Built by :mod:`vaultcurator.taxonomy`, stored and versioned by
:mod:`vaultcurator.store.taxonomy`, turned into per-note tag proposals when applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["pending", "approved", "rejected"]
PlanState = Literal["draft", "approved", "superseded"]


@dataclass(slots=True)
class Rename:
    """``old`` becomes ``target`` on every note that carries it in its tags property."""

    old: str
    target: str
    reason: str
    """Why (``case``, ``spelling``, ``plural``, ``accents``, ``separator``, ``nesting``...)."""
    notes: int = 0
    """Notes carrying ``old`` in their tags property (the ones a plan's apply edits)."""
    inline_uses: int = 0
    """Notes using ``#old`` inline in their body: never edited, so they remain."""
    proposed: str = ""
    """The planner's target, when a reviewer edited ``target`` ("" means the same)."""
    decision: Decision = "pending"


@dataclass(slots=True)
class TaxonomyPlan:
    renames: list[Rename]
    tags: list[tuple[str, int]]
    """Canonical tags after the renames, with the notes that will carry each."""
    engine: str
    model: str | None = None
    id: int | None = None
    version: int | None = None
    state: PlanState = "draft"
    cost_usd: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    apply_run_id: int | None = None
    notes: list[str] = field(default_factory=list)
    """What the planner wants the reviewer to know (e.g. new areas it refused)."""

    def approved(self) -> list[Rename]:
        return [r for r in self.renames if r.decision == "approved"]

    def rename_map(self, *, approved_only: bool = True) -> dict[str, str]:
        """``{old spelling: target}`` for the renames that count (exact spellings: a
        reviewer may reject ``rust -> programming/rust`` and approve ``Rust -> ...``)."""
        chosen = self.approved() if approved_only else self.renames
        return {r.old: r.target for r in chosen if r.decision != "rejected"}

    def to_json(self) -> dict[str, Any]:
        """The plan as ``taxonomy --json`` prints it."""
        return {
            "version": self.version,
            "engine": self.engine,
            "state": self.state,
            "renames": {r.old: r.target for r in self.renames},
            "tags": [{"tag": t, "count": n} for t, n in self.tags],
            "details": [
                {
                    "old": r.old,
                    "new": r.target,
                    "reason": r.reason,
                    "notes": r.notes,
                    "inline_uses_remaining": r.inline_uses,
                    "decision": r.decision,
                }
                for r in self.renames
            ],
            "cost_usd": self.cost_usd,
        }
