"""Reviewer actions on proposals, and the view model of the proposal table.

Every action takes the store and proposal ids, checks the state it starts from (a rejected
proposal can be approved again; an applied one cannot be approved), and reports what it did
and what it skipped instead of raising, so "approve all shown" works on a mixed selection.
Edited tags go through the vault's tag rules: fixable tags are normalised, others rejected
with a message the edit modal can show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from vaultcurator.errors import VaultCuratorError
from vaultcurator.store.db import Store
from vaultcurator.store.proposals import (
    Proposal,
    ProposalState,
    edit_proposal,
    get_proposal,
    list_proposals,
    set_state,
    states_of,
)
from vaultcurator.vault.frontmatter_edit import single_line
from vaultcurator.vault.tags import normalize_tag, normalize_tags

APPROVABLE: tuple[ProposalState, ...] = ("pending", "rejected", "approved")
"""States a proposal can be approved from (approving an approved one is a no-op)."""
REJECTABLE: tuple[ProposalState, ...] = ("pending", "approved", "rejected")
EDITABLE: tuple[ProposalState, ...] = ("pending", "approved", "rejected")
RESETTABLE: tuple[ProposalState, ...] = ("approved", "rejected", "pending")
"""States "back to pending" (unapprove / unreject) works from."""
REVIEWABLE: tuple[ProposalState, ...] = ("pending", "approved", "rejected", "conflict", "failed")
"""States shown by default in review (everything that is not done or superseded)."""
ALL_STATES: tuple[ProposalState, ...] = (
    "pending",
    "approved",
    "rejected",
    "conflict",
    "applied",
    "failed",
    "superseded",
)


class EditRejected(VaultCuratorError):
    """A reviewer's edit that the tag rules refuse (strict mode); nothing was saved."""

    def __init__(self, validation: TagValidation) -> None:
        self.validation = validation
        super().__init__("; ".join(validation.messages) or "invalid tags")


@dataclass(slots=True)
class ActionResult:
    """Ids whose state changed, and ids left alone with the reason."""

    changed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.changed)


def _transition(
    store: Store, ids: Iterable[int], target: ProposalState, allowed: Collection[str]
) -> ActionResult:
    result = ActionResult()
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return result
    current = _states(store, wanted)
    for pid in wanted:
        state = current.get(pid)
        if state is None:
            result.skipped.append((pid, "no such proposal"))
        elif state == target:
            continue
        elif state not in allowed:
            result.skipped.append((pid, f"is {state}"))
        else:
            result.changed.append(pid)
    if result.changed:
        set_state(store, result.changed, target)
    return result


def _states(store: Store, ids: Sequence[int]) -> dict[int, str]:
    return states_of(store, ids)


def approve(store: Store, ids: Iterable[int]) -> ActionResult:
    """Mark proposals approved (to be written by the next apply)."""
    return _transition(store, ids, "approved", APPROVABLE)


def reject(store: Store, ids: Iterable[int]) -> ActionResult:
    """Mark proposals rejected (never applied unless approved again)."""
    return _transition(store, ids, "rejected", REJECTABLE)


def reset_to_pending(store: Store, ids: Iterable[int]) -> ActionResult:
    """Undo a review decision: approved or rejected back to pending."""
    return _transition(store, ids, "pending", RESETTABLE)


def approve_all(store: Store, proposals: Iterable[Proposal | int]) -> ActionResult:
    """Approve the *pending* proposals of a (filtered) set: a bulk action never overrides a
    decision, so rejected ones stay rejected (skipped with the reason, like applied ones)."""
    ids = [p if isinstance(p, int) else p.id for p in proposals]
    current = _states(store, list(dict.fromkeys(ids)))
    pending = [pid for pid in ids if current.get(pid) == "pending"]
    result = _transition(store, pending, "approved", ("pending",))
    result.skipped += [
        (pid, f"is {current[pid]}" if pid in current else "no such proposal")
        for pid in dict.fromkeys(ids)
        if current.get(pid) not in ("pending", "approved")
    ]
    return result


def bulk_counts(store: Store, ids: Iterable[int]) -> dict[str, int]:
    """How many of ``ids`` are in each state: what a bulk approve would do, before it asks."""
    counts: dict[str, int] = {}
    for state in _states(store, list(dict.fromkeys(ids))).values():
        counts[state] = counts.get(state, 0) + 1
    return counts


