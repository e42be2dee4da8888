"""Notes whose tags or description curation cannot write back faithfully are left alone.

A ``description: {x: 1}`` used to come back as the text ``"{'x': 1}"``, ``tags: {a: 1}`` as
``a-1`` and ``tags: 42`` as ``[]``: the author's value replaced by a rendering of it. Such a
note is now reported with its reason and never written, on every engine (selection decides).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaultcurator.cli import main
from vaultcurator.curation.plan import unsupported_shape

ODD = {
    "desc-mapping.md": "---\ndescription: {x: 1}\ntags: [a]\n---\nSome text about gardens.\n",
    "desc-list.md": "---\ndescription:\n  - first\n  - second\n---\nText.\n",
    "desc-number.md": "---\ndescription: 42\n---\nText.\n",
    "tags-mapping.md": "---\ntags: {a: 1}\n---\nText about tomatoes.\n",
    "tags-number.md": "---\ntags: 42\n---\nText about tomatoes.\n",
    "tags-mixed.md": "---\ntags: [garden, 2024]\n---\nText about tomatoes.\n",
    "Tags-key.md": "---\nTags: {a: 1}\n---\nText.\n",
}
FINE = {
    "plain.md": "---\ntags: [garden]\ndescription: A note.\n---\nTomatoes and basil.\n",
    "string-tags.md": "---\ntags: garden, kitchen\n---\nTomatoes.\n",
    "bare.md": "Just a body about tomatoes and gardens.\n",
}


@pytest.mark.parametrize(
    ("frontmatter", "expected"),
    [
        ({"description": {"x": 1}}, "description is a mapping, not text; left alone"),
        ({"description": ["a"]}, "description is a list, not text; left alone"),
        ({"description": True}, "description is a true/false value, not text; left alone"),
        ({"tags": 42}, "tags is a number, not a list of tags; left alone"),
        ({"tags": ["a", 2024]}, "tags holds a number (2024), not a tag; left alone"),
        ({"Tags": {"a": 1}}, "Tags is a mapping, not a list of tags; left alone"),
        ({"tags": ["a", None], "description": "ok"}, None),
        ({"tags": "a b"}, None),
        ({}, None),
    ],
)
def test_unsupported_shape(frontmatter: dict[str, object], expected: str | None) -> None:
    assert unsupported_shape(frontmatter) == expected


def test_local_curation_with_yes_leaves_them_byte_identical(tmp_path: Path, capsys) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    for name, text in {**ODD, **FINE}.items():
        (vault / name).write_text(text, encoding="utf-8")
    before = {name: (vault / name).read_bytes() for name in ODD}
    code = main(["curate", str(vault), "--engine", "local", "--yes", "--no-links", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert {name: (vault / name).read_bytes() for name in ODD} == before
    reported = {item["path"]: item["reason"] for item in report["invalid_notes"]}
    assert set(reported) == set(ODD)
    assert all(reason.endswith("left alone") for reason in reported.values())
    assert report["selected"] == len(FINE)
