"""Review by rules, without the TUI: ``review VAULT --approve/--reject`` with selectors.

A rule picks *pending* proposals only: a rule never overrides a reviewer's decision, so a
rejected proposal stays rejected and an approved one stays approved, whatever matches. The
selectors all have to hold (they narrow one another):

* ``paths``: globs of the note's relative path (``Journal/**``), any of them;
* ``kinds``: what the proposal changes: ``tags-only``, ``description-only``, ``links-only``,
  and ``no-removals`` (no tag or link taken off, no author description replaced);
* ``max_tags_removed``: at most this many of the author's tags taken off.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vaultcurator.curation.plan import path_matches
from vaultcurator.review.actions import ActionResult, approve, reject
from vaultcurator.review.diff import ProposalDiff, proposal_diff
from vaultcurator.store.db import Store
from vaultcurator.store.proposals import Proposal, list_proposals

RULE_KINDS = ("tags-only", "description-only", "links-only", "no-removals")


@dataclass(frozen=True, slots=True)
class Rule:
    paths: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    max_tags_removed: int | None = None

    def describe(self) -> str:
        parts = [f"path {' or '.join(self.paths)}"] if self.paths else []
        parts += list(self.kinds)
        if self.max_tags_removed is not None:
            parts.append(f"at most {self.max_tags_removed} tag(s) removed")
        return ", ".join(parts) or "every pending proposal"

    def matches(self, proposal: Proposal) -> bool:
        if self.paths and not any(path_matches(proposal.path, p) for p in self.paths):
            return False
        diff = proposal_diff(proposal)
        if not all(_kind_holds(kind, diff) for kind in self.kinds):
            return False
        removed = len(diff.tags.removed) if diff.tags is not None else 0
        return self.max_tags_removed is None or removed <= self.max_tags_removed


def _changes(diff: ProposalDiff) -> tuple[bool, bool, bool]:
    tags = diff.tags is not None and diff.tags.changed
    links = diff.related is not None and diff.related.changed
    return tags, diff.description_changed, links


def _kind_holds(kind: str, diff: ProposalDiff) -> bool:
    tags, description, links = _changes(diff)
    if kind == "tags-only":
        return tags and not description and not links
    if kind == "description-only":
        return description and not tags and not links
    if kind == "links-only":
        return links and not tags and not description
    if kind == "no-removals":
        replaced = diff.description_changed and bool((diff.description_old or "").strip())
        return not (
            (diff.tags is not None and diff.tags.removed)
            or (diff.related is not None and diff.related.removed)
            or replaced
        )
    raise ValueError(f"unknown rule {kind!r} (one of {', '.join(RULE_KINDS)})")


@dataclass(slots=True)
class RuleOutcome:
    """What a rule decided, for the command to print."""

    verb: str
    matched: list[Proposal] = field(default_factory=list)
    """Pending proposals the rule selected (changed unless ``dry_run``)."""
    unmatched_pending: int = 0
    left_alone: dict[str, int] = field(default_factory=dict)
    """Proposals in another state (rejected, approved…) the rule never touches, by state."""
    result: ActionResult | None = None


def apply_rule(store: Store, rule: Rule, verb: str, *, dry_run: bool = False) -> RuleOutcome:
    """Approve (``verb="approve"``) or reject the pending proposals ``rule`` selects."""
    outcome = RuleOutcome(verb=verb)
    for proposal in list_proposals(store, ["pending", "approved", "rejected"]):
        if proposal.state != "pending":
            if rule.matches(proposal):
                outcome.left_alone[proposal.state] = outcome.left_alone.get(proposal.state, 0) + 1
        elif rule.matches(proposal):
            outcome.matched.append(proposal)
        else:
            outcome.unmatched_pending += 1
    if not dry_run and outcome.matched:
        action = approve if verb == "approve" else reject
        outcome.result = action(store, [p.id for p in outcome.matched])
    return outcome


def rule_from(
    paths: Iterable[str] | None, kinds: Sequence[str] | None, max_tags_removed: int | None
) -> Rule:
    for kind in kinds or ():
        if kind not in RULE_KINDS:
            raise ValueError(f"unknown rule {kind!r} (one of {', '.join(RULE_KINDS)})")
    return Rule(tuple(paths or ()), tuple(kinds or ()), max_tags_removed)
