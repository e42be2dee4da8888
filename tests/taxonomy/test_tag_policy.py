"""Tag policy and tag style: no author tag leaves silently, and the tags key keeps its style.

The property tests generate notes (flow or block tags, comments on items, emoji tags, mixed
case) and engine answers, then check the merged list and the bytes written for it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.curation.conftest import db
from tests.fakes.anthropic_server import FakeAnthropic
from vaultcurator.cli import main
from vaultcurator.curation.tag_policy import (
    DUPLICATE,
    INVALID,
    RENAMED,
    REPLACED,
    decide,
    obsidian_accepts,
)
from vaultcurator.vault.frontmatter_edit import render_scalar, render_updates

_SEGMENT = st.text(
    alphabet=st.sampled_from([*"abcdefxyzABCDE_-0123", "é", "ñ", "🌲", "日"]),
    min_size=1,
    max_size=8,
).filter(lambda s: not s.isdigit())
AUTHOR_TAG = st.builds(
    lambda parts: "/".join(parts), st.lists(_SEGMENT, min_size=1, max_size=2)
).filter(obsidian_accepts)


def _unique(tags: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for tag in tags:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


AUTHOR_TAGS = st.lists(AUTHOR_TAG, max_size=10).map(_unique)
ENGINE_TAGS = st.lists(AUTHOR_TAG, min_size=1, max_size=8)


def test_obsidian_rules_accept_emoji_and_reject_numbers_and_spaces() -> None:
    assert obsidian_accepts("0🌲") and obsidian_accepts("área/café") and obsidian_accepts("a_b-c")
    for bad in ("2024", "a b", "a//b", "/a", "a,b", ""):
        assert not obsidian_accepts(bad), bad


def test_merge_keeps_author_tags_in_order_and_appends_up_to_max() -> None:
    got = decide(["zeta", "0🌲", "Alpha"], ["alpha", "new1", "new2", "new3"], max_tags=5)
    assert got.tags == ["zeta", "0🌲", "Alpha", "new1", "new2"]
    assert got.removed == {} and got.added == ["new1", "new2"]


def test_merge_never_cuts_author_tags_to_fit_max() -> None:
    author = [f"t{i}" for i in range(12)]
    assert decide(author, ["extra"], max_tags=8).tags == author


def test_merge_applies_renames_with_a_reason_and_drops_invalid_and_duplicates_visibly() -> None:
    got = decide(
        ["HUB", "clientes", "bad tag", "x", "X"],
        ["cliente", "hub", "new"],
        renames={"HUB": "hub", "clientes": "cliente"},
    )
    assert got.tags == ["hub", "cliente", "x", "new"]
    assert got.removed == {
        "HUB": RENAMED.format(target="hub"),
        "clientes": RENAMED.format(target="cliente"),
        "bad tag": INVALID,
        "X": DUPLICATE.format(other="x"),
    }


def test_add_leaves_the_author_list_exactly_as_it_is() -> None:
    got = decide(["HUB", "bad tag"], ["hub", "new"], policy="add", renames={"HUB": "core/hub"})
    assert got.tags == ["HUB", "bad tag", "new"] and got.removed == {}


def test_replace_lets_the_engine_win_and_says_why_each_tag_left() -> None:
    got = decide(["keep", "gone", "ml"], ["keep", "machine-learning"], policy="replace",
                 renames={"ml": "machine-learning"})  # fmt: skip
    assert got.tags == ["keep", "machine-learning"]
    assert got.removed == {"gone": REPLACED, "ml": RENAMED.format(target="machine-learning")}


@settings(max_examples=300, deadline=None)
@given(AUTHOR_TAGS, ENGINE_TAGS, st.integers(min_value=1, max_value=12))
def test_property_merge_loses_no_author_tag_and_keeps_order(
    author: list[str], engine: list[str], max_tags: int
) -> None:
    got = decide(author, engine, max_tags=max_tags)
    assert got.tags[: len(author)] == author  # every author tag, in the author's order
    assert got.removed == {}
    assert len(got.tags) <= max(max_tags, len(author))
    assert len({t.casefold() for t in got.tags}) == len(got.tags)


def _note(tags: list[str], flow: bool, comment: bool) -> bytes:
    if flow:
        items = ", ".join(json.dumps(t, ensure_ascii=False) if i % 2 else render_scalar(t)
                          for i, t in enumerate(tags))  # fmt: skip
        block = f"tags: [{items}]" + ("  # mine" if comment else "")
    else:
        lines = [f"  - {render_scalar(t)}" + (f"  # about {i}" if comment and i % 2 == 0 else "")
                 for i, t in enumerate(tags)]  # fmt: skip
        block = "tags:\n" + "\n".join(lines)
    return f"---\ntitle: T\n{block}\nother: 1\n---\n# Body\n\ntext #inline\n".encode()


@settings(max_examples=150, deadline=None)
@given(
    AUTHOR_TAGS.filter(bool),
    ENGINE_TAGS,
    st.booleans(),
    st.booleans(),
)
def test_property_written_tags_keep_style_order_comments_and_every_other_byte(
    author: list[str], engine: list[str], flow: bool, comment: bool
) -> None:
    old = _note(author, flow, comment)
    decision = decide(author, engine)
    new = render_updates(old, {"tags": decision.tags})
    text = new.decode()
    head, body = text.split("\n---\n", 1)
    assert body == old.decode().split("\n---\n", 1)[1]
    parsed = yaml.safe_load(head.removeprefix("---\n"))
    assert parsed["tags"] == decision.tags and parsed["title"] == "T" and parsed["other"] == 1
    tag_line = next(line for line in head.splitlines() if line.startswith("tags:"))
    assert ("[" in tag_line) == flow
    old_lines = old.decode().splitlines()
    if comment and flow:
        assert tag_line.endswith("]  # mine")
    if not flow:
        for line in old_lines:  # every kept item's own line (its comment too) is still there
            if line.startswith("  - "):
                assert line in head.splitlines()


def _chaotic_vault(root: Path, count: int, seed: int) -> dict[str, list[str]]:
    """Notes with flow or block tags (some with emoji, comments), bodies naming vault tags."""
    rng = random.Random(seed)
    pool = ["python", "0🌲", "HUB", "mastra", "whatsapp", "cliente", "ai/agents", "café"]
    (root / ".obsidian").mkdir(parents=True)
    author: dict[str, list[str]] = {}
    for i in range(count):
        tags = rng.sample(pool, rng.randint(1, 4))
        path = f"n{i:03d}.md"
        author[path] = tags
        flow = rng.random() < 0.5
        note = _note(tags, flow, rng.random() < 0.5).decode()
        note += f"\nAbout {' and '.join(rng.sample(pool, 3))}, python and agents.\n"
        (root / path).write_text(note, encoding="utf-8")
    return author


def _assert_no_author_tag_lost(vault: Path, author: dict[str, list[str]]) -> None:
    for path, tags in author.items():
        text = (vault / path).read_text(encoding="utf-8")
        head = text.split("\n---\n", 1)[0].removeprefix("---\n")
        written = yaml.safe_load(head)["tags"]
        assert written[: len(tags)] == tags, path
        old_flow = "tags: [" in _note(tags, True, False).decode()
        assert old_flow  # sanity of the helper
        assert text.endswith("python and agents.\n") or "About" in text


def test_local_engine_under_merge_loses_no_author_tag_and_keeps_style(tmp_path: Path) -> None:
    for seed in range(3):
        vault = tmp_path / f"v{seed}"
        author = _chaotic_vault(vault, 25, seed)
        before = {p: (vault / p).read_text(encoding="utf-8") for p in author}
        assert main(["curate", str(vault), "--engine", "local", "--yes", "--no-links"]) == 0
        _assert_no_author_tag_lost(vault, author)
        for path, old in before.items():
            new = (vault / path).read_text(encoding="utf-8")
            old_line = next(line for line in old.splitlines() if line.startswith("tags:"))
            new_line = next(line for line in new.splitlines() if line.startswith("tags:"))
            assert ("[" in old_line) == ("[" in new_line), path  # flow stays flow
            assert old.split("\n---\n", 1)[1] == new.split("\n---\n", 1)[1]  # body untouched


def _answer_dropping_author_tags(params: dict) -> dict:
    return {"tags": ["ai/agents", "brand-new"], "description": "A note about agents."}


def test_claude_answer_under_merge_keeps_author_tags(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys
) -> None:
    fake_anthropic.responder = _answer_dropping_author_tags
    vault = tmp_path / "v"
    author = _chaotic_vault(vault, 6, 7)
    assert main(["curate", str(vault), "--mode", "sync", "--yes", "--no-links"]) == 0
    _assert_no_author_tag_lost(vault, author)
    for path, tags in author.items():
        written = yaml.safe_load(
            (vault / path).read_text(encoding="utf-8").split("\n---\n")[0][4:]
        )["tags"]
        assert "brand-new" in written or len(tags) >= 8
    with db(vault) as conn:
        assert all(r[0] is None for r in conn.execute("SELECT tag_reasons_json FROM proposals"))


def test_claude_answer_under_replace_shows_each_removal_with_its_reason(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys
) -> None:
    fake_anthropic.responder = _answer_dropping_author_tags
    vault = tmp_path / "v"
    author = _chaotic_vault(vault, 4, 3)
    assert main(["curate", str(vault), "--mode", "sync", "--tag-policy", "replace",
                 "--no-links"]) == 0  # fmt: skip
    capsys.readouterr()
    main(["review", str(vault), "--print"])
    out = capsys.readouterr().out
    for path, tags in author.items():
        for tag in tags:
            if tag != "ai/agents":
                assert f"# {path}: removes tag {tag!r}: {REPLACED}" in out
    main(["review", str(vault), "--print", "--json"])
    document = json.loads(capsys.readouterr().out)
    removals = {(p["path"], r["tag"]) for p in document["proposals"] for r in p["tag_removals"]}
    assert removals == {(p, t) for p, tags in author.items() for t in tags if t != "ai/agents"}


def test_a_resumed_job_keeps_the_policy_it_started_with(tmp_path: Path) -> None:
    from vaultcurator.config import CurationSettings
    from vaultcurator.pipeline.run import CurateOptions, job_options
    from vaultcurator.pipeline.runner import JobRunner
    from vaultcurator.store import jobs
    from vaultcurator.workspace import open_workspace, scan

    vault = tmp_path / "v"
    _chaotic_vault(vault, 3, 1)
    started = CurationSettings(engine="local", tag_policy="replace", max_tags=5)
    options = job_options(started, CurateOptions(), "local")
    assert (options.tag_policy, options.max_tags) == ("replace", 5)
    with open_workspace(vault) as ws:  # the settings now say merge / 8
        job = jobs.create_job(ws.store, engine="local", mode="local", model=None, options=options)
        runner = JobRunner(ws, job, scan(ws))
        assert (runner.tag_policy.policy, runner.tag_policy.max_tags) == ("replace", 5)
        old = jobs.create_job(
            ws.store, engine="local", mode="local", model=None, options=type(options)()
        )
        legacy = JobRunner(ws, old, scan(ws))  # a job stored before these options existed
        assert (legacy.tag_policy.policy, legacy.tag_policy.max_tags) == ("merge", 8)


def test_max_tags_below_one_is_a_usage_error(tmp_path: Path, capsys) -> None:
    vault = tmp_path / "v"
    _chaotic_vault(vault, 2, 1)
    assert main(["curate", str(vault), "--engine", "local", "--max-tags", "0"]) == 2
    err = capsys.readouterr().err
    assert "--max-tags must be at least 1" in err and "Traceback" not in err