# --- editing -------------------------------------------------------------------------------


@dataclass(slots=True)
class TagValidation:
    """Tags as the tag rules accept them, and what was changed or refused on the way."""

    tags: list[str]
    rejected: list[tuple[str, str]] = field(default_factory=list)
    """(tag as typed, reason) for tags the rules refuse."""
    changed: list[tuple[str, str]] = field(default_factory=list)
    """(tag as typed, tag as normalised) for tags the rules rewrote."""

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def messages(self) -> list[str]:
        out = [f"{raw!r} is not a valid tag: {why}" for raw, why in self.rejected]
        out += [f"{raw!r} becomes {new!r}" for raw, new in self.changed]
        return out


_SEPARATORS = re.compile(r"[,\s]+")


def parse_tag_input(text: str) -> list[str]:
    """Split what a reviewer typed (commas, spaces or new lines between tags) into tags."""
    return [part for part in _SEPARATORS.split(text) if part]


def validate_tags(raw: str | Iterable[str], *, existing: Iterable[str] = ()) -> TagValidation:
    """Run reviewer-typed tags through the tag rules (``vaultcurator.vault.tags``).

    ``existing`` is the vault's known tags, so a tag typed in another case takes the vault's
    spelling. Duplicates are dropped silently; empty input is valid (no tags).
    """
    items = parse_tag_input(raw) if isinstance(raw, str) else [str(t) for t in raw]
    known = tuple(existing)
    result = TagValidation(tags=[])
    accepted: list[str] = []
    for item in items:
        typed = item.strip()
        if not typed:
            continue
        norm = normalize_tag(typed)
        if norm is None:
            result.rejected.append((typed, _why_invalid(typed)))
            continue
        final = normalize_tags([norm], existing=known)[0]
        if final != typed.lstrip("#"):
            result.changed.append((typed, final))
        accepted.append(final)
    result.tags = normalize_tags(accepted, existing=known)
    return result


def _why_invalid(tag: str) -> str:
    if any(ch.isdigit() for ch in tag) and not any(ch.isalpha() or ch == "_" for ch in tag):
        return "a tag needs at least one letter"
    return "nothing usable remains (letters, digits, '_', '-' and '/' only)"


@dataclass(slots=True)
class ProposalEdit:
    proposal: Proposal
    tags: TagValidation | None
    """None when the tags were not edited."""

    @property
    def messages(self) -> list[str]:
        return [] if self.tags is None else self.tags.messages


def edit(
    store: Store,
    proposal_id: int,
    *,
    tags: str | Sequence[str] | None = None,
    description: str | None = None,
    related: Sequence[str] | None = None,
    existing_tags: Iterable[str] = (),
    strict: bool = False,
    approve_after: bool = False,
) -> ProposalEdit:
    """Replace a proposal's proposed values with the reviewer's.

    ``tags`` (a string as typed, or a list) are validated by the tag rules: fixable tags are
    normalised; refused ones are dropped and reported, or with ``strict`` raise
    :class:`EditRejected` and nothing is saved. ``description`` None leaves it as proposed.
    The state is kept (a pending proposal stays pending) unless ``approve_after``.
    Raises VaultCuratorError when the proposal does not exist or is not editable.
    """
    current = get_proposal(store, proposal_id)
    if current is None:
        raise VaultCuratorError(f"no proposal {proposal_id}")
    if current.state not in EDITABLE:
        raise VaultCuratorError(f"proposal {proposal_id} ({current.path}) is {current.state}")
    validation: TagValidation | None = None
    if tags is not None:
        known = [*existing_tags, *(current.old_tags or []), *(current.new_tags or [])]
        validation = validate_tags(tags, existing=known)
        if strict and not validation.ok:
            raise EditRejected(validation)
    edit_proposal(
        store,
        proposal_id,
        new_tags=None if validation is None else validation.tags,
        new_description=None if description is None else single_line(description),
        set_description=description is not None,
        new_related=None if related is None else list(related),
    )
    if approve_after:
        set_state(store, [proposal_id], "approved")
    updated = get_proposal(store, proposal_id)
    assert updated is not None
    return ProposalEdit(proposal=updated, tags=validation)


