"""PyYAML loads only when a note needs the full loader; the fast path resolves as it does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from vaultcurator.vault import yaml_fast

SCAN_AND_REPORT = """\
import sys
from pathlib import Path
from vaultcurator.config import ScanSettings
from vaultcurator.vault.scan import scan_vault
inventory = scan_vault(Path(sys.argv[1]), ScanSettings())
print("yaml" in sys.modules, [(n.status, n.frontmatter) for n in inventory.notes])
"""


def test_the_copied_resolvers_are_pyyamls() -> None:
    def table(resolvers: dict[str, list[Any]]) -> list[tuple[str, list[tuple[str, str, int]]]]:
        return [
            (first, [(tag, regexp.pattern, regexp.flags) for tag, regexp in pairs])
            for first, pairs in resolvers.items()
        ]

    assert table(yaml_fast._IMPLICIT) == table(Resolver.yaml_implicit_resolvers)
    assert SafeConstructor.bool_values == yaml_fast._BOOLS


def _scan_in_a_new_process(vault: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCAN_AND_REPORT, str(vault)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_simple_frontmatter_never_imports_pyyaml(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntags: [a, b]\nwhen: 2025-01-02\non_time: yes\n---\nx\n")
    assert _scan_in_a_new_process(tmp_path) == (
        "False [('ok', {'tags': ['a', 'b'], 'when': '2025-01-02', 'on_time': True})]"
    )


def test_a_note_that_needs_the_full_loader_gets_it(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nnested:\n  key: [1, 2]\n---\nx\n")
    (tmp_path / "b.md").write_text("---\ntags: [x\n---\nbroken\n")
    out = _scan_in_a_new_process(tmp_path)
    assert out.startswith("True [('ok', {'nested': {'key': [1, 2]}}), ('invalid', {})]")
