"""CLI manners through the real entry point: no heavy import before a command needs it, "did
you mean" for a mistyped command, and every command still registered and runnable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.fixtures import fake_anthropic
from vaultcurator.cli import build_parser, command_specs, main

__all__ = ["fake_anthropic"]  # the fake Anthropic server fixture

HEAVY = ("anthropic", "chromadb", "numpy", "textual", "openai")


def heavy_modules_after(*argv: str) -> list[str]:
    """Run ``main(argv)`` in a fresh interpreter; the heavy top-level packages it loaded."""
    code = (
        "import sys\n"
        "from vaultcurator.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return eval(done.stderr.strip().splitlines()[-1])  # a printed list of names


@pytest.mark.parametrize(
    "argv",
    [
        ("--help",),
        ("curate", "--help"),
        ("review", "--help"),
        ("links", "--help"),
    ],
)
def test_help_imports_no_sdk_chroma_textual_or_numpy(argv: tuple[str, ...]) -> None:
    assert heavy_modules_after(*argv) == []


def test_status_and_scan_import_no_heavy_library(vault_copy: Path) -> None:
    assert heavy_modules_after("scan", str(vault_copy)) == []
    assert heavy_modules_after("status", str(vault_copy)) == []


def test_top_level_help_does_not_import_the_command_modules() -> None:
    code = (
        "import sys\n"
        "from vaultcurator.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if '.cmd_' in m), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert "curate" in done.stdout and "review" in done.stdout


def test_discovery_without_import_matches_the_modules() -> None:
    """What the source says (read without importing) is what the modules say."""
    import importlib

    for spec in command_specs():
        module = importlib.import_module(spec.module)
        assert (spec.name, spec.help) == (module.NAME, module.HELP)
        assert spec.order == getattr(module, "ORDER", 100)
    parser = build_parser()  # every command registered: their options parse
    assert parser.parse_args(["review", "VAULT", "--print"]).print_diffs


def test_mistyped_command_says_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["curat", "MyVault"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == (
        "vaultcurator: error: unknown command 'curat'; did you mean 'curate'? "
        "(vaultcurator --help lists the commands)"
    )
    assert main(["stauts"]) == 2
    assert "did you mean 'status'?" in capsys.readouterr().err


def test_a_folder_named_like_a_command_is_still_a_vault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``vaultcurator curat`` when ./curat exists is review of that vault, not a typo."""
    (tmp_path / "curat").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["curat", "--print"]) == 0
    assert "did you mean" not in capsys.readouterr().err


def test_an_unknown_word_far_from_any_command_stays_a_missing_vault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["Zettelkasten"]) == 2
    err = capsys.readouterr().err
    assert "vault not found: Zettelkasten" in err and "did you mean" not in err


def test_review_print_says_when_the_tags_block_is_rewritten_with_the_same_tags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reorder writes the tags block again: the diff says so instead of "(unchanged)"."""
    from vaultcurator.review.diff import list_change
    from vaultcurator.store.proposals import add_proposal
    from vaultcurator.workspace import open_workspace, scan

    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "a.md").write_text("---\ntags: [rust, python]\n---\nBody.\n", encoding="utf-8")
    with open_workspace(vault) as ws:
        note = scan(ws).by_path()["a.md"]
        add_proposal(
            ws.store,
            path="a.md",
            note_index=note.index,
            base_hash=note.hash,
            engine="local",
            old_tags=list(note.tags),
            new_tags=["python", "rust"],
        )
    assert main(["review", str(vault), "--print"]) == 0
    out = capsys.readouterr().out
    assert "# a.md: same tags, rewritten (new order or style)" in out
    assert "-tags: [rust, python]" in out
    change = list_change(["rust", "python"], ["python", "rust"], case_insensitive=True)
    assert change.reordered and not change.respelled and change.same_values
    respelled = list_change(["Python"], ["python"], case_insensitive=True)
    assert respelled.respelled and not respelled.reordered


def test_diff_pane_says_reordered_instead_of_unchanged() -> None:
    from rich.console import Console

    from vaultcurator.review.diff import ProposalDiff, list_change
    from vaultcurator.tui.render import diff_renderable

    diff = ProposalDiff(
        proposal_id=1,
        path="a.md",
        state="pending",
        tags=list_change(["rust", "python"], ["python", "rust"], case_insensitive=True),
        description_old=None,
        description_new=None,
        description_touched=False,
        related=None,
        error=None,
    )
    console = Console(width=80, record=True, no_color=True)
    console.print(diff_renderable(diff))
    text = console.export_text()
    assert "(same values, reordered)" in text and "(unchanged)" not in text


def test_many_failures_are_one_line_per_reason_and_verbose_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_anthropic: FakeAnthropic
) -> None:
    """15 notes whose requests the API refuses: one summary line, not 15 (``--verbose``: 15)."""
    from tests.curation.conftest import write_vault
    from tests.fakes.anthropic_protocol import FakeAPIError

    def refuse(params: object) -> object:
        raise FakeAPIError("invalid_request_error", "prompt is too long", status=400)

    fake_anthropic.responder = refuse  # type: ignore[assignment]
    vault = write_vault(tmp_path / "vault", 15)
    argv = ["curate", str(vault), "--mode", "batch", "--poll-interval", "0.01", "--no-links"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "Failed: 15 notes (--verbose lists each)" in out
    assert "  15 × invalid_request_error: prompt is too long" in out
    assert out.count("notes/note 00") == 0  # no line per note
    assert main([*argv, "--all", "--verbose"]) == 1
    verbose = capsys.readouterr().out
    assert verbose.count("notes/note 00") == 15


def test_links_prints_the_vault_not_the_placeholder(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["links", str(vault_copy)]) == 0
    out = capsys.readouterr().out
    assert "vaultcurator review VAULT" not in out
    assert f"Review them with: vaultcurator review {vault_copy}" in out


def test_batches_count_from_1_and_their_timer_runs_between_polls() -> None:
    import io

    from rich.console import Console

    from vaultcurator.cli.cmd_curate import ProgressView
    from vaultcurator.domain.progress import BatchStatus

    view = ProgressView()
    out = io.StringIO()
    view.console = view.progress.live.console = Console(file=out, width=120)
    with view:
        view(BatchStatus(0, "msgbatch_1", "in_progress", 10, 10, 0, 0, 0, 0, 125.0, None))
    text = out.getvalue()
    assert "batch 1" in text and "batch 0" not in text
    assert "2m05s" in text  # the batch's age, from its creation, not from this process


def test_warm_scan_reuses_its_summary_until_a_note_changes(
    vault_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def report() -> list[str]:
        assert main(["scan", str(vault_copy)]) == 0
        lines = capsys.readouterr().out.splitlines()
        return [line for line in lines if "files" not in line]  # "read N files" varies

    first = report()
    cache = vault_copy / ".vaultcurator" / "scan_summary.json"
    assert cache.exists()
    assert report() == first  # from the kept summary: the same report
    assert "Without tags: 3" in first
    untagged = next(line.strip() for line in first[first.index("Without tags: 3") + 1 :])
    note = vault_copy / untagged
    note.write_text("---\ntags: [brand-new-tag]\n---\n" + note.read_text(encoding="utf-8"))
    changed = report()
    assert "Without tags: 2" in changed and changed != first
    cache.write_text("{not json", encoding="utf-8")  # a damaged summary is computed anew
    assert report() == changed
