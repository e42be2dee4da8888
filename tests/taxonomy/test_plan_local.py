"""The local planner on the fixture vault and a generated chaotic vault, and applying a plan:
only ``tags`` changes, inline #tags stay, one run, undo restores every byte."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.taxonomy.chaos import LOOKALIKES, VARIANTS, write_chaos
from vaultcurator.cli import main
from vaultcurator.pipeline.taxonomy import decide
from vaultcurator.store.db import open_store
from vaultcurator.store.taxonomy import approved_plan, load_plan, plan_versions
from vaultcurator.taxonomy.local import _one_edit, norm_key, singular_stems
from vaultcurator.workspace import open_workspace


@pytest.fixture
def chaos(tmp_path: Path) -> Path:
    root = tmp_path / "chaos"
    write_chaos(root)
    return root


def plan_json(vault: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    capsys.readouterr()
    assert main(["taxonomy", str(vault), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_rules() -> None:
    assert norm_key("Multi_Tenant") == norm_key("multitenant") == norm_key("multi-tenant")
    assert norm_key("Programación") == "programacion"
    assert "cliente" in singular_stems("clientes") and "lapiz" in singular_stems("lapices")
    assert "library" in singular_stems("libraries") and "papel" in singular_stems("papeles")
    assert singular_stems("news") == set() and singular_stems("status") == set()
    assert _one_edit("javscript", "javascript") and _one_edit("recieve", "receive")
    assert not _one_edit("python2", "python3") and not _one_edit("agenda", "agente")


def test_chaotic_vault_merges_variants_keeps_lookalikes_and_nests(chaos: Path, capsys) -> None:
    plan = plan_json(chaos, capsys)
    renames = plan["renames"]
    for canonical, variants in VARIANTS:
        for variant in variants:
            assert renames.get(variant) == canonical, (variant, renames.get(variant))
        assert canonical not in renames
    for a, b in LOOKALIKES:
        assert a not in renames and b not in renames, (a, b)
    assert renames["python"] == "programming/python"
    assert renames["postgres"] == "databases/postgres"
    assert "databases" not in renames
    tags = {t["tag"]: t["count"] for t in plan["tags"]}
    texts = [p.read_text(encoding="utf-8") for p in chaos.rglob("*.md")]
    carrying = sum(1 for t in texts if re.search(r"(?m)^  - clientes?$|\[clientes?\]|#clientes", t))
    assert tags["cliente"] == carrying and "clientes" not in tags  # inline #clientes counts
    details = {d["old"]: d for d in plan["details"]}
    assert details["HUB"]["reason"] == "case" and details["javscript"]["reason"] == "misspelling"
    assert details["clientes"]["reason"] == "singular/plural"


def test_flat_keeps_the_vault_flat(chaos: Path, capsys) -> None:
    renames = plan_json(chaos, capsys, "--flat")["renames"]
    assert "postgres" not in renames and "python" not in renames
    assert renames["HUB"] == "hub"


def test_plans_are_deterministic_and_versioned(chaos: Path, capsys) -> None:
    first = plan_json(chaos, capsys)
    second = plan_json(chaos, capsys)
    assert first["renames"] == second["renames"] and first["tags"] == second["tags"]
    # the same plan from the same tags is the same draft: no new version
    assert (first["version"], second["version"]) == (1, 1)
    with open_store(chaos) as store:
        assert [(v, s) for _, v, s in plan_versions(store)] == [(1, "draft")]
    # tags changed in the vault: a new version supersedes the draft
    (chaos / "zz-new.md").write_text("---\ntags: [Postgres, brandnewtag]\n---\nx\n")
    third = plan_json(chaos, capsys)
    assert third["version"] == 2
    with open_store(chaos) as store:
        assert [(v, s) for _, v, s in plan_versions(store)] == [(2, "draft"), (1, "superseded")]


def test_rebuilding_an_unchanged_plan_keeps_the_reviewers_decisions(chaos: Path, capsys) -> None:
    plan = plan_json(chaos, capsys)
    old = next(iter(plan["renames"]))
    with open_workspace(chaos) as ws:
        current = load_plan(ws.store)
        assert current is not None
        decide(ws, current, {old: "rejected"})
    plan_json(chaos, capsys)  # e.g. `taxonomy VAULT --print` after a partial review
    with open_store(chaos) as store:
        again = load_plan(store)
    assert again is not None and again.version == plan["version"]
    assert {r.old: r.decision for r in again.renames}[old] == "rejected"


def test_fixture_vault_plan(vault_copy: Path, capsys) -> None:
    renames = plan_json(vault_copy, capsys)["renames"]
    assert renames["Python"] == "programming/python" and renames["Cooking"] == "cooking"
    assert renames["rust"] == "programming/rust"
    assert "MOC" not in renames  # structural tags are never merged or used as parents


def _without_tags(text: str) -> str:
    """The note with its tags property's lines taken out (flow or block)."""
    return re.sub(r"(?m)^tags:.*\n(?:[ \t]*- .*\n)*", "", text)


