"""Curation after a taxonomy is approved: the prompt lists its canonical tags (one identical
prefix for the job), answers go through its renames, and a new tag is kept only under an
existing area; new and refused tags are reported."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.fakes.anthropic_server import FakeAnthropic
from tests.taxonomy.chaos import write_chaos
from vaultcurator.cli import main


def _answer(params: dict) -> dict:
    return {
        "tags": ["clientes", "programming/zig", "zzz-new-area", "databases/redis"],
        "description": "A note.",
    }


def test_curation_uses_the_approved_taxonomy(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys
) -> None:
    vault = tmp_path / "chaos"
    write_chaos(vault)
    assert main(["taxonomy", str(vault), "--yes", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    fake_anthropic.responder = _answer
    code = main(["curate", str(vault), "--all", "--limit", "6", "--mode", "sync", "--json",
                 "--no-links"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    systems = {
        json.dumps(r.body["system"], ensure_ascii=False)
        for r in fake_anthropic.requests_to("messages")
    }
    assert len(systems) == 1  # one identical prefix for the whole job
    system = next(iter(systems))
    for entry in plan["tags"][:20]:
        assert entry["tag"] in system
    assert "multitenant" not in system and "javscript" not in system  # renamed away
    assert report["vocabulary"]["new_tags"] == {"databases/redis": 6, "programming/zig": 6}
    assert report["vocabulary"]["refused"] == {"zzz-new-area": 6}
    capsys.readouterr()
    assert main(["review", str(vault), "--print", "--json"]) == 0
    for proposal in json.loads(capsys.readouterr().out)["proposals"]:
        path = vault / proposal["path"]
        author = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["tags"]
        assert "+  - cliente" in proposal["diff"] or "cliente" in proposal["diff"]
        assert "zzz-new-area" not in proposal["diff"] and "clientes" not in proposal["diff"]
        assert all(t in proposal["diff"] for t in author)
