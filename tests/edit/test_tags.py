"""Tag rules: table-driven cases plus properties (always valid, idempotent)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultcurator.vault.tags import is_valid_tag, normalize_tag, normalize_tags


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("python", "python"),
        ("#Python", "python"),
        ("  ##machine learning  ", "machine-learning"),
        ("C++", "cpp"),
        ("C#", "csharp"),
        ("F#", "fsharp"),
        ("node.js", "nodejs"),
        (".NET", "dotnet"),
        ("ASP.NET Core", "aspnet-core"),
        ("R&D", "r-and-d"),
        ("rock & roll", "rock-and-roll"),
        ("Café", "café"),
        ("Ünïcödé Stuff", "ünïcödé-stuff"),
        ("日本語", "日本語"),
        ("programming/Python", "programming/python"),
        ("/leading/trailing/", "leading/trailing"),
        ("a//b", "a/b"),
        ("foo -- bar", "foo-bar"),
        ("it's", "its"),
        ("snake_case", "snake_case"),
        ("y2024", "y2024"),
        ("projects/2024", "projects/2024"),
        ("status: done!", "status-done"),
        ("lang/C++", "lang/cpp"),
        ("2024", None),
        ("###", None),
        ("", None),
        ("   ", None),
        ("12/34", None),
        ("-/-", None),
        ("🎉", None),
        ("\u0301", None),
        ("İstanbul", "i\u0307stanbul"),
    ],
)
def test_normalize_tag(candidate: str, expected: str | None) -> None:
    assert normalize_tag(candidate) == expected


@pytest.mark.parametrize(
    ("tag", "valid"),
    [
        ("python", True),
        ("a/b", True),
        ("x_1", True),
        ("café", True),
        ("_", True),
        ("2024", False),
        ("a b", False),
        ("#a", False),
        ("a/", False),
        ("/a", False),
        ("a//b", False),
        ("", False),
        ("a.b", False),
        ("1/2", False),
    ],
)
def test_is_valid_tag(tag: str, valid: bool) -> None:
    assert is_valid_tag(tag) is valid


def test_normalize_tags_dedupes_and_keeps_the_vaults_casing() -> None:
    tags = normalize_tags(
        ["MachineLearning", "python", "Python", "#PYTHON", "2024", "Data Science", "c++"],
        existing=["MachineLearning", "#Python", "not valid!"],
    )
    assert tags == ["MachineLearning", "Python", "data-science", "cpp"]


def test_normalize_tags_limit_counts_kept_tags() -> None:
    assert normalize_tags(["2024", "a", "A", "b", "c"], limit=2) == ["a", "b"]


@given(st.text(max_size=40))
def test_normalized_tags_are_valid_and_stable(candidate: str) -> None:
    tag = normalize_tag(candidate)
    if tag is None:
        return
    assert is_valid_tag(tag)
    assert normalize_tag(tag) == tag
    assert tag == tag.lower()


@given(st.lists(st.text(max_size=12), max_size=8), st.lists(st.text(max_size=12), max_size=8))
def test_normalize_tags_output_is_valid_and_case_unique(
    candidates: list[str], existing: list[str]
) -> None:
    tags = normalize_tags(candidates, existing)
    assert all(is_valid_tag(t) for t in tags)
    assert len({t.casefold() for t in tags}) == len(tags)
