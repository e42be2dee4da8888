"""The body budget in estimated tokens: head, headings of the cut middle, tail; any script."""

from __future__ import annotations

from vaultcurator.config import CurationSettings
from vaultcurator.curation.prompts import trim_body
from vaultcurator.curation.tokens import estimate_tokens

BUDGET = CurationSettings().body_token_budget


def long_english() -> str:
    sections = []
    for i in range(40):
        sections.append(f"## Section {i}: topic-{i}\n")
        sections.append(f"Paragraph {i} explains the plan and the open questions in detail. " * 8)
    return "INTRO-START the backup plan.\n\n" + "\n".join(sections) + "\nCLOSING-END\n"


def test_default_budget_is_under_2000_characters_of_english() -> None:
    assert 300 <= BUDGET <= 600
    trimmed = trim_body(long_english(), BUDGET)
    assert 1_200 <= len(trimmed) <= 2_200
    assert estimate_tokens(trimmed) <= BUDGET + 40  # the marker line


def test_long_note_keeps_head_outline_and_tail() -> None:
    body = long_english()
    trimmed = trim_body(body, BUDGET)
    assert trimmed.startswith("INTRO-START")
    assert trimmed.rstrip().endswith("CLOSING-END")
    assert "characters omitted from the middle of the note; its headings:" in trimmed
    # Headings of the cut middle are listed in order, and are not all of them repeated text.
    outline = trimmed.split("its headings:]\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(outline) >= 3 and all(line.startswith("## Section") for line in outline)
    numbers = [int(line.split()[2].rstrip(":")) for line in outline]
    assert numbers == sorted(numbers)


def test_non_latin_note_is_cut_by_tokens_not_characters() -> None:
    body = (
        "始まり。\n" + ("日本語の長いメモです。内容はとても詳しい説明です。\n" * 400) + "終わり。\n"
    )
    trimmed = trim_body(body, BUDGET)
    assert trimmed.startswith("始まり") and trimmed.rstrip().endswith("終わり。")
    assert estimate_tokens(trimmed) <= BUDGET + 40
    # ~2,000 characters of Japanese would be ~2,000 tokens: far fewer characters are kept.
    assert len(trimmed) < 800


def test_short_and_stub_notes_are_untouched() -> None:
    assert trim_body("", BUDGET) == ""
    assert trim_body("# Stub\n", BUDGET) == "# Stub\n"
