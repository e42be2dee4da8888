"""The Chroma side: one client, one collection per embedder, incremental sync, batched queries.

Embedded by default (``PersistentClient`` at ``<vault>/.vaultcurator/chroma``); a configured
``chroma.url`` uses ``HttpClient`` against a Chroma server instead, with the same behaviour.
Telemetry is off. Vectors are always computed here and passed in: Chroma never embeds.

Record ids are note paths. Each record's metadata holds the note's content hash (``hash``)
and the hash of the text that was embedded (``text``), nothing else (the path is the id; a
third string made each one-note write a third slower): a changed file whose embedded text
did not change (say, only its ``related`` property moved) only gets its metadata refreshed. A
moved or renamed note (a new path with the content hash of a removed one) is re-embedded
under its new path, since its title and folder are part of what is embedded, and the old
record is deleted. The collection's metadata holds ``space``, the embedder's vector-space
id (for ``hashed`` it includes the frozen IDF); when it differs, every note is re-embedded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from vaultcurator.errors import VaultCuratorError

CHROMA_DIR_NAME = "chroma"
QUERY_BATCH = 256
_DEFAULT_MAX_BATCH = 5000


class ChromaUnavailable(VaultCuratorError):
    """The configured Chroma server cannot be reached or used."""


_BASE_SETTINGS: list[Any] = []


def _settings() -> Any:
    """A fresh copy each time (clients write their path into it); built once per process."""
    if not _BASE_SETTINGS:
        from chromadb.config import Settings as ChromaConfig

        _BASE_SETTINGS.append(ChromaConfig(anonymized_telemetry=False, allow_reset=False))
    return _BASE_SETTINGS[0].model_copy()


def open_client(state_dir: Path, url: str | None = None) -> Any:
    """An embedded client in ``state_dir/chroma``, or an HTTP client for ``url``."""
    import chromadb

    if not url:
        path = state_dir / CHROMA_DIR_NAME
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=_settings())
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChromaUnavailable(f"chroma.url: expected http://host:port, got {url!r}")
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 8000)
    try:
        client = chromadb.HttpClient(host=parts.hostname, port=port, ssl=ssl, settings=_settings())
        client.heartbeat()
    except Exception as exc:
        raise ChromaUnavailable(f"Chroma server at {url} is not answering: {exc}") from None
    return client


def collection_name(vault_id: str, embedder_name: str, dim: int) -> str:
    """``vc-<vault>-<embedder>-<dim>``: per vault (a server may hold many) and per embedder."""
    slug = unicodedata.normalize("NFKD", embedder_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", slug).strip("-._") or "embedder"
    return f"vc-{vault_id}-{slug}-{dim}"[:500]


@dataclass(slots=True)
class SyncStats:
    added: int = 0
    changed: int = 0
    renamed: int = 0
    """New paths holding the content of a removed path (moves and renames); re-embedded."""
    deleted: int = 0
    unchanged: int = 0
    embedded: int = 0
    """Vectors computed this run (the rest were reused)."""
    skipped: list[str] = field(default_factory=list)
    """Valid notes not indexed (nothing to embed, or changed since the scan)."""
    reembedded_all: bool = False


class Entry(NamedTuple):
    """One record: a note's path, content hash and embedded-text hash."""

    path: str
    hash: str
    text_hash: str


