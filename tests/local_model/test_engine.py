"""The openai-compatible engine end to end: the real CLI, the real openai SDK over HTTP, the
fake Chat Completions server, the real store."""

from __future__ import annotations

import json
import re
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.curation.conftest import marker, write_vault
from tests.fakes.openai_server import FakeOpenAI, default_responder
from tests.local_model.conftest import ENGINE, rows
from vaultcurator.cli import main


def marker_slug(i: int) -> str:
    return f"fake/{marker(i).lower()}"


def note_index(path: str) -> int:
    found = re.search(r"note (\d{4})\.md$", path)
    assert found, path
    return int(found.group(1))


def assert_routed(vault: Path, count: int) -> None:
    """Every note has exactly one proposal, and it carries that note's own marker."""
    proposals = rows(vault, "SELECT path, new_tags_json, new_description FROM proposals")
    assert len(proposals) == count
    assert sorted(note_index(p["path"]) for p in proposals) == list(range(count))
    for row in proposals:
        i = note_index(row["path"])
        assert marker_slug(i) in json.loads(row["new_tags_json"]), row
        assert marker(i) in row["new_description"], row


def chat_markers(fake: FakeOpenAI, status: int = 200) -> list[str]:
    found = []
    for request in fake.chat_requests:
        if request.status == status:
            user = next(m["content"] for m in request.body["messages"] if m["role"] == "user")
            found.append(re.search(r"MARKER-m\d{4}q", user).group(0))
    return found


def test_concurrent_answers_land_on_their_own_notes(fake: FakeOpenAI, make_vault, capsys) -> None:
    # Answers are held until two requests overlap, then come back in reverse arrival order
    # (each one sleeps less than the one before), so a per-position mapping would misroute.
    lock = threading.Lock()
    overlapped = threading.Event()
    seen = [0]

    def slow(body: dict[str, Any]) -> str:
        with lock:
            seen[0] += 1
            nth = seen[0]
        if fake.in_flight >= 2:
            overlapped.set()
        overlapped.wait(timeout=10)
        threading.Event().wait(0.02 * (3 - nth % 3))
        return default_responder(body)

    fake.responder = slow
    vault = make_vault(12)
    code = main(["curate", str(vault), *ENGINE, "--concurrency", "3", "--no-links"])
    out = capsys.readouterr()
    assert code == 0, out
    assert 1 < fake.max_in_flight <= 3
    assert_routed(vault, 12)
    assert sorted(chat_markers(fake)) == sorted(marker(i) for i in range(12))
    job = rows(vault, "SELECT engine, model, mode, status, options_json FROM jobs")[0]
    assert (job["engine"], job["model"], job["status"]) == ("openai-compatible", "llama3.2", "done")
    assert json.loads(job["options_json"])["base_url"] == fake.base_url


