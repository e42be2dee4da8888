"""The Chat Completions fake is strict where the engine could go wrong (so engine tests mean
something), driven here through the real openai SDK."""

from __future__ import annotations

import json

import openai
import pytest

from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def client(fake_openai: FakeOpenAI) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake_openai.base_url, api_key="k", max_retries=0)


def ask(client: openai.OpenAI, **extra: object) -> str:
    body: dict[str, object] = {
        "model": "llama3.2",
        "messages": [{"role": "user", "content": "note MARKER-abc1q"}],
    }
    body.update(extra)
    reply = client.chat.completions.create(**body)  # type: ignore[call-overload]
    return str(reply.choices[0].message.content)


def test_answers_echo_the_request(client: openai.OpenAI) -> None:
    schema = {"name": "a", "schema": {"type": "object"}}
    answer = json.loads(ask(client, response_format={"type": "json_schema", "json_schema": schema}))
    assert answer["tags"][0] == "fake/marker-abc1q"
    assert "MARKER-abc1q" in answer["description"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"top_k": 3}, "Unrecognized request argument supplied: top_k"),
        ({"response_format": {"type": "json_object"}}, "must contain the word 'json'"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "a b"}}}, "name"),
        ({"response_format": {"type": "yaml"}}, "is invalid"),
        ({"max_tokens": 0}, "max_tokens must be a positive integer"),
    ],
)
def test_bad_requests_are_400(
    client: openai.OpenAI, extra: dict[str, object], message: str
) -> None:
    with pytest.raises(openai.BadRequestError, match=message):
        ask(client, extra_body=extra)


def test_unknown_model_is_ollamas_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="try pulling it first"):
        ask(client, model="nope")


def test_unsupported_format_and_faults(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.supported_formats = frozenset({"text"})
    with pytest.raises(openai.BadRequestError, match="response_format type json_object"):
        ask(
            client,
            response_format={"type": "json_object"},
            messages=[{"role": "user", "content": "answer in JSON: MARKER-abc1q"}],
        )
    fake_openai.fail_next(500)
    with pytest.raises(openai.InternalServerError):
        ask(client)
    fake_openai.bad_answer_next()
    with pytest.raises(json.JSONDecodeError):
        json.loads(ask(client))
    assert "Here is the JSON" in ask(client)  # no response_format: an unconstrained model
