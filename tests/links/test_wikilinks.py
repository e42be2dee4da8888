"""Parsing links, resolving them like Obsidian, and writing the shortest unambiguous link."""

from __future__ import annotations

from pathlib import Path

from vaultcurator.links.wikilinks import (
    LinkResolver,
    body_links,
    frontmatter_links,
    linkpath,
    vault_markdown_paths,
)

PATHS = [
    "Home.md",
    "Cooking/Kimchi.md",
    "Cooking/Index.md",
    "Finance/Index.md",
    "Index.md",
    "Archive/EXPORT.MD",
    "Reading/C# Notes.md",
    "Journal/2026/2026-02-03.md",
]


def test_body_links_cover_wikilinks_embeds_and_markdown_links_but_not_code() -> None:
    body = (
        "See [[Kimchi|the recipe]] and [[Home#Start]] and ![[Index]].\n"
        "A [local](Finance/Index.md) and a [web](https://example.com/x.md) link.\n"
        "`[[Inline code]]`\n```\n[[Fenced]]\n```\n%% [[Commented]] %%\n"
    )
    assert body_links(body) == ["Kimchi", "Home", "Index", "Finance/Index.md"]


def test_frontmatter_links_are_found_in_any_property_except_skipped() -> None:
    meta = {"up": "[[Home]]", "related": ["[[Kimchi]]"], "nested": {"x": ["[[Index|i]]"]}}
    assert sorted(frontmatter_links(meta)) == ["Home", "Index", "Kimchi"]
    assert sorted(frontmatter_links(meta, skip=["related"])) == ["Home", "Index"]


def test_linkpath_drops_heading_block_and_alias() -> None:
    assert linkpath("Note#Heading|alias") == "Note"
    assert linkpath("Folder/Note#^block") == "Folder/Note"


def test_resolution_is_case_insensitive_and_prefers_exact_then_relative_paths() -> None:
    resolver = LinkResolver(PATHS)
    assert resolver.resolve("kimchi") == "Cooking/Kimchi.md"
    assert resolver.resolve("Cooking/Index") == "Cooking/Index.md"
    assert resolver.resolve("Index") == "Index.md"  # the vault-root path matches exactly
    assert resolver.resolve("Index.md", "Finance/Budget.md") == "Index.md"
    assert resolver.resolve("2026-02-03") == "Journal/2026/2026-02-03.md"
    assert resolver.resolve("Missing") is None
    assert resolver.resolve("ferris.png") is None


def test_link_text_is_the_name_when_unique_and_the_path_when_names_clash() -> None:
    resolver = LinkResolver(PATHS)
    assert resolver.wikilink("Cooking/Kimchi.md") == "[[Kimchi]]"
    assert resolver.wikilink("Cooking/Index.md") == "[[Cooking/Index]]"
    assert resolver.wikilink("Finance/Index.md") == "[[Finance/Index]]"
    assert resolver.wikilink("Index.md") == "[[Index]]"
    assert resolver.wikilink("Archive/EXPORT.MD") == "[[EXPORT.MD]]"
    for path in PATHS:
        text = resolver.link_text(path)
        if text is not None:
            assert resolver.resolve(text, "Some/Other/Note.md") == path


def test_names_obsidian_cannot_link_are_skipped() -> None:
    assert LinkResolver(PATHS).wikilink("Reading/C# Notes.md") is None


def test_every_markdown_file_counts_for_clashes_even_outside_the_scan(fixture_vault: Path) -> None:
    paths = vault_markdown_paths(fixture_vault)
    assert "Templates/Daily Note.md" in paths
    assert not any(p.startswith((".obsidian/", ".trash/")) for p in paths)