# --- table view model ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalRow:
    """One line of the proposal table, precomputed so 10,000 rows render without work."""

    id: int
    path: str
    state: str
    tags_added: int
    tags_removed: int
    description_changed: bool
    related_added: int
    related_removed: int
    error: str | None
    updated_at: float

    @property
    def related_changed(self) -> bool:
        return bool(self.related_added or self.related_removed)

    @property
    def tags_text(self) -> str:
        """``+2 −1`` (empty when the tags do not change)."""
        return _counts_text(self.tags_added, self.tags_removed)

    @property
    def related_text(self) -> str:
        return _counts_text(self.related_added, self.related_removed)

    @classmethod
    def from_proposal(cls, proposal: Proposal) -> ProposalRow:
        related_old = set(proposal.old_related or [])
        related_new = set(proposal.new_related or [])
        touched = proposal.new_related is not None
        return cls(
            id=proposal.id,
            path=proposal.path,
            state=proposal.state,
            tags_added=len(proposal.tags_added),
            tags_removed=len(proposal.tags_removed),
            description_changed=proposal.description_changed,
            related_added=len(related_new - related_old) if touched else 0,
            related_removed=len(related_old - related_new) if touched else 0,
            error=proposal.error,
            updated_at=proposal.updated_at,
        )


def _counts_text(added: int, removed: int) -> str:
    parts = []
    if added:
        parts.append(f"+{added}")
    if removed:
        parts.append(f"−{removed}")
    return " ".join(parts)


def rows_for(proposals: Iterable[Proposal]) -> list[ProposalRow]:
    return [ProposalRow.from_proposal(p) for p in proposals]


def load_rows(store: Store, states: Iterable[str] | None = REVIEWABLE) -> list[ProposalRow]:
    """The table's rows straight from the store (all states when ``states`` is None)."""
    return rows_for(list_proposals(store, states))


def matches_text(proposal: Proposal, text: str) -> bool:
    """Every word of ``text`` appears (case-insensitively) in the path, tags or description."""
    words = text.lower().split()
    if not words:
        return True
    haystack = " ".join(
        [
            proposal.path,
            " ".join(proposal.new_tags or []),
            " ".join(proposal.old_tags or []),
            proposal.new_description or "",
            proposal.old_description or "",
            " ".join(proposal.new_related or []),
        ]
    ).lower()
    return all(word in haystack for word in words)


def filter_proposals(
    proposals: Iterable[Proposal],
    *,
    states: Collection[str] | None = None,
    text: str = "",
) -> list[Proposal]:
    """The proposals in ``states`` (all when None) matching ``text`` (see :func:`matches_text`)."""
    return [p for p in proposals if (states is None or p.state in states) and matches_text(p, text)]


def filter_rows(
    rows: Iterable[ProposalRow], *, states: Collection[str] | None = None, text: str = ""
) -> list[ProposalRow]:
    """Row-level filter (path text only): cheap enough to run on every keystroke."""
    words = text.lower().split()
    return [
        r
        for r in rows
        if (states is None or r.state in states) and all(w in r.path.lower() for w in words)
    ]


SortKey = Literal["path", "state", "tags", "description", "related", "updated"]
_STATE_ORDER: dict[str, int] = {state: i for i, state in enumerate(ALL_STATES)}
_ROW_KEYS: dict[str, Callable[[ProposalRow], tuple[object, ...]]] = {
    "path": lambda r: (r.path.lower(), r.id),
    "state": lambda r: (_STATE_ORDER.get(r.state, 99), r.path.lower(), r.id),
    "tags": lambda r: (-(r.tags_added + r.tags_removed), r.path.lower(), r.id),
    "description": lambda r: (not r.description_changed, r.path.lower(), r.id),
    "related": lambda r: (-(r.related_added + r.related_removed), r.path.lower(), r.id),
    "updated": lambda r: (r.updated_at, r.id),
}


def sort_rows(
    rows: Iterable[ProposalRow], key: SortKey = "path", *, reverse: bool = False
) -> list[ProposalRow]:
    """Rows sorted by a column; "tags"/"related" put the biggest changes first."""
    if key not in _ROW_KEYS:
        raise ValueError(f"unknown sort key {key!r}")
    return sorted(rows, key=_ROW_KEYS[key], reverse=reverse)
