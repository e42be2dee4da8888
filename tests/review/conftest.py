"""Helpers for review tests: a workspace on a vault copy and proposals built from real files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from vaultcurator.store.proposals import add_proposal
from vaultcurator.vault import frontmatter as fm
from vaultcurator.workspace import Workspace, open_workspace


@pytest.fixture
def ws(vault_copy: Path) -> Iterator[Workspace]:
    workspace = open_workspace(vault_copy)
    try:
        yield workspace
    finally:
        workspace.close()


def propose(
    ws: Workspace,
    path: str,
    *,
    tags: Sequence[str] | None = None,
    description: str | None = None,
    related: Sequence[str] | None = None,
    base_hash: str | None = None,
) -> int:
    """A proposal for ``path`` built from the file as it is now (as curation would)."""
    data = (ws.root / path).read_bytes()
    parsed = fm.parse(data)
    meta = parsed.frontmatter
    old_related = meta.get(ws.settings.links.property)
    return add_proposal(
        ws.store,
        path=path,
        note_index=0,
        base_hash=base_hash or hashlib.sha256(data).hexdigest(),
        engine="local",
        old_tags=fm.tags_from_property(meta),
        new_tags=tags,
        old_description=fm.description_of(meta),
        new_description=description,
        set_description=description is not None,
        old_related=[str(x) for x in old_related] if isinstance(old_related, list) else None,
        new_related=related,
    )


def vault_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file of the vault except the tool's own state folder."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".vaultcurator" not in p.relative_to(root).parts
    }