def test_requests_are_the_claude_prompts_with_a_json_schema(fake: FakeOpenAI, make_vault) -> None:
    vault = make_vault(1)
    assert main(["curate", str(vault), *ENGINE, "--no-links"]) == 0
    body = fake.chat_requests[0].body
    assert body["model"] == "llama3.2"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    shipped = (REPO_ROOT / "prompts" / "system.md").read_text(encoding="utf-8")
    assert body["messages"][0]["content"].startswith(shipped[:60])
    assert "<note" in body["messages"][1]["content"] and marker(0) in body["messages"][1]["content"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"]["required"] == ["tags", "description"]
    assert fake.requests[0].path == "/v1/models"  # the preflight
    # The answer went through the same tag policy as Claude's (default merge: the author's
    # tag is kept, the model's are added).
    tags = json.loads(rows(vault, "SELECT new_tags_json FROM proposals")[0]["new_tags_json"])
    assert tags[0] == "old" and marker_slug(0) in tags


def test_transient_failures_are_retried(fake: FakeOpenAI, make_vault, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VAULTCURATOR_OPENAI_TIMEOUT", "0.5")
    monkeypatch.setenv("VAULTCURATOR_OPENAI_ATTEMPTS", "7")
    fake.fail_next(500, times=2)
    fake.fail_next(429, retry_after=0.01)
    fake.malformed_next()
    fake.disconnect_next()
    fake.delay_next(1.5)  # longer than the client's timeout
    vault = make_vault(4)
    code = main(["curate", str(vault), *ENGINE, "--concurrency", "1", "--no-links"])
    out = capsys.readouterr()
    assert code == 0, out
    assert_routed(vault, 4)
    statuses = [r.status for r in fake.chat_requests]
    assert statuses.count(500) == 2 and statuses.count(429) == 1
    assert statuses.count(0) == 1  # the dropped connection
    # The server answered the slow call after the client gave up on it (5 answers), yet each
    # note got exactly one proposal and one counted attempt.
    answered = chat_markers(fake)
    assert len(answered) == 5 and sorted(set(answered)) == sorted(marker(i) for i in range(4))
    attempts = rows(vault, "SELECT attempts FROM requests")
    assert [a["attempts"] for a in attempts] == [1] * 4


def test_a_malformed_answer_is_invalid_then_retried(fake: FakeOpenAI, make_vault, capsys) -> None:
    fake.bad_answer_next()
    vault = make_vault(2)
    code = main(["curate", str(vault), *ENGINE, "--concurrency", "1", "--no-links"])
    assert code == 0, capsys.readouterr()
    assert_routed(vault, 2)
    assert len(fake.chat_requests) == 3
    attempts = rows(vault, "SELECT attempts FROM requests ORDER BY custom_id")
    assert sorted(a["attempts"] for a in attempts) == [1, 2]


def test_failures_past_the_retries_are_reported_per_note(
    fake: FakeOpenAI, make_vault, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("VAULTCURATOR_OPENAI_ATTEMPTS", "1")
    fake.fail_next(503, times=100)
    vault = make_vault(2)
    code = main(["curate", str(vault), *ENGINE, "--max-retries", "1", "--no-links"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count("HTTP 503") == 2
    assert rows(vault, "SELECT COUNT(*) AS n FROM proposals")[0]["n"] == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_not_running_is_one_line(fake_openai: FakeOpenAI, make_vault, capsys) -> None:
    vault = make_vault(2)
    url = f"http://127.0.0.1:{free_port()}/v1"
    code = main(["curate", str(vault), *ENGINE, "--base-url", url])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert lines == [
        f"vaultcurator: error: no OpenAI-compatible server answers at {url}: start it "
        "(`ollama serve`, or LM Studio's local server) or point --base-url at it"
    ]


def test_model_not_pulled_names_ollama_pull(fake: FakeOpenAI, make_vault, capsys) -> None:
    vault = make_vault(3)
    code = main(["curate", str(vault), *ENGINE, "--model", "mistral-nemo", "--no-links"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"vaultcurator: error: model 'mistral-nemo' is not available on {fake.base_url}: pull "
        "it with `ollama pull mistral-nemo` (LM Studio: download and load it), or choose "
        "another with --model"
    ]
    # The run stopped at the first 404 instead of failing every note.
    assert [r.status for r in fake.chat_requests].count(404) <= 2


def test_a_base_url_without_v1_is_named(fake: FakeOpenAI, make_vault, capsys) -> None:
    vault = make_vault(1)
    code = main(["curate", str(vault), *ENGINE, "--base-url", fake.base_url.removesuffix("/v1")])
    err = capsys.readouterr().err
    assert code == 2
    assert "the URL usually ends in /v1" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("supported", "levels"),
    [
        ({"text", "json_object"}, ["json_schema", "json_object"]),
        ({"text"}, ["json_schema", "json_object", None]),
    ],
)
def test_structured_output_falls_back(
    fake: FakeOpenAI, make_vault, capsys, supported: set[str], levels: list[str | None]
) -> None:
    fake.supported_formats = frozenset(supported)
    vault = make_vault(5)
    code = main(["curate", str(vault), *ENGINE, "--concurrency", "2", "--no-links"])
    captured = capsys.readouterr()
    assert code == 0, captured
    assert_routed(vault, 5)
    sent = [(r.body.get("response_format") or {}).get("type") for r in fake.chat_requests]
    # Each level is tried until refused; the working one is kept for the rest of the run.
    assert sorted(set(sent), key=str) == sorted(levels, key=str)
    assert [s for s, r in zip(sent, fake.chat_requests, strict=True) if r.status == 200] == [
        levels[-1]
    ] * 5
    assert "does not support response_format json_schema" in captured.err
    fallback = next(r for r in fake.chat_requests if r.status == 200)
    assert "matching this JSON schema" in fallback.body["messages"][0]["content"]


def test_a_server_ignoring_response_format_still_gets_validated_answers(
    fake: FakeOpenAI, make_vault, tmp_path: Path, capsys
) -> None:
    fake.ignore_response_format = True  # answers "Sure! Here is the JSON..." with a fence
    vault = make_vault(3)
    assert main(["curate", str(vault), *ENGINE, "--no-links"]) == 0, capsys.readouterr()
    assert_routed(vault, 3)

    def rambling(body: dict[str, Any]) -> str:
        return "I think the tags are fake/x and fake/y, and it is about stuff."

    fake.responder = rambling
    vault2 = write_vault(tmp_path / "other", 1)
    code = main(["curate", str(vault2), *ENGINE, "--max-retries", "0", "--no-links"])
    out = capsys.readouterr().out
    assert code == 1
    assert "invalid_output" in out


def test_dry_run_sends_nothing_and_names_no_price(fake: FakeOpenAI, make_vault, capsys) -> None:
    vault = make_vault(3)
    code = main(["curate", str(vault), *ENGINE, "--model", "qwen2.5:7b", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Dry run: 3 requests would be sent (openai-compatible" in out
    assert "cost" not in out.lower() and fake.requests == []
