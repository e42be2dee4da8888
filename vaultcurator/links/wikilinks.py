"""Links between notes as Obsidian sees them: moved to :mod:`vaultcurator.vault.wikilinks`.

Re-exported here for the links package: apply (in ``review``) needs the same resolution
rules, and may not import ``links``.
"""

from vaultcurator.vault.wikilinks import (
    LinkResolver,
    body_links,
    frontmatter_links,
    linkpath,
    links_in_value,
    property_items,
    strip_code,
    vault_markdown_paths,
)

__all__ = [
    "LinkResolver",
    "body_links",
    "frontmatter_links",
    "linkpath",
    "links_in_value",
    "property_items",
    "strip_code",
    "vault_markdown_paths",
]
