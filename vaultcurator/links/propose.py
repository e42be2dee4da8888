"""Related-note links as proposals: index incrementally, find neighbours, propose changes.

Policy (documented here because it is a choice):

* Only valid notes take part. An invalid note (broken frontmatter, not UTF-8, too large) is
  never given links, since it cannot be edited, and is not a link target either: its text
  cannot be read reliably, so its vector would mislead; once repaired it is indexed on the
  next run. Notes with nothing but a title are neither indexed nor given links.
* Notes already connected are not proposed, unless ``links.include_linked``: those the note
  links to (body wikilinks, embeds, Markdown links, links in any property other than the
  related property itself) and those linking to it (Obsidian already shows backlinks; this
  also keeps hub notes such as MOCs from being proposed to every note they list).
* Entries already in the related property that point to existing notes are kept, as written
  and first: they were written or approved by a person. Entries pointing nowhere (deleted or
  renamed notes) are dropped. New notes fill the list up to ``k``. Clearing the property asks
  for a fresh list.
* A proposal is recorded only when the related list would change. A note whose bytes
  already carry a human decision on related links (a proposal for the same bytes that was
  approved, rejected or is in conflict) is left alone until it changes; a pending proposal
  for the same bytes is updated only when the list is different.
* Bidirectional mode: if A lists B, B considers A too; each list keeps its best ``k``. With a
  ``paths`` subset, notes that gain a reverse link are proposed for as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vaultcurator.errors import UsageError
from vaultcurator.links import delta, embedders, hashed, related, retrieve
from vaultcurator.links.hashed import IdfTable
from vaultcurator.links.hybrid import FusionWeights
from vaultcurator.links.index import LinkIndex, collection_name, open_client, sync_index
from vaultcurator.links.lexical import SAVE_AFTER, SparseIndex
from vaultcurator.links.source import NoteSource
from vaultcurator.links.vaultfiles import markdown_paths
from vaultcurator.links.wikilinks import LinkResolver
from vaultcurator.store import links_state
from vaultcurator.store.db import Store
from vaultcurator.store.proposals import (
    Proposal,
    add_proposals,
    latest_with_related,
    list_proposals,
)
from vaultcurator.vault.model import Inventory
from vaultcurator.vault.wikilinks import whole_link_names
from vaultcurator.workspace import Workspace

ENGINE = "links"
FEW = 200
"""Up to this many notes, per-note store lookups beat loading everything."""
QUERY_SLACK = 8
"""Extra neighbours fetched per note, so exclusions rarely need a second query."""
QUERY_CHUNK = 512
"""Notes per Chroma query (one query with many rows is far faster than one per note)."""
_DECIDED = ("approved", "rejected", "conflict")


@dataclass(slots=True)
class LinksReport:
    """What one links run did: the index's changes, the notes computed, the proposals made."""

    embedder: str
    collection: str
    k: int
    threshold: float
    """The relative cut-off used (``links.ratio``): a share of each note's best score."""
    indexed: int = 0
    """Notes in the index after the run."""
    added: int = 0
    changed: int = 0
    renamed: int = 0
    deleted: int = 0
    unchanged: int = 0
    embedded: int = 0
    """Vectors computed this run."""
    idf_refit: bool = False
    computed: int = 0
    """Notes whose related list was computed."""
    proposals: int = 0
    """Notes with a new or updated related-links proposal."""
    proposal_ids: list[int] = field(default_factory=list)
    links_proposed: int = 0
    not_indexed: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per phase: ``prepare`` (embedder, IDF), ``index``, ``related``, ``record``."""

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def _embedder(
    ws: Workspace, source: NoteSource, valid_paths: list[str], notices: list[str]
) -> tuple[embedders.Embedder, bool]:
    kind, found = embedders.select(ws.settings.links.embedder)
    notices.extend(found)
    if kind != embedders.DEFAULT:
        model, found = embedders.build_model_embedder(kind)
        notices.extend(found)
        if model is not None:
            return model, False
    dim = hashed.DEFAULT_DIM
    key = f"{embedders.DEFAULT}-{dim}"
    table = _load_idf(ws.store, key)
    refit = hashed.needs_refit(table, len(valid_paths))
    prepared: dict[str, hashed.Prepared] = {}
    if refit or table is None:
        docs = (d for p in valid_paths if (d := source.doc(p)) is not None)
        table = hashed.fit_idf(docs, keep=prepared)
        links_state.save_idf_bytes(ws.store, key, table.fingerprint, table.to_bytes())
    return hashed.HashedTfidfEmbedder(table, dim=dim, prepared=prepared), refit


def _dense(
    index: LinkIndex, sources: list[str], n: int, everyone: Collection[str] = ()
) -> dict[str, list[related.Candidate]]:
    """The dense channel: each source's nearest notes in Chroma as (path, cosine).

    A few sources query Chroma's index. For many, the vectors are read back once and
    compared exactly with numpy (on 10,000 notes several times faster than as many HNSW
    queries, and exact). Vectors are fetched batch by batch: reading every vector back at
    once costs far more memory in Chroma's client than the vectors themselves.
    """
    out: dict[str, list[related.Candidate]] = {}
    if len(sources) > FEW and everyone:
        vectors = index.vectors(list(everyone))
        paths = list(vectors)
        if not paths:
            return out
        matrix = np.stack([vectors[p] for p in paths]).astype(np.float32)
        slot = {p: i for i, p in enumerate(paths)}
        rows = [s for s in sources if s in slot]
        take = min(n + 1, len(paths))
        for start in range(0, len(rows), QUERY_CHUNK):
            chunk = rows[start : start + QUERY_CHUNK]
            sims = np.negative(matrix[[slot[s] for s in chunk]] @ matrix.T)  # best lowest
            best = np.argpartition(sims, take - 1, axis=1)[:, :take]
            scores = np.take_along_axis(sims, best, axis=1).tolist()  # Python floats at once
            for src, found_at, found_scores in zip(chunk, best.tolist(), scores, strict=True):
                found = [
                    (paths[j], -score)
                    for j, score in zip(found_at, found_scores, strict=True)
                    if paths[j] != src
                ]
                out[src] = sorted(found, key=lambda c: (-c[1], c[0]))[:n]
        return out
    for start in range(0, len(sources), QUERY_CHUNK):
        vectors = index.vectors(sources[start : start + QUERY_CHUNK])
        chunk = [s for s in sources[start : start + QUERY_CHUNK] if s in vectors]
        if not chunk:
            continue
        matrix = np.stack([vectors[s] for s in chunk]).astype(np.float32)
        for src, cands in zip(chunk, index.query(matrix, n + 1), strict=True):
            out[src] = [c for c in cands if c[0] != src]
    return out


def _connections(
    source: NoteSource, sources: list[str], everyone: list[str]
) -> dict[str, frozenset[str]]:
    """Per source note, the notes it links to and those linking to it (Obsidian shows both).

    Backlinks need other notes' links. For a few sources, only notes remembered as linking
    to one of their file names are looked at; for many, every note is.
    """
    wanted = set(sources)
    names = {links_state.name_key(p) for p in sources}
    if (
        len(sources) > FEW
        or source.store is None
        or not links_state.outgoing_complete(source.store, len(everyone))
    ):
        source.preload_links(None)
        candidates: Collection[str] = everyone
    else:
        remembered = links_state.linking_paths(source.store, names)
        fresh = {
            p
            for p, (_, body, props) in source.fresh_links.items()
            if any(
                links_state.name_key(link) in names
                for link in [*body, *(x for v in props.values() for x in v)]
            )
        }
        candidates = sorted((remembered | fresh) & set(everyone))
        source.preload_links(candidates)
    back: dict[str, set[str]] = {p: set() for p in sources}
    for path in candidates:
        for link in source.raw_links(path) or []:
            if links_state.name_key(link) not in names:
                continue
            target = source.resolver.resolve(link, path)
            if target in wanted and target != path:
                back[target].add(path)
    return {p: (source.links(p) or frozenset()) | back[p] for p in sources}


_RESOLVERS: dict[int, tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], LinkResolver]] = {}


def _resolver(paths: list[str], aliases: list[tuple[str, str]]) -> LinkResolver:
    """The vault's link resolver, reused while its files and aliases are the same."""
    key = (tuple(paths), tuple(aliases))
    found = _RESOLVERS.get(0)
    if found is not None and found[0] == key:
        return found[1]
    resolver = LinkResolver(paths, aliases)
    _RESOLVERS[0] = (key, resolver)
    return resolver


