"""The fake Anthropic server, driven by the real `anthropic` SDK.

These tests pin the wire behaviour other tests rely on: if the SDK can parse what the
fake says (and reacts to its faults as to the real API's), code under test can too.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import anthropic
import httpx
import pytest
from anthropic.types import (
    Message,
    MessageParam,
    TextBlock,
    TextBlockParam,
    ToolParam,
    ToolUseBlock,
)
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from anthropic.types.messages.batch_create_params import Request

from tests.fakes import (
    FakeAnthropic,
    FakeAPIError,
    Reply,
    ResultFault,
    default_responder,
    parse_results_jsonl,
    request_marker,
)
from tests.fakes.fixtures import TEST_API_KEY, fake_anthropic

__all__ = ["fake_anthropic"]  # the fixture, imported explicitly (no conftest here)

MODEL = "claude-haiku-4-5"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "tags": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z0-9_-]+(/[a-z0-9_-]+)*$"},
            "minItems": 1,
            "maxItems": 5,
        },
        "description": {"type": "string", "maxLength": 200},
    },
    "required": ["tags", "description"],
    "additionalProperties": False,
}
OUTPUT_CONFIG: dict[str, Any] = {"format": {"type": "json_schema", "schema": SCHEMA}}


def user(text: str) -> list[MessageParam]:
    return [{"role": "user", "content": text}]


def note_params(marker: str, **extra: Any) -> MessageCreateParamsNonStreaming:
    """Typical curation request: structured output, the marker inside the note text."""
    params = {
        "model": MODEL,
        "max_tokens": 512,
        "messages": user(f"Curate this note.\n\n{marker}: body text"),
        "output_config": OUTPUT_CONFIG,
        **extra,
    }
    return cast(MessageCreateParamsNonStreaming, params)


def request(custom_id: str, marker: str | None = None, **extra: Any) -> Request:
    return {"custom_id": custom_id, "params": note_params(marker or f"MARKER-{custom_id}", **extra)}


def text_of(message: Message) -> str:
    block = message.content[0]
    assert isinstance(block, TextBlock)
    return block.text


def client(fake: FakeAnthropic, **kwargs: Any) -> anthropic.Anthropic:
    kwargs.setdefault("api_key", TEST_API_KEY)
    kwargs.setdefault("max_retries", 0)
    return anthropic.Anthropic(base_url=fake.base_url, **kwargs)


def raw(fake: FakeAnthropic, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request without the SDK, to see exactly what goes over the wire."""
    headers = {"x-api-key": TEST_API_KEY, "anthropic-version": "2023-06-01"}
    headers.update(kwargs.pop("headers", {}))
    return httpx.request(method, fake.base_url + path, headers=headers, timeout=5, **kwargs)


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(seed=7) as server:
        yield server


# --------------------------------------------------------------------------- messages