@pytest.mark.parametrize("which", ["chaos", "fixtures"])
def test_apply_changes_only_tags_then_undo_restores_every_byte(
    which: str, chaos: Path, vault_copy: Path, capsys
) -> None:
    vault = chaos if which == "chaos" else vault_copy
    before = {p: p.read_bytes() for p in sorted(vault.rglob("*")) if p.is_file()}
    plan = plan_json(vault, capsys, "--yes")
    applied = plan["applied"]
    assert applied["report"]["ok"] and applied["proposals"] > 0
    assert len(applied["report"]["applied"]) == applied["proposals"]
    changed = 0
    for path, old in before.items():
        if ".vaultcurator" in path.parts:
            continue
        new = path.read_bytes()
        if new == old:
            continue
        changed += 1
        old_text, new_text = old.decode(), new.decode()
        assert _without_tags(old_text) == _without_tags(new_text), path  # every other byte
        old_fm = yaml.safe_load(old_text.split("---")[1])
        new_fm = yaml.safe_load(new_text.split("---")[1])
        old_tags = old_fm["tags"]
        if isinstance(old_tags, str):  # Obsidian reads "a b" / "a, b" as two tags
            old_tags = [t for t in re.split(r"[,\s]+", old_tags) if t]
        for tag in old_tags:
            target = plan["renames"].get(tag.lstrip("#"), tag)
            assert target in new_fm["tags"], (path, tag)
        if isinstance(old_fm["tags"], list):  # a scalar takes the vault's prevailing style
            assert ("tags: [" in old_text) == ("tags: [" in new_text), path  # style kept
    assert changed == len(applied["report"]["applied"])
    if which == "chaos":
        inline = applied["inline_uses_remaining"]
        assert inline["HUB"] > 0 and inline["clientes"] > 0
        hub_notes = [p for p in before if "#HUB" in before[p].decode(errors="replace")]
        assert hub_notes and all("#HUB" in p.read_text() for p in hub_notes)
    with open_store(vault) as store:
        plan_row = approved_plan(store)
        assert plan_row is not None and plan_row.apply_run_id is not None
    assert main(["undo", str(vault)]) == 0
    for path, old in before.items():
        if ".vaultcurator" not in path.parts:
            assert path.read_bytes() == old, path


def test_print_lists_every_rename_for_review_and_writes_nothing(chaos: Path, capsys) -> None:
    before = {p: p.read_bytes() for p in chaos.rglob("*.md")}
    capsys.readouterr()
    assert main(["taxonomy", str(chaos), "--print"]) == 0
    out = capsys.readouterr().out
    plan = plan_json(chaos, capsys)
    lines = [line for line in out.splitlines() if " -> " in line]
    assert len(lines) == len(plan["renames"])
    hub = next(line for line in lines if line.split()[0] == "HUB")
    assert "-> hub" in hub and "inline use(s) remain" in hub
    assert {p: p.read_bytes() for p in chaos.rglob("*.md")} == before


def test_not_a_vault_is_one_line_error(tmp_path: Path, capsys) -> None:
    assert main(["taxonomy", str(tmp_path / "missing")]) != 0
    err = capsys.readouterr().err
    assert err.startswith("vaultcurator: error:") and "Traceback" not in err
