"""Where the openai-compatible engine sends notes (loopback by default, never a host taken
from the SDK's own variables or a proxy), its key, its retry schedule and its ETA."""

from __future__ import annotations

import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import openai
import pytest

from tests.fakes.openai_fixtures import FOREIGN_BASE_URL
from tests.fakes.openai_server import FakeOpenAI
from tests.local_model.conftest import ENGINE
from vaultcurator.cli import main
from vaultcurator.config import OpenAISettings, load_settings
from vaultcurator.domain.progress import NoteDone, ProgressEvent
from vaultcurator.domain.requests import RequestOutcome
from vaultcurator.engines.openai_compat import EtaSink, make_client, retry_delay
from vaultcurator.engines.openai_wire import (
    Endpoint,
    as_message,
    extract_json_object,
    is_loopback,
)
from vaultcurator.errors import ConfigError


def test_the_default_server_is_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", FOREIGN_BASE_URL)  # the SDK's variable: ignored
    settings = load_settings(None).openai
    assert settings.base_url == "http://127.0.0.1:11434/v1"
    client = make_client(Endpoint.from_settings(settings))
    assert str(client.base_url).startswith("http://127.0.0.1:11434/v1")
    assert is_loopback(str(client.base_url))


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:11434/v1", True),
        ("http://127.8.9.10:1234/v1", True),
        ("http://localhost:1234/v1", True),
        ("http://[::1]:8080/v1", True),
        ("http://192.168.1.20:11434/v1", False),
        ("https://api.openai.com/v1", False),
        ("http://localhost.evil.com/v1", False),
        ("http://127.0.0.1.nip.io/v1", False),
    ],
)
def test_loopback_detection(url: str, local: bool) -> None:
    assert is_loopback(url) is local


def test_proxy_variables_are_ignored_for_a_loopback_server(
    fake: FakeOpenAI, make_vault, monkeypatch, capsys
) -> None:
    with socket.socket() as sock:  # a proxy that does not exist: using it would fail
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    vault = make_vault(2)
    assert main(["curate", str(vault), *ENGINE, "--no-links"]) == 0, capsys.readouterr()
    assert len(fake.chat_requests) == 2


def test_a_remote_server_is_used_only_as_configured_and_said_so(monkeypatch) -> None:
    endpoint = Endpoint.from_settings(OpenAISettings(base_url="http://192.168.1.20:11434/v1/"))
    assert endpoint.base_url == "http://192.168.1.20:11434/v1"
    assert not endpoint.local
    client = make_client(endpoint)
    assert str(client.base_url).startswith("http://192.168.1.20:11434/v1")


def test_no_key_is_needed_and_a_given_key_is_sent_not_stored(
    fake: FakeOpenAI, make_vault, monkeypatch, capsys
) -> None:
    vault = make_vault(1)
    assert main(["curate", str(vault), *ENGINE, "--no-links"]) == 0
    assert fake.chat_requests[-1].headers["authorization"] == "Bearer not-needed"
    monkeypatch.setenv("VAULTCURATOR_OPENAI_API_KEY", "sk-local-secret")
    assert main(["curate", str(vault), *ENGINE, "--all", "--yes", "--no-links"]) == 0
    assert fake.chat_requests[-1].headers["authorization"] == "Bearer sk-local-secret"
    # A server echoing the key in its errors (a misconfigured gateway): still not stored.
    monkeypatch.setenv("VAULTCURATOR_OPENAI_ATTEMPTS", "1")
    fake.fail_next(502, times=10, message="upstream refused key sk-local-secret")
    code = main(["curate", str(vault), *ENGINE, "--all", "--max-retries", "0", "--no-links"])
    out = capsys.readouterr()
    assert code == 1
    assert "HTTP 502: upstream refused key [redacted]" in out.out
    assert "sk-local-secret" not in out.out + out.err
    for path in (vault / ".vaultcurator").rglob("*"):
        if path.is_file():
            assert b"sk-local-secret" not in path.read_bytes(), path


def test_a_refused_key_is_one_line(fake: FakeOpenAI, make_vault, capsys) -> None:
    fake.fail_next(401, times=5, message="invalid api key")
    vault = make_vault(1)
    assert main(["curate", str(vault), *ENGINE, "--no-links"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .splitlines()[-1]
        .endswith("set its API key in VAULTCURATOR_OPENAI_API_KEY (or OPENAI_API_KEY)")
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"base_url": "localhost:11434"}, r"expected an http\(s\) URL"),
        ({"concurrency": 0}, "openai.concurrency must be at least 1"),
        ({"timeout": 0.0}, "openai.timeout must be more than 0"),
        ({"attempts": 0}, "openai.attempts must be at least 1"),
        ({"model": " "}, "openai.model is empty"),
    ],
)
def test_settings_that_cannot_work_are_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Endpoint.from_settings(OpenAISettings(**values))


def _status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(status, headers=headers or {}, request=request)
    return openai.APIStatusError("boom", response=response, body=None)


def test_retry_schedule() -> None:
    endpoint = Endpoint(base_url="http://127.0.0.1:1/v1", model="m", attempts=4, base_delay=1.0)
    first = retry_delay(_status_error(500), 1, endpoint)
    third = retry_delay(_status_error(503), 3, endpoint)
    assert first is not None and 0.75 <= first <= 1.25
    assert third is not None and 3.0 <= third <= 5.0  # doubles each try, with jitter
    assert retry_delay(_status_error(500), 4, endpoint) is None  # attempts used up
    assert retry_delay(_status_error(400), 1, endpoint) is None  # not transient
    assert retry_delay(_status_error(429, {"retry-after": "7"}), 1, endpoint) == 7.0


def test_eta_comes_from_observed_throughput() -> None:
    now = [100.0]
    events: list[ProgressEvent] = []
    recorded: list[RequestOutcome] = []
    setup: Any = SimpleNamespace(
        ledger=SimpleNamespace(record=recorded.append), progress=events.append
    )
    sink = EtaSink(setup, total=10, clock=lambda: now[0])
    for _ in range(4):
        now[0] += 3.0
        sink("a.md", RequestOutcome("n000000_a", "succeeded"))
    last = events[-1]
    assert isinstance(last, NoteDone)
    assert (last.done, last.total) == (4, 10)
    assert last.eta == pytest.approx(6 * 3.0)
    assert len(recorded) == 4


def test_replies_are_read_like_claude_ones() -> None:
    completion = {
        "choices": [
            {
                "message": {"content": '{"tags": ["a"], "description": "d"}'},
                "finish_reason": "length",
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 5},
    }
    message = as_message(completion)
    assert message["stop_reason"] == "max_tokens"
    assert message["usage"] == {"input_tokens": 11, "output_tokens": 5}
    assert extract_json_object('Here it is: {"a": 1} hope it helps') == '{"a": 1}'
    assert extract_json_object('{"a": 1} and {"b": 2}') == '{"a": 1} and {"b": 2}'
    assert extract_json_object('```json\n{"a": 1}\n```') == '{"a": 1}'


def test_status_lists_the_job(fake: FakeOpenAI, make_vault, capsys, tmp_path: Path) -> None:
    vault = make_vault(2)
    assert main(["curate", str(vault), *ENGINE, "--no-links"]) == 0
    capsys.readouterr()
    assert main(["status", str(vault)]) == 0
    out = capsys.readouterr().out
    assert "openai-compatible" in out and "2 succeeded" in out
