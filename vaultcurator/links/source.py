"""What the links step knows about each note: its embedded text, its links, its related list.

A warm rescan keeps no bodies, so a body is read from disk only when needed (to embed a new
or changed note, or to learn the links of a note not seen before) and used only if the file
still hashes to what the scan saw; otherwise the note changed since the scan and is left for
the next run. Body links are remembered per content hash (``links_outgoing``), so a run over
an unchanged vault knows every note's links and backlinks without reading any file.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from vaultcurator.links.text import NoteDoc, note_doc
from vaultcurator.links.wikilinks import (
    LinkResolver,
    body_links,
    links_in_value,
    property_items,
)
from vaultcurator.store import links_state as state
from vaultcurator.store.db import Store
from vaultcurator.store.links_state import Outgoing
from vaultcurator.vault.frontmatter import parse
from vaultcurator.vault.model import Note, sha256_hex


class NoteSource:
    """Loads the notes of one inventory on demand, memoised."""

    def __init__(
        self,
        root: Path,
        notes: list[Note],
        resolver: LinkResolver,
        *,
        related_key: str,
        keep_links: bool = True,
        store: Store | None = None,
        paths: list[str] | None = None,
    ) -> None:
        """``paths``: the notes' paths when every note given is valid (spares a pass)."""
        self.root = root
        if paths is not None:
            self.notes = dict(zip(paths, notes, strict=True))
        else:
            self.notes = {n.path: n for n in notes if n.status == "ok"}
        self.resolver = resolver
        self.related_key = related_key
        self.keep_links = keep_links
        self.store = store
        self.known_links: dict[str, Outgoing] = {}
        """Links remembered from earlier runs (loaded from the store on demand)."""
        self.fresh_links: dict[str, Outgoing] = {}
        """Links read this run, to be remembered."""
        self._asked: set[str] = set()
        self.changed_since_scan: set[str] = set()
        self._docs: dict[str, NoteDoc | None] = {}
        self._links: dict[str, frozenset[str]] = {}

    def note(self, path: str) -> Note:
        return self.notes[path]

    def _body(self, note: Note) -> str | None:
        if note.body is not None:
            return note.body
        try:
            data = note.abspath(self.root).read_bytes()
        except OSError:
            self.changed_since_scan.add(note.path)
            return None
        if sha256_hex(data) != note.hash:
            self.changed_since_scan.add(note.path)
            return None
        parsed = parse(data)
        if parsed.layout is None or not parsed.ok:
            return None
        return parsed.layout.body

    def _read(self, path: str) -> None:
        note = self.notes.get(path)
        body = None if note is None else self._body(note)
        if note is None or body is None:
            self._docs[path] = None
            return
        tags = list(dict.fromkeys([*note.tags, *note.inline_tags]))
        self._docs[path] = note_doc(
            note.path,
            note.title,
            note.frontmatter,
            tags,
            note.description,
            body,
            related_key=self.related_key,
            keep_links=self.keep_links,
        )
        props = {
            str(key): found
            for key, value in note.frontmatter.items()
            if (found := links_in_value(value))
        }
        self.fresh_links[path] = (note.hash, body_links(body), props)

    def doc(self, path: str) -> NoteDoc | None:
        """The note's text to embed; None when unreadable or nothing but a title."""
        if path not in self._docs:
            self._read(path)
        doc = self._docs[path]
        return None if doc is None or doc.empty else doc

    def doc_any(self, path: str) -> NoteDoc | None:
        """The note's text even when it is nothing but a title (indexed by its names)."""
        if path not in self._docs:
            self._read(path)
        return self._docs[path]

    def preload_links(self, paths: Collection[str] | None = None) -> None:
        """Fetch remembered links in one query (all notes when ``paths`` is None)."""
        if self.store is None:
            return
        self.known_links.update(state.load_outgoing(self.store, paths))
        self._asked.update(self.notes if paths is None else paths)

    def raw_links(self, path: str) -> list[str] | None:
        """Link paths as written (body and properties but the related one), unresolved.

        None when the note cannot be read (changed since the scan).
        """
        note = self.notes.get(path)
        if note is None:
            return None
        known = self.fresh_links.get(path) or self.known_links.get(path)
        if (known is None or known[0] != note.hash) and path not in self._asked:
            self.preload_links([path])
            known = self.known_links.get(path)
        if known is None or known[0] != note.hash:
            if path not in self._docs:
                self._read(path)
            known = self.fresh_links.get(path)
            if known is None:
                return None
        _, body, props = known
        return [
            *body,
            *(link for key, links in props.items() if key != self.related_key for link in links),
        ]

    def links(self, path: str) -> frozenset[str] | None:
        """Paths of the notes it links to (body, embeds, any property but the related one)."""
        if path not in self._links:
            raw = self.raw_links(path)
            if raw is None:
                return None
            found = {self.resolver.resolve(link, path) for link in raw}
            self._links[path] = frozenset(p for p in found if p)
        return self._links[path]

    def related(self, path: str) -> list[str]:
        """The related property's entries as written."""
        return property_items(self.notes[path].frontmatter.get(self.related_key))

    def related_targets(self, items: list[str] | tuple[str, ...], source: str) -> frozenset[str]:
        """Where a related list points: resolved paths, or ``?text`` for what does not resolve.

        Two lists with the same targets are the same proposal, however each link is spelled.
        """
        out: set[str] = set()
        for item in items:
            links = links_in_value(item)
            if not links:
                out.add("?" + item)
            for link in links:
                out.add(self.resolver.resolve(link, source) or "?" + link)
        return frozenset(out)
