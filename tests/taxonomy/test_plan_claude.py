"""The Claude taxonomy planner through the real SDK against the wire-protocol fake: one
structured-output request, estimated first and costed; a malformed plan is rejected with a
clear one-line error and nothing is stored or applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_responder import Reply
from tests.fakes.anthropic_server import FakeAnthropic
from tests.taxonomy.chaos import write_chaos
from vaultcurator.cli import main
from vaultcurator.curation.cost import cost_usd
from vaultcurator.curation.requests import sdk_kwargs
from vaultcurator.domain.requests import Usage
from vaultcurator.store.db import open_store
from vaultcurator.store.taxonomy import load_plan, plan_versions
from vaultcurator.taxonomy.claude import PLAN_SCHEMA, plan_requests
from vaultcurator.taxonomy.stats import TagStat, TagStats

GOOD = {
    "renames": [
        {"old": "HUB", "new": "hub", "reason": "case"},
        {"old": "postgres", "new": "tech/databases/postgres", "reason": "nesting"},
        {"old": "databases", "new": "tech/databases", "reason": "nesting"},
    ]
}


@pytest.fixture
def chaos(tmp_path: Path) -> Path:
    root = tmp_path / "chaos"
    write_chaos(root)
    return root


def _files(vault: Path) -> dict[Path, bytes]:
    return {
        p: p.read_bytes() for p in sorted(vault.rglob("*.md")) if ".vaultcurator" not in p.parts
    }


def test_claude_plan_is_one_structured_output_request_costed_and_stored(
    fake_anthropic: FakeAnthropic, chaos: Path, capsys
) -> None:
    fake_anthropic.responder = lambda params: GOOD
    assert main(["taxonomy", str(chaos), "--engine", "anthropic", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    sent = fake_anthropic.requests_to("messages")
    assert len(sent) == 1
    body = sent[0].body
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": PLAN_SCHEMA}}
    assert "temperature" not in body
    assert "HUB" in body["messages"][0]["content"]
    assert plan["renames"] == {
        "HUB": "hub",
        "postgres": "tech/databases/postgres",
        "databases": "tech/databases",
    }
    assert plan["estimate"]["requests"] == 1 and plan["estimate"]["usd"] > 0
    with open_store(chaos) as store:
        stored = load_plan(store)
    assert stored is not None and stored.engine == "anthropic"
    usage = Usage(input_tokens=stored.input_tokens, output_tokens=stored.output_tokens)
    assert stored.input_tokens > 0 and stored.output_tokens > 0
    assert stored.cost_usd == pytest.approx(cost_usd(usage, "claude-haiku-4-5", batch=False))
    assert plan["cost_usd"] == pytest.approx(stored.cost_usd)


def test_claude_plan_applied_with_yes_then_undone(
    fake_anthropic: FakeAnthropic, chaos: Path, capsys
) -> None:
    fake_anthropic.responder = lambda params: GOOD
    before = _files(chaos)
    assert main(["taxonomy", str(chaos), "--engine", "anthropic", "--yes", "--json"]) == 0
    applied = json.loads(capsys.readouterr().out)["applied"]
    assert applied["report"]["ok"] and len(applied["report"]["applied"]) == 1 + 10  # HUB, databases
    text = next(p.read_text() for p in chaos.rglob("*.md") if "postgres" in p.read_text())
    assert "tech/databases/postgres" in text and "tech/databases" in text
    assert main(["undo", str(chaos)]) == 0
    assert _files(chaos) == before


def test_estimate_sends_nothing(fake_anthropic: FakeAnthropic, chaos: Path, capsys) -> None:
    assert main(["taxonomy", str(chaos), "--engine", "anthropic", "--estimate", "--json"]) == 0
    estimate = json.loads(capsys.readouterr().out)["estimate"]
    assert estimate["requests"] == 1 and estimate["input_tokens"] > 100
    assert fake_anthropic.requests_to("messages") == []


def _renames(*items: tuple[str, str]) -> dict[str, Any]:
    return {"renames": [{"old": o, "new": n, "reason": "x"} for o, n in items]}


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply("this is not a plan"), "not JSON"),
        (Reply(json.dumps(GOOD), stop_reason="max_tokens"), "cut off at max_tokens"),
        ({"renames": GOOD["renames"], "extra": 1}, 'exactly one key, "renames"'),
        ({"renames": [{"old": "HUB", "new": "hub"}]}, "rename #1 is not"),
        (_renames(("no-such-tag", "x")), "'no-such-tag', which is not a tag of this vault"),
        (_renames(("HUB", "two words")), "'two words' (for 'HUB') is not a tag Obsidian"),
        (_renames(("HUB", "hub"), ("hub", "HUB")), "loop"),
        (_renames(("HUB", "a"), ("HUB", "b")), "renamed twice"),
    ],
)
def test_malformed_plan_is_rejected_and_nothing_is_stored_or_applied(
    fake_anthropic: FakeAnthropic, chaos: Path, capsys, reply: Any, reason: str
) -> None:
    fake_anthropic.responder = lambda params: reply
    before = _files(chaos)
    code = main(["taxonomy", str(chaos), "--engine", "anthropic", "--yes"])
    err = capsys.readouterr().err
    assert code != 0
    lines = [line for line in err.splitlines() if line.startswith("vaultcurator: error:")]
    assert len(lines) == 1 and "rejected" in lines[0] and reason in lines[0], err
    assert "Traceback" not in err
    assert _files(chaos) == before
    with open_store(chaos) as store:
        assert plan_versions(store) == []


def test_a_huge_taxonomy_is_planned_in_a_few_requests_with_the_same_schema() -> None:
    stats = TagStats({f"t{i}": TagStat(f"t{i}", notes=1) for i in range(3500)}, {}, 3500)
    requests = plan_requests(stats, "claude-haiku-4-5")
    assert len(requests) == 3
    assert all(r["output_config"]["format"]["schema"] == PLAN_SCHEMA for r in requests)
    listed = [
        line.split(" | ")[0]
        for r in requests
        for line in r["messages"][0]["content"].splitlines()[1:]
    ]
    assert sorted(listed) == sorted(stats.tags)
    assert "output_config" in sdk_kwargs(requests[0]).get(
        "extra_body", {}
    ) or "output_config" in sdk_kwargs(requests[0])
