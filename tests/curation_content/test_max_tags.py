"""``curation.max_tags`` is honoured end to end: the prompt asks for it, answers are not cut
below it, and the tag policy keeps that many (8 used to be hard-coded in two places)."""

from __future__ import annotations

from vaultcurator.curation.answers import validate_answer
from vaultcurator.curation.prompts import SYSTEM_TEMPLATE, load_template, render_system
from vaultcurator.curation.tag_policy import decide

TWELVE = [f"topic/t{i:02d}" for i in range(12)]


def test_the_prompt_asks_for_the_configured_maximum() -> None:
    template = load_template(SYSTEM_TEMPLATE, None)
    text_12, _ = render_system(template, [("a", 1)], 500, max_tags=12)
    text_8, _ = render_system(template, [("a", 1)], 500)
    assert "Up to 12" in text_12
    assert "Up to 8" in text_8


def test_an_answer_with_more_than_eight_tags_reaches_the_policy_whole() -> None:
    answer = validate_answer({"tags": TWELVE, "description": "A note."})
    assert answer.tags == TWELVE
    assert decide([], answer.tags, max_tags=12).tags == TWELVE
    assert decide([], answer.tags, max_tags=8).tags == TWELVE[:8]


def test_author_tags_count_towards_the_maximum_but_are_never_cut() -> None:
    author = [f"mine{i}" for i in range(10)]
    decision = decide(author, TWELVE, max_tags=12)
    assert decision.tags[:10] == author
    assert decision.tags[10:] == TWELVE[:2]
