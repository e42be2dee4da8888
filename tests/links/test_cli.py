"""``vaultcurator links`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaultcurator.cli import main
from vaultcurator.links.wikilinks import LinkResolver, links_in_value, vault_markdown_paths
from vaultcurator.vault import frontmatter as fm


def test_links_json_lists_changes_and_applies_nothing(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (vault_copy / "Finance/Index Funds.md").read_bytes()
    assert main(["links", str(vault_copy), "--threshold", "0", "--k", "3", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["embedder"] == "hashed" and document["k"] == 3
    assert document["proposals"] == len(document["changes"]) > 0
    assert (vault_copy / "Finance/Index Funds.md").read_bytes() == before


def test_links_yes_writes_quoted_wikilinks_that_resolve(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["links", str(vault_copy), "--threshold", "0", "--k", "3", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Applied to" in out
    resolver = LinkResolver(vault_markdown_paths(vault_copy))
    written = 0
    for path in vault_markdown_paths(vault_copy):
        data = (vault_copy / path).read_bytes()
        parsed = fm.parse(data)
        if not parsed.ok or "related" not in parsed.frontmatter:
            continue
        related = parsed.frontmatter["related"]
        assert isinstance(related, list)
        text = data.decode("utf-8")
        for item in related:
            assert isinstance(item, str) and item.startswith("[[") and item.endswith("]]")
            target = resolver.resolve(links_in_value(item)[0], path)
            assert target is not None and target != path
            written += 1
            assert f'"{item}"' in text  # quoted, as Obsidian needs for links in properties
    assert written > 0
    capsys.readouterr()
    assert main(["links", str(vault_copy), "--threshold", "0", "--k", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["proposals"] == 0


def test_bad_k_is_a_usage_error(vault_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["links", str(vault_copy), "--k", "0"])
    assert exc.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_unreachable_server_is_a_clear_error(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["links", str(vault_copy), "--chroma-url", f"http://127.0.0.1:{port}"])
    assert code == 1
    assert "not answering" in capsys.readouterr().err
