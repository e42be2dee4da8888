"""custom_id: n{index:06d}_{slug}, [A-Za-z0-9_-]{1,64}, unique because the index is."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from vaultcurator.curation.requests import CUSTOM_ID_PATTERN, custom_id_for

paths = st.text(min_size=1, max_size=400).map(lambda s: s + ".md")


def test_readable_slug_from_the_path() -> None:
    assert custom_id_for(7, "Cooking/Recipes/Miso Soup.md") == "n000007_Cooking_Recipes_Miso_Soup"
    assert custom_id_for(12, "Café/Crème brûlée.md") == "n000012_Cafe_Creme_brulee"


def test_emoji_and_cjk_fold_away_and_never_leave_an_empty_slug() -> None:
    assert custom_id_for(3, "Inbox/Ideas 💡.md") == "n000003_Inbox_Ideas"
    assert custom_id_for(4, "読書メモ.md") == "n000004_note"
    assert custom_id_for(5, "💡💡.md") == "n000005_note"


def test_long_path_keeps_the_file_name_end_within_64() -> None:
    path = "/".join(["Very Long Folder Name"] * 10) + "/The Actual Note Title.md"
    cid = custom_id_for(123456, path)
    assert len(cid) <= 64
    assert cid.startswith("n123456_")
    assert cid.endswith("The_Actual_Note_Title")


def test_indexes_beyond_six_digits_still_fit() -> None:
    cid = custom_id_for(12_345_678, "x" * 200 + ".md")
    assert cid.startswith("n12345678_") and len(cid) == 64


@given(index=st.integers(min_value=0, max_value=9_999_999), path=paths)
def test_always_matches_the_api_pattern(index: int, path: str) -> None:
    cid = custom_id_for(index, path)
    assert CUSTOM_ID_PATTERN.match(cid), cid
    assert re.match(rf"n{index:06d}_", cid)


@given(st.lists(paths, min_size=2, max_size=40))
def test_unique_across_a_job_even_for_identical_slugs(paths_list: list[str]) -> None:
    ids = [custom_id_for(i, p) for i, p in enumerate(paths_list)]
    assert len(set(ids)) == len(ids)
