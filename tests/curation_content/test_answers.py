"""parse_answer: good answers normalised, malformed ones rejected whole, usage always kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anthropic.types import Message

from vaultcurator.curation.answers import (
    ANSWER_TAGS_CEILING,
    INVALID_OUTPUT,
    InvalidAnswer,
    KnownTags,
    outcome_from_message,
    parse_answer,
    shorten,
    usage_from,
)

USAGE = {"input_tokens": 900, "output_tokens": 40, "cache_read_input_tokens": 4100}


def message(content: Any, *, stop: str = "end_turn", kind: str = "text") -> dict[str, Any]:
    if kind == "tool_use":
        block = {"type": "tool_use", "id": "toolu_1", "name": "curate", "input": content}
    else:
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        block = {"type": "text", "text": text}
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5",
        "content": [block],
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": USAGE,
    }


GOOD = {"tags": ["cooking/recipes", "fermentation", "korean"], "description": "How to make kimchi."}


def test_good_answer() -> None:
    answer = parse_answer(message(GOOD))
    assert answer.tags == ["cooking/recipes", "fermentation", "korean"]
    assert answer.description == "How to make kimchi."


def test_sdk_message_object_is_accepted() -> None:
    answer = parse_answer(Message.model_validate(message(GOOD)))
    assert answer.tags[0] == "cooking/recipes"


def test_code_fence_and_tool_use_are_accepted() -> None:
    fenced = "```json\n" + json.dumps(GOOD) + "\n```"
    assert parse_answer(message(fenced)).tags == GOOD["tags"]
    assert parse_answer(message(GOOD, kind="tool_use")).description == GOOD["description"]


def test_tags_go_through_the_tag_rules_and_reuse_vault_casing() -> None:
    data = {
        "tags": ["#Machine Learning", "MOC", "2024", "python", "Python", "", "C++"],
        "description": "x y",
    }
    answer = parse_answer(message(data), KnownTags(["MOC", "machine-learning"]))
    assert answer.tags == ["machine-learning", "MOC", "python", "cpp"]


def test_a_runaway_answer_is_bounded_in_the_models_order() -> None:
    # curation.max_tags is applied by the tag policy (see test_max_tags.py); parsing only
    # bounds an answer that lists far more tags than any setting would keep.
    data = {"tags": [f"topic-{i}" for i in range(100)], "description": "Many."}
    kept = parse_answer(message(data)).tags
    assert kept == [f"topic-{i}" for i in range(ANSWER_TAGS_CEILING)]


def test_description_is_one_line_and_shortened_at_a_word_boundary() -> None:
    long_text = "word " * 80
    data = {"tags": ["a-tag"], "description": "  First line\n\tsecond\x00 line.  "}
    assert parse_answer(message(data)).description == "First line second line."
    cut = parse_answer(message({"tags": ["a-tag"], "description": long_text})).description
    assert len(cut) <= 160 and cut.endswith("word…") and "\n" not in cut
    assert shorten("長" * 300) == "長" * 159 + "…"


def test_a_stub_may_get_no_tag() -> None:
    answer = parse_answer(message({"tags": [], "description": "An empty placeholder."}))
    assert answer.tags == [] and answer.description == "An empty placeholder."


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("Sure! Here are some tags: cooking, food", "not a JSON object"),
        (json.dumps(GOOD) + "\nHope this helps!", "not a JSON object"),
        ([GOOD], "not an object"),
        ({"tags": "cooking", "description": "x"}, "tags must be a list of strings"),
        ({"tags": ["ok", 3], "description": "x"}, "tags must be a list of strings"),
        ({"tags": ["ok"], "description": ["x"]}, "description must be a string"),
        ({"tags": ["2024", "!!!", "   "], "description": "x"}, "no valid tag"),
        ({"tags": ["ok"], "description": " \n\t "}, "empty description"),
        ({"tags": ["ok"]}, "description must be a string"),
        ({**GOOD, "path": "../../x"}, "unexpected keys in answer: path"),
        ("", "reply has no text"),
    ],
)
def test_malformed_answers_are_rejected(content: Any, reason: str) -> None:
    with pytest.raises(InvalidAnswer, match=reason):
        parse_answer(message(content))


def test_truncated_and_refused_answers_are_rejected() -> None:
    with pytest.raises(InvalidAnswer, match="max_tokens"):
        parse_answer(message('{"tags": ["a"], "descr', stop="max_tokens"))
    with pytest.raises(InvalidAnswer, match="refused"):
        parse_answer(message("I can't help with that.", stop="refusal"))


def test_outcome_success_and_invalid_output_both_carry_usage() -> None:
    ok = outcome_from_message("n000001_a", message(GOOD), True, ())
    assert ok.kind == "succeeded" and ok.answer is not None and ok.via_batch
    assert ok.usage.input_tokens == 900 and ok.usage.cache_read_input_tokens == 4100
    bad = outcome_from_message("n000002_b", message("not json"), False, ())
    assert bad.kind == "errored" and bad.error_type == INVALID_OUTPUT and bad.retryable
    assert bad.answer is None and bad.usage.output_tokens == 40
    assert bad.error and "not a JSON object" in bad.error


def test_usage_from_tolerates_missing_counts() -> None:
    usage = usage_from(
        {"usage": {"input_tokens": 3, "output_tokens": 2, "cache_creation_input_tokens": None}}
    )
    assert (usage.input_tokens, usage.output_tokens, usage.cache_creation_input_tokens) == (3, 2, 0)
    assert usage_from({}).input_tokens == 0
