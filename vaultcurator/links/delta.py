"""Which notes changed since this process's last links run on the vault, so a run can skip
every note that did not.

A watch cycle re-links one changed note of a 10,000-note vault. Each pass over every note
(eligibility, the sparse and Chroma syncs, the remembered links) costs a few milliseconds in
Python; together they were most of the budget. The last run's view (each valid note's content
hash, which notes took part, their aliases) is kept per state folder; a run that finds the
same paths, the very sparse index object it left, and few changed hashes syncs those notes
alone. Anything else (a note added, removed or renamed, another process's index, many
changes) takes the full path, which looks at every note.

A note that could not be synced (changed since the scan, unreadable) is remembered with no
hash, so the next run looks at it again, as the full path would. The Chroma records' mirror
(:class:`StoreMirror`) is kept for the process too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaultcurator.links import hashed, retrieve
from vaultcurator.links.lexical import SparseIndex
from vaultcurator.links.mentions import NameIndex
from vaultcurator.links.text import NoteDoc
from vaultcurator.store import links_state
from vaultcurator.store.db import Store
from vaultcurator.vault.model import Note

FEW_CHANGED = 200
"""Up to this many changed notes, the changed notes alone are synced."""


@dataclass(slots=True)
class Eligible:
    """The notes taking part in this run and what changed since the last one."""

    usable: list[Note]
    """Valid notes that take part (templates and plugin files left out), inventory order."""
    aliases: dict[str, tuple[str, ...]]
    """Aliases of each usable note, in the same order."""
    templates: list[Note]
    """Valid notes whose row says they are templates: their rows are kept, so they are not
    re-read (and wrongly re-indexed) every other run."""
    changed: list[Note] | None
    """Usable notes new or changed since the last run; None when every note must be looked at."""
    paths: list[str]
    """Every valid note's path, in inventory order."""
    hashes: list[str]
    """Their content hashes (what the next run compares against)."""
    last: _Last | None = None
    """The last run's view, when this run is built on it."""


@dataclass(slots=True)
class _Last:
    sparse: SparseIndex
    version: int
    paths: list[str]
    hashes: list[str]
    usable: frozenset[str]
    aliases: dict[str, tuple[str, ...]]
    templates: frozenset[str]


_LAST: dict[str, _Last] = {}
"""Per state folder, the view the last run in this process left (one vault in practice)."""


def eligible(key: str, valid: Sequence[Note], sparse: SparseIndex) -> Eligible:
    """The usable notes, their aliases and the changed ones, from the last run where it can."""
    paths = [n.path for n in valid]
    hashes = [n.hash for n in valid]
    last = _LAST.pop(key, None)
    if (
        last is not None
        and last.sparse is sparse
        and last.version == sparse.version
        and paths == last.paths  # the same notes in the same (scan) order
    ):
        changed = [n for n, h, old in zip(valid, hashes, last.hashes, strict=True) if h != old]
        if len(changed) <= FEW_CHANGED:
            fresh, fresh_aliases = retrieve.eligible_with_aliases(changed, sparse)
            same = {n.path for n in fresh} == {n.path for n in changed if n.path in last.usable}
            if same:  # nothing joined or left: the last run's lists hold, in the same order
                aliases = dict(last.aliases)
                aliases.update(fresh_aliases)
                if len(last.usable) == len(valid):  # the same paths: every note is usable
                    usable = list(valid)
                else:
                    usable = [n for n in valid if n.path in last.usable]
                return Eligible(usable, aliases, [], fresh, paths, hashes, last)
    usable, aliases = retrieve.eligible_with_aliases(valid, sparse)
    rows = sparse.by_path()
    templates = [
        n
        for n in valid
        if n.path not in aliases
        and (row := rows.get(n.path)) is not None
        and row.hash == n.hash
        and row.template
    ]
    return Eligible(usable, aliases, templates, None, paths, hashes)


def sync_rows(
    sparse: SparseIndex,
    found: Eligible,
    load_doc: Callable[[str], NoteDoc | None],
    names: NameIndex,
    prepared: Mapping[str, hashed.Prepared] | None,
) -> tuple[retrieve.SparseSync, list[Note]]:
    """Bring the sparse index in step; returns what it did and the notes taking part.

    The full path keeps the rows of known templates, and leaves out the notes found to be
    templates once read (a body of ``{{placeholders}}``).
    """
    if found.changed is not None:
        done = retrieve.sync_sparse(
            sparse, found.changed, load_doc, names, prepared, complete=False
        )
        fresh = found.changed
    else:
        done = retrieve.sync_sparse(
            sparse, [*found.usable, *found.templates], load_doc, names, prepared
        )
        fresh = found.usable
    if done.added and any(_template(sparse, n.path) for n in fresh):
        return done, [n for n in found.usable if not _template(sparse, n.path)]
    return done, found.usable


def _template(sparse: SparseIndex, path: str) -> bool:
    row = sparse.row(path)
    return row is not None and row.template


def remember(
    key: str,
    sparse: SparseIndex,
    found: Eligible,
    usable: Sequence[Note],
    unsynced: Collection[str],
) -> None:
    """Keep this run's view for the next one; ``unsynced`` notes will be looked at again."""
    hashes = found.hashes
    if unsynced:
        for at, path in enumerate(found.paths):
            if path in unsynced:
                hashes[at] = ""
    _LAST.clear()
    last = found.last
    if last is not None and len(usable) == len(found.usable):  # built on the last view
        view = _Last(
            sparse, sparse.version, found.paths, hashes, last.usable, found.aliases, last.templates
        )
        _LAST[key] = view
        return
    kept = {n.path for n in usable}
    templates = {n.path for n in found.templates} | (last.templates if last else frozenset())
    if len(kept) != len(found.usable):  # notes found to be templates when first read
        templates |= {n.path for n in found.usable if n.path not in kept}
    aliases = {p: a for p, a in found.aliases.items() if p in kept}
    _LAST[key] = _Last(
        sparse, sparse.version, found.paths, hashes, frozenset(kept), aliases, frozenset(templates)
    )


_MIRRORS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
"""The mirror as this process last read or wrote it, per (store file, collection)."""


class StoreMirror:
    """The collection's records mirrored in the store (see ``sync_index``).

    A long-lived process keeps its copy: ``sync_index`` checks it against the collection's
    size, and this process's own writes keep it current.
    """

    def __init__(self, store: Store, state_dir: Path, collection: str) -> None:
        self.store = store
        self.collection = collection
        self.key = (str(state_dir), collection)

    def load(self) -> dict[str, tuple[str, str]]:
        kept = _MIRRORS.get(self.key)
        if kept is None or len(kept) != links_state.mirror_count(self.store, self.collection):
            _MIRRORS.clear()
            _MIRRORS[self.key] = links_state.load_mirror(self.store, self.collection)
        return dict(_MIRRORS[self.key])

    def replace(self, entries: dict[str, tuple[str, str]]) -> None:
        links_state.replace_mirror(self.store, self.collection, entries)
        _MIRRORS[self.key] = dict(entries)

    def update(self, upserts: dict[str, tuple[str, str]], deletes: Collection[str]) -> None:
        links_state.update_mirror(self.store, self.collection, upserts, deletes)
        copy = _MIRRORS.get(self.key)
        if copy is not None:
            copy.update(upserts)
            for path in deletes:
                copy.pop(path, None)


def forget() -> None:
    """Drop every kept view (tests; a new run then looks at every note)."""
    _LAST.clear()
