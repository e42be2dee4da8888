"""Draw the README's screenshot of the review screen (docs/review.svg).

The same data as the snapshot tests (a copy of the fixture vault named ``my-vault`` with the
``curated`` proposals), at 120x30: Kimchi approved, Index Funds rejected, the cursor back on
Kimchi. Look at the result before committing it.

Usage (from the repository root): python -m tests.tui.readme_screenshot [docs/review.svg]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tests.conftest import FIXTURE_VAULT
from tests.tui.conftest import add_curated, make_app, settle
from vaultcurator.workspace import open_workspace

SIZE = (120, 30)
DEFAULT_TARGET = Path(__file__).resolve().parents[2] / "docs" / "review.svg"


async def draw(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "my-vault"
        shutil.copytree(FIXTURE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultcurator"))
        with open_workspace(vault) as ws:
            add_curated(ws)
            app = make_app(ws)
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                await pilot.press("a", "r", "k", "k")
                await settle(pilot)
                app.save_screenshot(filename=target.name, path=str(target.parent))


def main(argv: list[str]) -> int:
    os.environ.pop("NO_COLOR", None)
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    target = Path(argv[0]) if argv else DEFAULT_TARGET
    asyncio.run(draw(target.resolve()))
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