def _latest_related(ws: Workspace, paths: list[str]) -> dict[tuple[str, str], Proposal]:
    """The newest open or decided proposal with related links, per (path, base hash)."""
    states = ["pending", *_DECIDED]
    if len(paths) > FEW:
        found = list_proposals(ws.store, states)
    else:
        found = []
        for path in paths:
            latest_one = latest_with_related(ws.store, path, states)
            if latest_one is not None:
                found.append(latest_one)
    latest: dict[tuple[str, str], Proposal] = {}
    for proposal in found:
        if proposal.new_related is None:
            continue
        key = (proposal.path, proposal.base_hash)
        if key not in latest or proposal.id > latest[key].id:
            latest[key] = proposal
    return latest


def propose_related_links(
    ws: Workspace,
    inventory: Inventory,
    *,
    k: int | None = None,
    paths: Collection[str] | None = None,
    job_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LinksReport:
    """Index the vault's notes incrementally and propose related links where they change.

    ``paths`` limits which notes get (re)computed related lists; the index always follows
    the whole inventory. ``progress(done, total)`` is called while indexing, then again from
    zero while related notes are computed.
    """
    started = time.perf_counter()
    settings = ws.settings.links
    k = settings.k if k is None else k
    if k < 1:
        raise UsageError(f"k must be at least 1, got {k}")
    notices: list[str] = []
    valid = [n for n in inventory.notes if n.status == "ok"]
    sparse = SparseIndex.load(ws.state_dir)
    memo_key = str(ws.state_dir)
    found = delta.eligible(memo_key, valid, sparse)
    usable, alias_map, changed = found.usable, found.aliases, found.changed
    everyone = [*markdown_paths(inventory.root), *[n.path for n in inventory.notes]]
    aliases = [(path, alias) for path, named in alias_map.items() for alias in named]
    source = NoteSource(
        inventory.root,
        valid,
        _resolver(everyone, aliases),
        related_key=settings.property,
        store=ws.store,
        paths=found.paths,
    )
    valid_paths = found.paths
    usable_paths = valid_paths if len(usable) == len(valid) else [n.path for n in usable]
    embedder, refit = _embedder(ws, source, usable_paths, notices)
    mark = time.perf_counter()
    timings = {"prepare": mark - started}
    names = retrieve.name_index(alias_map, sparse)
    shared = embedder.prepared if isinstance(embedder, hashed.HashedTfidfEmbedder) else None
    sparse_stats, usable = delta.sync_rows(sparse, found, source.doc_any, names, shared)
    client = open_client(ws.state_dir, ws.settings.chroma.url)
    name = collection_name(links_state.vault_id(ws.store), embedder.name, embedder.dim)
    index = LinkIndex(client, name, embedder.dim)
    partial = (  # only changed notes synced, none left (see delta), the same vector space
        changed is not None
        and len(usable) == len(found.usable)
        and index.space == embedder.space_id
    )
    some = changed if partial and changed is not None else usable
    stats = sync_index(
        index,
        [(n.path, n.hash) for n in some],
        source.doc,
        embedder.embed,
        space=embedder.space_id,
        progress=progress,
        mirror=delta.StoreMirror(ws.store, ws.state_dir, name),
        partial=partial,
    )
    report = LinksReport(
        embedder=embedder.name,
        collection=name,
        k=k,
        threshold=settings.ratio,
        added=stats.added,
        changed=stats.changed,
        renamed=stats.renamed,
        deleted=stats.deleted,
        unchanged=stats.unchanged,
        embedded=stats.embedded,
        idf_refit=refit,
        not_indexed=sorted(set(sparse_stats.unreadable)),
        notices=notices,
        timings=timings,
        indexed=index.count(),
    )
    timings["index"] = time.perf_counter() - mark
    mark = time.perf_counter()

    if paths is None and (sparse_stats.added or sparse_stats.deleted):
        sparse.renormalise()  # a full run refreshes every row's IDF weighting
    weights = FusionWeights(ratio=settings.ratio)
    if isinstance(embedder, hashed.HashedTfidfEmbedder):
        weights = weights.without_dense()  # hashed, it only repeats the lexical channel
    ranker = retrieve.Ranker(
        sparse,
        names,
        weights=weights,
        same_language=settings.same_language,
        floor=settings.threshold,
    )
    allowed = ranker.targets
    wanted = allowed if paths is None else allowed & set(paths)
    if len(wanted) > FEW:
        source.preload_links(None)
    sources = [p for p in ranker.sources(wanted) if source.links(p) is not None]
    excluded = _connections(source, sources, usable_paths)

    def exclusions(path: str) -> Collection[str]:
        return frozenset() if settings.include_linked else excluded[path]

    full = paths is None
    forward = ranker.rank(
        sources,
        k=k,
        exclude=exclusions,
        allowed=allowed,
        dense=_dense(index, sources, retrieve.POOL, usable_paths) if weights.dense else {},
        full=full,
    )
    if progress is not None:
        progress(len(sources), len(sources))
    targets = set(forward)
    if settings.bidirectional:
        extra = sorted({t for cands in forward.values() for t, _ in cands} - forward.keys())
        extra = [p for p in ranker.sources(set(extra)) if source.links(p) is not None]
        excluded.update(_connections(source, extra, usable_paths))
        forward.update(
            ranker.rank(
                extra,
                k=k,
                exclude=exclusions,
                allowed=allowed,
                dense=_dense(index, extra, retrieve.POOL) if weights.dense else {},
            )
        )
        targets.update(extra)
        # notes with little text are targets only: they get no list, reversed or not
        forward = related.add_reverse(forward, k=k, excluded=exclusions, receivers=targets)
    if full or sparse.unsaved >= SAVE_AFTER:
        sparse.save(ws.state_dir)
    report.computed = len(targets)
    timings["related"] = time.perf_counter() - mark
    mark = time.perf_counter()
    _record(ws, source, forward, sorted(targets), report, job_id)
    links_state.save_outgoing(ws.store, source.fresh_links, None if partial else valid_paths)
    unsynced = {*sparse_stats.unreadable, *source.changed_since_scan}
    delta.remember(memo_key, sparse, found, usable, unsynced)
    if source.changed_since_scan:
        notices.append(
            f"{len(source.changed_since_scan)} note(s) changed since the scan were left out;"
            " scan again"
        )
    timings["record"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started
    return report


def _record(
    ws: Workspace,
    source: NoteSource,
    forward: dict[str, list[related.Candidate]],
    targets: list[str],
    report: LinksReport,
    job_id: int | None,
) -> None:
    latest = _latest_related(ws, targets)
    k = report.k
    batch: list[dict[str, Any]] = []  # one transaction for all (one each cost ~1 s per 10k)
    for path in targets:
        note = source.note(path)
        current = source.related(path)
        kept = [raw for raw in current if _resolves(source, raw, path)]
        taken = source.related_targets(kept, path)
        fresh = [
            link
            for p, _ in forward.get(path, [])
            if p not in taken and (link := source.resolver.wikilink(p)) is not None
        ]
        links = kept + fresh[: max(k - len(kept), 0)]
        desired = source.related_targets(links, path)
        previous = latest.get((path, note.hash))
        if previous is not None and previous.state in _DECIDED:
            continue
        if (
            previous is not None
            and previous.new_related is not None
            and (source.related_targets(previous.new_related, path) == desired)
        ):
            continue
        if links == current and previous is None:
            continue
        # (links == current with a pending change: neutralise what is no longer wanted)
        batch.append(
            {
                "path": path,
                "note_index": note.index,
                "base_hash": note.hash,
                "engine": ENGINE,
                "job_id": job_id,
                "old_related": current,
                "new_related": links,
            }
        )
        report.links_proposed += len(links) - len(kept)
    if batch:
        report.proposal_ids.extend(add_proposals(ws.store, batch))
        report.proposals += len(batch)


def _resolves(source: NoteSource, raw: str, path: str) -> bool:
    """A related entry worth keeping: every link in it points to an existing note."""
    found = source.related_targets([raw], path)
    if found and not any(t.startswith("?") for t in found):
        return True
    names = whole_link_names(raw)
    return bool(names) and all(source.resolver.resolve(n, path) for n in names)


_IDF_MEMO: dict[tuple[str, str], IdfTable] = {}
"""The last IDF table loaded, by (key, fingerprint): a watch cycle does not reparse it."""


def _load_idf(store: Store, key: str) -> IdfTable | None:
    fingerprint = links_state.idf_fingerprint(store, key)
    if fingerprint is not None and (key, fingerprint) in _IDF_MEMO:
        return _IDF_MEMO[(key, fingerprint)]
    data = links_state.load_idf_bytes(store, key)
    if data is None:
        return None
    try:
        table = IdfTable.from_bytes(data)
    except Exception:  # damaged or from an older format: refit
        return None
    _IDF_MEMO.clear()
    if fingerprint is not None and fingerprint == table.fingerprint:
        _IDF_MEMO[(key, fingerprint)] = table
    return table