def test_structured_output_is_schema_valid_and_echoes_marker(
    fake_anthropic: FakeAnthropic,
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    sdk = anthropic.Anthropic(max_retries=0)  # configured purely from the fixture's env
    message = sdk.messages.create(**note_params("MARKER-alpha"))

    assert message.id.startswith("msg_")
    assert message.stop_reason == "end_turn"
    data = json.loads(text_of(message))
    jsonschema.validate(data, SCHEMA)
    assert "MARKER-alpha" in data["description"]
    assert data["tags"][0] == "fake/marker-alpha"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert message.usage.cache_read_input_tokens == 0

    (seen,) = fake_anthropic.requests_to("messages")
    assert seen.body["output_config"] == OUTPUT_CONFIG  # native kwarg, sent in the body
    assert seen.auth_scheme == "bearer"
    assert seen.header("anthropic-version")
    assert TEST_API_KEY not in repr(fake_anthropic.requests)


def test_forced_tool_choice_returns_tool_use(fake: FakeAnthropic) -> None:
    tool: ToolParam = {"name": "record", "description": "Record tags", "input_schema": SCHEMA}
    message = client(fake).messages.create(
        model=MODEL,
        max_tokens=256,
        messages=user("MARKER-tool please"),
        tools=[tool],
        tool_choice={"type": "tool", "name": "record"},
    )
    assert message.stop_reason == "tool_use"
    block = message.content[0]
    assert isinstance(block, ToolUseBlock) and block.name == "record"
    assert "MARKER-tool" in str(block.input["description"])


def test_custom_responder_reply_and_truncation(fake: FakeAnthropic) -> None:
    fake.responder = lambda params: Reply("x" * 400)
    message = client(fake).messages.create(model=MODEL, max_tokens=10, messages=user("hi"))
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 10


def test_responder_fault_becomes_http_error(fake: FakeAnthropic) -> None:
    def responder(params: dict[str, Any]) -> str:
        raise FakeAPIError("overloaded_error", "busy")

    fake.responder = responder
    with pytest.raises(anthropic.OverloadedError) as info:
        client(fake).messages.create(model=MODEL, max_tokens=10, messages=user("hi"))
    assert info.value.status_code == 529
    assert info.value.type == "overloaded_error"
    assert info.value.request_id and info.value.request_id.startswith("req_")


def test_auth_and_version_are_required(fake: FakeAnthropic) -> None:
    fake.valid_api_keys = {TEST_API_KEY}
    with pytest.raises(anthropic.AuthenticationError):
        client(fake, api_key="wrong").messages.create(
            model=MODEL, max_tokens=10, messages=user("hi")
        )

    response = raw(fake, "POST", "/v1/messages", headers={"x-api-key": ""}, json={})
    assert response.status_code == 401
    assert response.headers["request-id"].startswith("req_")
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "authentication_error"
    assert body["request_id"] == response.headers["request-id"]

    response = raw(fake, "POST", "/v1/messages", headers={"anthropic-version": ""}, json={})
    assert response.status_code == 400
    assert "anthropic-version" in response.json()["error"]["message"]

    ok = raw(
        fake, "POST", "/v1/messages/count_tokens", json={"model": MODEL, "messages": user("hi")}
    )
    assert ok.status_code == 200  # the legacy x-api-key header is accepted too


@pytest.mark.parametrize("knob", ["temperature", "top_p", "top_k"])
def test_sampling_parameters_are_rejected(fake: FakeAnthropic, knob: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        client(fake).messages.create(
            model=MODEL, max_tokens=10, messages=user("hi"), extra_body={knob: 0.5}
        )
    assert info.value.type == "invalid_request_error"
    assert knob in str(info.value.api_message)


def test_unknown_model_and_bad_params(fake: FakeAnthropic) -> None:
    sdk = client(fake)
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.create(model="gpt-4", max_tokens=10, messages=user("hi"))
    with pytest.raises(anthropic.BadRequestError, match="Extra inputs"):
        sdk.messages.create(
            model=MODEL, max_tokens=10, messages=user("hi"), extra_body={"output_format": {}}
        )
    with pytest.raises(anthropic.BadRequestError, match="at least 1"):
        sdk.messages.create(model=MODEL, max_tokens=10, messages=[])


def test_429_retry_after_is_honoured(fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK waits exactly what the fake's retry-after says (its own backoff is ~0.5 s)."""
    waits: list[float] = []
    real_sleep = time.sleep

    def recording_sleep(seconds: float) -> None:
        if threading.current_thread() is threading.main_thread():
            waits.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording_sleep)
    fake.faults.fail_next("messages", status=429, times=2, retry_after=0.05)
    message = client(fake, max_retries=2).messages.create(
        model=MODEL, max_tokens=10, messages=user("hi")
    )
    monkeypatch.undo()
    assert message.content
    assert waits == [pytest.approx(0.05), pytest.approx(0.05)]  # waited as told, twice
    calls = fake.requests_to("messages")
    assert [c.status for c in calls] == [429, 429, 200]
    assert [c.header("x-stainless-retry-count") for c in calls] == ["0", "1", "2"]
    assert fake.faults.pending_http == []


def test_http_faults_surface_without_retries(fake: FakeAnthropic) -> None:
    sdk = client(fake)
    fake.faults.fail_next("messages", status=529)
    with pytest.raises(anthropic.OverloadedError):
        sdk.messages.create(model=MODEL, max_tokens=10, messages=user("hi"))
    fake.faults.fail_next("*", status=500)
    with pytest.raises(anthropic.InternalServerError):
        sdk.messages.count_tokens(model=MODEL, messages=user("hi"))
    fake.faults.disconnect_next("messages")
    with pytest.raises(anthropic.APIConnectionError):
        sdk.messages.create(model=MODEL, max_tokens=10, messages=user("hi"))
    fake.faults.delay_next("messages", 0.3)
    with pytest.raises(anthropic.APITimeoutError):
        sdk.messages.create(model=MODEL, max_tokens=10, messages=user("hi"), timeout=0.1)
    assert sdk.messages.create(model=MODEL, max_tokens=10, messages=user("hi")).content


def test_count_tokens_grows_with_prompt(fake: FakeAnthropic) -> None:
    sdk = client(fake)
    short = sdk.messages.count_tokens(model=MODEL, messages=user("hi"))
    long = sdk.messages.count_tokens(model=MODEL, messages=user("hi " * 400))
    assert 0 < short.input_tokens < long.input_tokens


def test_prompt_cache_creation_then_read(fake: FakeAnthropic) -> None:
    sdk = client(fake)
    big = "Vault conventions. " * 1200  # ~5.7k tokens: above haiku-4-5's 4096 minimum
    system: list[TextBlockParam] = [
        {"type": "text", "text": big, "cache_control": {"type": "ephemeral"}}
    ]

    first = sdk.messages.create(model=MODEL, max_tokens=50, system=system, messages=user("a"))
    second = sdk.messages.create(model=MODEL, max_tokens=50, system=system, messages=user("b"))
    assert first.usage.cache_creation_input_tokens and not first.usage.cache_read_input_tokens
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert not second.usage.cache_creation_input_tokens
    assert second.usage.input_tokens < 50

    small: list[TextBlockParam] = [
        {"type": "text", "text": "x" * 8000, "cache_control": {"type": "ephemeral"}}
    ]
    for _ in range(2):  # ~2k tokens: cacheable for sonnet (1024), not for haiku-4-5 (4096)
        below = sdk.messages.create(model=MODEL, max_tokens=5, system=small, messages=user("a"))
        assert not below.usage.cache_creation_input_tokens
        assert not below.usage.cache_read_input_tokens
    sonnet = "claude-sonnet-4-6"
    sdk.messages.create(model=sonnet, max_tokens=5, system=small, messages=user("a"))
    again = sdk.messages.create(model=sonnet, max_tokens=5, system=small, messages=user("a"))
    assert again.usage.cache_read_input_tokens


@pytest.mark.asyncio
async def test_concurrent_async_clients(fake: FakeAnthropic) -> None:
    sdk = anthropic.AsyncAnthropic(base_url=fake.base_url, api_key=TEST_API_KEY, max_retries=0)
    await sdk.messages.create(**note_params("MARKER-warmup"))  # SDK builds its models lazily
    markers = [f"MARKER-n{i}" for i in range(8)]
    # Each answer waits until all eight requests are inside the server at once: a server
    # that served them one by one would break the barrier (timeout) and answer api_error.
    all_in = threading.Barrier(len(markers), timeout=20)

    def together(params: dict[str, Any]) -> Any:
        all_in.wait()
        return default_responder(params)

    fake.responder = together
    messages = await asyncio.gather(
        *(sdk.messages.create(**note_params(marker)) for marker in markers)
    )
    assert fake.server_errors == []
    for marker, message in zip(markers, messages, strict=True):
        assert marker in json.loads(text_of(message))["description"]
    await sdk.close()


# --------------------------------------------------------------------------- batches


def test_batch_lifecycle_with_slow_polls_and_shuffled_results(fake: FakeAnthropic) -> None:
    fake.batches_polls_to_end = 3
    fake.shuffle_results = True
    sdk = client(fake)
    ids = [f"note-{i}" for i in range(8)]
    batch = sdk.messages.batches.create(requests=[request(cid) for cid in ids])
    assert batch.id.startswith("msgbatch_") and batch.type == "message_batch"
    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 8 and batch.results_url is None
    assert (batch.expires_at - batch.created_at).total_seconds() == 24 * 3600

    processing = []
    while batch.processing_status != "ended":
        batch = sdk.messages.batches.retrieve(batch.id)
        counts = batch.request_counts
        assert counts.processing + counts.succeeded == 8
        processing.append(counts.processing)
    assert processing == [6, 3, 0]  # falls with each poll
    assert batch.ended_at is not None
    assert batch.results_url == f"{fake.base_url}/v1/messages/batches/{batch.id}/results"

    lines = list(sdk.messages.batches.results(batch.id))
    got = [line.custom_id for line in lines]
    assert sorted(got) == sorted(ids) and got != ids  # seeded shuffle, every id once
    for line in lines:
        assert line.result.type == "succeeded"
        text = text_of(line.result.message)
        assert f"MARKER-{line.custom_id}" in json.loads(text)["description"]
        assert line.result.message.usage.service_tier == "batch"

    body = raw(fake, "GET", f"/v1/messages/batches/{batch.id}/results")
    assert body.headers["content-type"] == "application/binary"
    assert [line["custom_id"] for line in parse_results_jsonl(body.text)] == got


def test_batch_errored_expired_and_bad_params_lines(fake: FakeAnthropic) -> None:
    fake.faults.result_for("b", "errored", error_type="overloaded_error")
    fake.faults.result_for(lambda cid: cid.startswith("exp"), "expired")
    fake.faults.result_for({"gone"}, "canceled")
    sdk = client(fake)
    requests = [request(cid) for cid in ("a", "b", "exp1", "exp2", "gone")]
    requests.append(request("hot", temperature=1))
    batch = sdk.messages.batches.create(requests=requests)  # bad params: no create-time 400
    batch = sdk.messages.batches.retrieve(batch.id)
    counts = batch.request_counts
    assert (counts.succeeded, counts.errored, counts.expired, counts.canceled) == (1, 2, 2, 1)

    results = {line.custom_id: line.result for line in sdk.messages.batches.results(batch.id)}
    assert results["a"].type == "succeeded"
    assert results["b"].type == "errored"
    assert results["b"].error.type == "error"
    assert results["b"].error.error.type == "overloaded_error"
    assert results["hot"].type == "errored"
    assert results["hot"].error.error.type == "invalid_request_error"
    assert results["exp1"].type == results["exp2"].type == "expired"
    assert results["gone"].type == "canceled"


def test_result_rule_times_lets_a_resubmission_succeed(fake: FakeAnthropic) -> None:
    fake.faults.result_for("a", "errored", error_type="api_error", times=1)
    sdk = client(fake)
    outcomes = []
    for _ in range(2):
        batch = sdk.messages.batches.create(requests=[request("a")])
        outcomes.append(next(iter(sdk.messages.batches.results(batch.id))).result.type)
    assert outcomes == ["errored", "succeeded"]


def test_responder_may_fail_single_batch_requests(fake: FakeAnthropic) -> None:
    def responder(params: dict[str, Any]) -> str | ResultFault:
        if request_marker(params) == "MARKER-bad":
            return ResultFault("errored", "api_error", "boom")
        return "ok"

    fake.responder = responder
    sdk = client(fake)
    batch = sdk.messages.batches.create(requests=[request("good"), request("bad")])
    results = {line.custom_id: line.result for line in sdk.messages.batches.results(batch.id)}
    assert results["good"].type == "succeeded" and results["bad"].type == "errored"


@pytest.mark.parametrize(
    ("custom_ids", "fragment"),
    [
        (["has space"], "pattern"),
        (["x" * 65], "pattern"),
        (["same", "same"], "Duplicate"),
        ([], "between 1 and"),
    ],
)
def test_batch_create_validation(fake: FakeAnthropic, custom_ids: list[str], fragment: str) -> None:
    requests = [request(c, "MARKER-v") for c in custom_ids]
    with pytest.raises(anthropic.BadRequestError, match=fragment):
        client(fake).messages.batches.create(requests=requests)
    assert fake.batch_ids() == []


def test_batch_body_too_large(fake: FakeAnthropic) -> None:
    fake.max_batch_bytes = 2_000
    requests = [request(f"r{i}", "MARKER-big") for i in range(10)]
    with pytest.raises(anthropic.ContentTooLargeError) as info:
        client(fake).messages.batches.create(requests=requests)
    # the SDK's ErrorType literal lacks "request_too_large", so read the raw body
    assert info.value.response.json()["error"]["type"] == "request_too_large"


def test_results_before_end_are_rejected(fake: FakeAnthropic) -> None:
    fake.batches_polls_to_end = None
    fake.batches_seconds_to_end = 60
    sdk = client(fake)
    batch = sdk.messages.batches.create(requests=[request("a")])
    response = raw(fake, "GET", f"/v1/messages/batches/{batch.id}/results")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        sdk.messages.batches.results(batch.id)  # the SDK checks results_url first
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve("msgbatch_missing")
    fake.force_end(batch.id)
    assert next(iter(sdk.messages.batches.results(batch.id))).result.type == "succeeded"


def test_time_driven_batch(fake: FakeAnthropic) -> None:
    fake.batches_polls_to_end = None
    fake.batches_seconds_to_end = 1.0  # wide enough that the first poll always comes before
    sdk = client(fake)
    batch = sdk.messages.batches.create(requests=[request("a")])
    assert sdk.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    deadline = time.monotonic() + 20  # generous: only the end matters, not when it came
    while (status := sdk.messages.batches.retrieve(batch.id).processing_status) != "ended":
        assert status == "in_progress" and time.monotonic() < deadline
        time.sleep(0.05)


def test_cancel_marks_unfinished_requests_canceled(fake: FakeAnthropic) -> None:
    fake.batches_polls_to_end = 4
    sdk = client(fake)
    batch = sdk.messages.batches.create(requests=[request(f"c{i}") for i in range(4)])
    sdk.messages.batches.retrieve(batch.id)  # one of four polls: one request done
    canceling = sdk.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling"
    assert canceling.cancel_initiated_at is not None
    with pytest.raises(anthropic.BadRequestError):
        sdk.messages.batches.delete(batch.id)  # not while processing

    ended = sdk.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.request_counts.succeeded == 1 and ended.request_counts.canceled == 3
    types = sorted(line.result.type for line in sdk.messages.batches.results(batch.id))
    assert types == ["canceled", "canceled", "canceled", "succeeded"]

    deleted = sdk.messages.batches.delete(batch.id)
    assert deleted.type == "message_batch_deleted" and deleted.id == batch.id
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve(batch.id)


def test_list_is_newest_first_and_paginates(fake: FakeAnthropic) -> None:
    sdk = client(fake)
    created = [sdk.messages.batches.create(requests=[request("a")]).id for _ in range(5)]
    newest_first = created[::-1]
    page = sdk.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == newest_first[:2]
    assert page.has_more and page.last_id == newest_first[1]
    assert [b.id for b in sdk.messages.batches.list(limit=2)] == newest_first  # auto-paging
    before = sdk.messages.batches.list(limit=2, before_id=newest_first[3])
    assert [b.id for b in before.data] == newest_first[1:3] and before.has_more
    with pytest.raises(anthropic.BadRequestError):
        sdk.messages.batches.list(limit=0)


# --------------------------------------------------------------------------- standalone


@pytest.mark.server
def test_standalone_module_prints_url() -> None:
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.anthropic_server", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        sdk = anthropic.Anthropic(base_url=url, api_key=TEST_API_KEY, max_retries=0)
        assert sdk.messages.count_tokens(model=MODEL, messages=user("hi")).input_tokens > 0
    finally:
        proc.terminate()
        proc.wait(timeout=5)