class LinkIndex:
    """One Chroma collection of note vectors for one embedder."""

    def __init__(self, client: Any, name: str, dim: int) -> None:
        self.client = client
        self.name = name
        self.dim = dim
        self.collection = client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"dim": dim},
            embedding_function=None,
        )
        try:
            self.max_batch = int(client.get_max_batch_size())
        except Exception:
            self.max_batch = _DEFAULT_MAX_BATCH
        self._count: int | None = None

    # ------------------------------------------------------------------ reading
    def count(self) -> int:
        """Records in the collection; asked once until this object writes (one run)."""
        if self._count is None:
            self._count = int(self.collection.count())
        return self._count

    def known_count(self, count: int) -> None:
        """The count after this object's writes, as the caller worked it out."""
        self._count = count

    @property
    def space(self) -> str | None:
        meta = self.collection.metadata or {}
        value = meta.get("space")
        return None if value is None else str(value)

    def set_space(self, space: str) -> None:
        meta = dict(self.collection.metadata or {})
        meta["space"] = space
        meta["dim"] = self.dim
        self.collection.modify(metadata=meta)

    def entries(self) -> dict[str, Entry]:
        """Every record's path, content hash and text hash."""
        out: dict[str, Entry] = {}
        total = self.count()
        for offset in range(0, total, self.max_batch):
            got = self.collection.get(include=["metadatas"], limit=self.max_batch, offset=offset)
            for rid, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
                meta = meta or {}
                out[rid] = Entry(rid, str(meta.get("hash", "")), str(meta.get("text", "")))
        return out

    def vectors(self, paths: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        out: dict[str, npt.NDArray[np.float32]] = {}
        for start in range(0, len(paths), self.max_batch):
            chunk = list(paths[start : start + self.max_batch])
            got = self.collection.get(ids=chunk, include=["embeddings"])
            embeddings = got["embeddings"]
            if embeddings is None:
                continue
            for rid, vec in zip(got["ids"], embeddings, strict=False):
                out[rid] = np.asarray(vec, dtype=np.float32)
        return out

    def query(self, vectors: npt.NDArray[np.float32], n: int) -> list[list[tuple[str, float]]]:
        """Nearest records for each row as (path, cosine similarity), best first."""
        results: list[list[tuple[str, float]]] = []
        n = min(n, self.count())
        if n <= 0:
            return [[] for _ in range(len(vectors))]
        for start in range(0, len(vectors), QUERY_BATCH):
            got = self.collection.query(
                query_embeddings=vectors[start : start + QUERY_BATCH],
                n_results=n,
                include=["distances"],
            )
            distances = got["distances"] or []
            for ids, dists in zip(got["ids"], distances, strict=False):
                results.append([(rid, 1.0 - float(d)) for rid, d in zip(ids, dists, strict=False)])
        return results

    # ------------------------------------------------------------------ writing
    def upsert(self, entries: Sequence[Entry], vectors: npt.NDArray[np.float32]) -> None:
        self._count = None
        for start in range(0, len(entries), self.max_batch):
            chunk = entries[start : start + self.max_batch]
            self.collection.upsert(
                ids=[e.path for e in chunk],
                embeddings=vectors[start : start + len(chunk)],
                metadatas=[{"hash": e.hash, "text": e.text_hash} for e in chunk],
            )

    def update_metadata(self, entries: Sequence[Entry]) -> None:
        self._count = None
        for start in range(0, len(entries), self.max_batch):
            chunk = entries[start : start + self.max_batch]
            self.collection.update(
                ids=[e.path for e in chunk],
                metadatas=[{"hash": e.hash, "text": e.text_hash} for e in chunk],
            )

    def delete(self, paths: Sequence[str]) -> None:
        self._count = None
        for start in range(0, len(paths), self.max_batch):
            self.collection.delete(ids=list(paths[start : start + self.max_batch]))


class EntryMirror(Protocol):
    """A cheap local copy of the collection's records: path -> (hash, text hash)."""

    def load(self) -> dict[str, tuple[str, str]]: ...

    def replace(self, entries: dict[str, tuple[str, str]]) -> None: ...

    def update(self, upserts: dict[str, tuple[str, str]], deletes: Collection[str]) -> None: ...


def _stored_entries(index: LinkIndex, mirror: EntryMirror | None) -> dict[str, tuple[str, str]]:
    """path -> (hash, text hash) of the records: from the mirror when its size matches the
    collection's, else read back from Chroma (and the mirror rebuilt)."""
    if mirror is not None:
        copy = mirror.load()
        if len(copy) == index.count():
            return copy
    entries = {p: (e.hash, e.text_hash) for p, e in index.entries().items()}
    if mirror is not None:
        mirror.replace(entries)
    return entries


def sync_index(
    index: LinkIndex,
    items: Sequence[tuple[str, str]],
    load_doc: Callable[[str], Any],
    embed: Callable[[Sequence[Any]], npt.NDArray[np.float32]],
    *,
    space: str,
    progress: Callable[[int, int], None] | None = None,
    mirror: EntryMirror | None = None,
    partial: bool = False,
) -> SyncStats:
    """Make the collection hold exactly ``items``, embedding only what changed.

    ``partial``: ``items`` are only the notes changed since the last run, every other record
    is known to be current: none is removed (a watch cycle looks at the changed notes alone).

    ``items`` are (path, content hash). ``load_doc(path)`` returns the note's
    :class:`~vaultcurator.links.text.NoteDoc` or None (nothing to embed, or the file changed
    since the scan); it is called only for notes that are new or changed (or for all of them
    when the vector space changed). ``mirror`` spares reading every record back from Chroma.
    """
    stats = SyncStats()
    stored = _stored_entries(index, mirror)
    reembed_all = index.space != space
    if reembed_all and partial:
        raise ValueError("a new vector space needs every item")
    stats.reembedded_all = reembed_all and bool(items)
    wanted = dict(items)
    removed = [] if partial else [p for p in stored if p not in wanted]
    removed_hashes = {stored[p][0] for p in removed}
    todo = [
        (path, digest)
        for path, digest in items
        if reembed_all or path not in stored or stored[path][0] != digest
    ]
    stats.unchanged = len(items) - len(todo)
    if partial:  # the records not given are the unchanged others
        stats.unchanged += len(stored) - sum(1 for path in wanted if path in stored)
    to_embed: list[tuple[Entry, Any]] = []
    meta_only: list[Entry] = []
    drop: list[str] = []
    for position, (path, digest) in enumerate(todo):
        if progress is not None and position % 200 == 0:
            progress(position, len(todo))
        doc = load_doc(path)
        before = stored.get(path)
        if doc is None:
            stats.skipped.append(path)
            if before is not None:
                drop.append(path)
            continue
        entry = Entry(path, digest, doc.text_hash())
        if before is None:
            if digest in removed_hashes:
                stats.renamed += 1
            else:
                stats.added += 1
        elif not reembed_all:
            stats.changed += 1
        if not reembed_all and before is not None and before[1] == entry.text_hash:
            meta_only.append(entry)
        else:
            to_embed.append((entry, doc))
    if progress is not None:
        progress(len(todo), len(todo))
    written: list[Entry] = []
    if to_embed:
        vectors = embed([doc for _, doc in to_embed])
        usable = np.linalg.norm(vectors, axis=1) > 0
        for (entry, _), ok in zip(to_embed, usable, strict=True):
            if not ok:
                stats.skipped.append(entry.path)
                if entry.path in stored:
                    drop.append(entry.path)
        fresh = [e for (e, _), ok in zip(to_embed, usable, strict=True) if ok]
        if fresh:
            index.upsert(fresh, vectors[usable])
            written.extend(fresh)
        stats.embedded = len(fresh)
    if meta_only:
        index.update_metadata(meta_only)
        written.extend(meta_only)
    gone = removed + drop
    if gone:
        index.delete(gone)
    stats.deleted = len(removed)
    # ``stored`` held every record: the count follows without asking Chroma again
    new = sum(1 for e in written if e.path not in stored)
    index.known_count(len(stored) + new - sum(1 for p in gone if p in stored))
    if mirror is not None:
        mirror.update({e.path: (e.hash, e.text_hash) for e in written}, gone)
    if reembed_all:
        index.set_space(space)
    return stats
