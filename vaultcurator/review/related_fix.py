"""Related links re-resolved at apply time: never write a link that points nowhere.

Between a proposal and its apply, a target may have been renamed, moved or deleted. Each
entry of the related list is resolved again against the vault on disk: one that resolves is
written as is; one whose target moved (a Markdown file that was not there at the last links
run holds the target's exact content) is rewritten to the new name, in the shortest form
Obsidian resolves; one whose target is gone is dropped. Plain-text entries, and links that
pointed nowhere already at the last links run, are the author's and are kept. A property that
was one value stays one value while the list holds one entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaultcurator.store import links_state
from vaultcurator.store.db import Store
from vaultcurator.vault.frontmatter import parse
from vaultcurator.vault.model import sha256_hex
from vaultcurator.vault.wikilinks import (
    LinkResolver,
    links_in_value,
    property_items,
    vault_markdown_paths,
    whole_link_names,
)


def shaped(value_before: Any, entries: list[str]) -> Any:
    """One string when the property was one string and still holds one entry; else a list."""
    if isinstance(value_before, str) and len(entries) == 1:
        return entries[0]
    return list(entries)


class RelatedFixer:
    """Re-resolves related entries against the vault as it is now (one per apply run)."""

    def __init__(self, root: Path, store: Store | None, key: str) -> None:
        self.root = root
        self.store = store
        self.key = key
        self._now: list[str] | None = None
        self._resolver: LinkResolver | None = None
        self._then: LinkResolver | None = None
        self._before: dict[str, str] = {}
        self._moved: dict[str, str] | None = None

    @property
    def resolver(self) -> LinkResolver:
        if self._resolver is None:
            self._now = vault_markdown_paths(self.root)
            self._resolver = LinkResolver(self._now)
        return self._resolver

    def _old_target(self, link: str, source: str) -> str | None:
        """What ``link`` pointed to at the last links run (content hashes remembered there)."""
        if self._then is None:
            if self.store is not None:
                known = links_state.load_outgoing(self.store)
                self._before = {path: found[0] for path, found in known.items()}
            self._then = LinkResolver(self._before)
        return self._then.resolve(link, source)

    def _new_home(self, old: str) -> str | None:
        if self._moved is None:
            wanted = {digest: path for path, digest in self._before.items()}
            self._moved = {}
            for path in self._now or []:
                if path in self._before:
                    continue
                try:
                    digest = sha256_hex((self.root / path).read_bytes())
                except OSError:
                    continue
                if digest in wanted:
                    self._moved[wanted[digest]] = path
        return self._moved.get(old)

    def entry(self, raw: str, source: str) -> str | None:
        """The entry to write: as is, renamed to where its target moved, or None (gone)."""
        links = links_in_value(raw)
        if not links:
            return raw
        if all(self.resolver.resolve(link, source) for link in links):
            return raw
        whole = whole_link_names(raw)
        if whole and all(self.resolver.resolve(name, source) for name in whole):
            return raw
        if len(links) != 1:
            return None
        old = self._old_target(links[0], source)
        if old is None:  # it pointed nowhere known before either: the author's text, kept
            return raw
        home = self._new_home(old)
        return None if home is None else self.resolver.wikilink(home)

    def __call__(self, path: str, updates: dict[str, Any]) -> dict[str, Any]:
        """``updates`` with the related list re-resolved and shaped like the property now."""
        if self.key not in updates:
            return updates
        fixed = [e for raw in property_items(updates[self.key]) if (e := self.entry(raw, path))]
        before: Any = None
        try:
            parsed = parse((self.root / path).read_bytes())
            if parsed.ok:
                before = parsed.frontmatter.get(self.key)
        except OSError:
            pass
        return {**updates, self.key: shaped(before, list(dict.fromkeys(fixed)))}
