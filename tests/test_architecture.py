"""The layer contract holds, and breaking it fails ``make lint``'s import-linter step.

The contract (``[tool.importlinter]`` in pyproject.toml) is checked on the real package; a
copy of the package with a forbidden import added must fail it, so the check cannot pass
by accident. A fresh interpreter importing the whole headless core loads neither Textual
nor Rich, and there is no import cycle between any two modules.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "vaultcurator", tmp_path / "vaultcurator")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_on_the_package(package_copy: Path) -> None:
    done = lint_imports(package_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("store/db.py", "import vaultcurator.pipeline.run", "Layers"),
        ("vault/scan.py", "from vaultcurator.store import db", "Layers"),
        ("review/apply.py", "import textual.app", "Headless core"),
        ("engines/local.py", "import vaultcurator.links.propose", "Layers"),
    ],
)
def test_a_forbidden_import_breaks_the_contract(
    package_copy: Path, module: str, line: str, contract: str
) -> None:
    target = package_copy / "vaultcurator" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n")
    done = lint_imports(package_copy)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout and contract in done.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), lazy imports included."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(grimp.build_graph("vaultcurator")) == []


def test_the_cycle_finder_sees_a_cycle(package_copy: Path, monkeypatch) -> None:
    scan = package_copy / "vaultcurator" / "vault" / "scan.py"
    scan.write_text(scan.read_text(encoding="utf-8") + "\nimport vaultcurator.vault.edit\n")
    edit = package_copy / "vaultcurator" / "vault" / "edit.py"
    edit.write_text(edit.read_text(encoding="utf-8") + "\nimport vaultcurator.vault.scan\n")
    monkeypatch.syspath_prepend(str(package_copy))
    for name in [m for m in sys.modules if m == "vaultcurator" or m.startswith("vaultcurator.")]:
        monkeypatch.delitem(sys.modules, name)
    cycles = _cycles(grimp.build_graph("vaultcurator", cache_dir=None))
    assert ["vaultcurator.vault.edit", "vaultcurator.vault.scan"] in cycles


CORE = [
    "vaultcurator.pipeline.run",
    "vaultcurator.pipeline.resume",
    "vaultcurator.pipeline.watch_service",
    "vaultcurator.engines.registry",
    "vaultcurator.engines.local",
    "vaultcurator.links.propose",
    "vaultcurator.review.apply",
    "vaultcurator.review.undo",
    "vaultcurator.review.actions",
    "vaultcurator.watch.events",
    "vaultcurator.curation.estimate",
]


def test_the_headless_core_loads_neither_textual_nor_rich() -> None:
    code = (
        f"import {', '.join(CORE)}, sys\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(ui)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_code_folder_is_a_package() -> None:
    """A folder without ``__init__.py`` is invisible to the contracts (a namespace package)."""
    missing = [
        str(folder.relative_to(REPO))
        for folder in (REPO / "vaultcurator").rglob("*")
        if folder.is_dir() and any(folder.glob("*.py")) and not (folder / "__init__.py").exists()
    ]
    assert missing == []


SQL = re.compile(
    r"\b(?:SELECT\s+\S|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)"
)


def test_every_sql_statement_lives_in_the_store() -> None:
    outside = [
        str(path.relative_to(REPO))
        for path in (REPO / "vaultcurator").rglob("*.py")
        if "store" not in path.relative_to(REPO / "vaultcurator").parts
        and SQL.search(path.read_text(encoding="utf-8"))
    ]
    assert outside == []


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(REPO)): n
        for path in (REPO / "vaultcurator").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}


def test_help_loads_no_heavy_library() -> None:
    """``vaultcurator --help`` imports every command module: none may pull in the SDK,
    Chroma, NumPy or Textual at import time (they cost seconds before anything happens)."""
    code = (
        "import sys\n"
        "from vaultcurator.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('anthropic', 'chromadb', 'numpy', 'textual', 'openai')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
