"""An approved plan as per-note ``tags`` proposals: the notes whose tags property holds a
renamed tag get a proposal that goes through the usual review / apply / undo path.

Inline ``#tags`` in bodies are never edited (the plan reports how many uses remain). A note
that already has a pending proposal built from the same bytes gets the renames applied to
that proposal's tags instead, so curation and taxonomy land as one change per note.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vaultcurator.curation.plan import unsupported_shape
from vaultcurator.curation.tag_policy import rename_only
from vaultcurator.store.db import Store
from vaultcurator.store.proposals import add_proposal, list_proposals
from vaultcurator.vault.model import Note

ENGINE = "taxonomy"


@dataclass(slots=True)
class PlanProposals:
    ids: list[int] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, why): notes that carry a renamed tag but cannot be edited faithfully."""


def propose_renames(
    store: Store, notes: Iterable[Note], renames: Mapping[str, str], *, model: str | None = None
) -> PlanProposals:
    """One pending ``tags`` proposal per note the ``renames`` (case-folded old -> target)
    change."""
    out = PlanProposals()
    if not renames:
        return out
    pending = {(p.path, p.base_hash): p for p in list_proposals(store, ["pending"]) if p.new_tags}
    for note in notes:
        if note.error is not None or not any(t in renames for t in note.tags):
            continue
        problem = unsupported_shape(note.frontmatter)
        if problem is not None:
            out.skipped.append((note.path, problem))
            continue
        current = pending.get((note.path, note.hash))
        base = list(current.new_tags or []) if current is not None else _written_tags(note)
        decision = rename_only(base, renames)
        if decision.tags == base:
            continue
        reasons = dict(current.tag_reasons or {}) if current is not None else {}
        reasons.update(decision.removed)
        out.ids.append(
            add_proposal(
                store,
                path=note.path,
                note_index=note.index,
                base_hash=note.hash,
                engine=current.engine if current is not None else ENGINE,
                model=model,
                old_tags=_written_tags(note),
                new_tags=decision.tags,
                tag_reasons={t: r for t, r in reasons.items() if t not in decision.tags},
            )
        )
    return out


def _written_tags(note: Note) -> list[str]:
    """The tags as the property writes them (``"#etf"`` stays ``"#etf"``: only renamed
    items change); a scalar property is the scanner's split of it."""
    for key in ("tags", "tag", *note.frontmatter):
        value = note.frontmatter.get(key)
        if key.lower() in ("tags", "tag") and isinstance(value, list):
            return [t for t in value if isinstance(t, str)]
    return list(note.tags)
