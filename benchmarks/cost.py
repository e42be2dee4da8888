"""What curating a vault costs per 1,000 notes, counted on the requests themselves.

For each vault (a path, or one generated with ``--generate``) every note's request is built
as ``curate --all`` would build it (no network), or, with ``--wire``, captured at the wire:
the job is run in batch mode against the local fake Anthropic server (on a temporary copy
of the vault) and the ``params`` of every batch request are read back from what the server
received. Each request is split into its parts (instructions, taxonomy, schema, note
metadata, note body) and tokenized:

- with the cl100k BPE x 1.15 (issue 13's approximation of Claude's tokenizer) when the
  ``bpe_openai`` package is importable (``pip install --target DIR bpe-openai`` and put DIR
  on PYTHONPATH: it ships the cl100k ranks, no download);
- otherwise with vaultcurator's own per-script estimate (said in the output).

Prices are Haiku 4.5 (input $1, output $5 per million; batch half), 80 output tokens per
note, 0% cache hits: a prefix marked for caching pays a 1-hour write (2x) on every request.
``estimate`` is what ``vaultcurator estimate`` says for the same job (offline, uncalibrated).

    python benchmarks/cost.py [VAULT ...] [--generate english,spanish,multilingual]
                              [--notes N] [--wire]

With no vault, the three generated ones.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support.cost_vaults import generate
from vaultcurator.config import load_settings
from vaultcurator.curation.estimate import estimate
from vaultcurator.curation.requests import PromptContext, build_request, load_body
from vaultcurator.vault.scan import scan_vault

OUTPUT_TOKENS = 80
INPUT_PER_MTOK, OUTPUT_PER_MTOK = 1.0, 5.0
CACHE_WRITE_1H = 2.0
SCHEMA_OVERHEAD = 50
PARTS = ("instructions", "taxonomy", "schema", "metadata", "body")
GENERATED_SIZES = {"english": 173, "spanish": 400, "multilingual": 600}
TAXONOMY_HEADER = "# Existing tags"


def tokenizer() -> tuple[str, Callable[[str], float]]:
    """The reference tokenizer if installed, else the project's own estimate."""
    try:
        import bpe_openai  # type: ignore[import-not-found]
    except ImportError:
        from vaultcurator.curation.tokens import estimate_tokens

        return "vaultcurator estimate", lambda text: float(estimate_tokens(text))
    encoding = bpe_openai.get_encoding("cl100k_base")
    return "cl100k x1.15", lambda text: len(encoding.encode(text)) * 1.15


def split_request(params: dict[str, Any]) -> dict[str, str]:
    """The text of each part of one request."""
    system = params["system"]
    text = system[0]["text"] if isinstance(system, list) else str(system)
    cut = text.find(TAXONOMY_HEADER)
    instructions, taxonomy = (text, "") if cut < 0 else (text[:cut], text[cut:])
    user = str(params["messages"][0]["content"])
    start, end = user.find("<body>\n"), user.rfind("</body>")
    body = user[start + 7 : end] if 0 <= start < end else ""
    metadata = user[: start + 7] + user[end:] if 0 <= start < end else user
    schema = json.dumps(params.get("output_config", {}).get("format", {}).get("schema", {}))
    return {
        "instructions": instructions,
        "taxonomy": taxonomy,
        "schema": schema,
        "metadata": metadata,
        "body": body,
    }


def built_requests(root: Path) -> tuple[list[dict[str, Any]], float]:
    """Every note's request params (no network), and what ``estimate`` says per note."""
    settings = load_settings(root).curation
    inventory = scan_vault(root, load_settings(root).scan)
    notes = list(inventory.valid)
    context = PromptContext.build(inventory, settings, root, expected_requests=len(notes))
    params = []
    for note in notes:
        body = load_body(root, note)
        if body is not None:
            params.append(build_request(note, body, context, settings).params)
    result = estimate(notes, context, settings, vault_root=root)
    row = result.row("batch", bool(result.cacheable)) or result.row("batch", False)
    per_note = row.cost_usd / max(1, result.notes) if row is not None else float("nan")
    return params, per_note


def wire_requests(root: Path) -> Iterator[dict[str, Any]]:
    """The params of every batch request the fake server received for ``curate --all``."""
    from tests.fakes.anthropic_server import FakeAnthropic
    from vaultcurator.pipeline.run import CurateOptions, run_curation
    from vaultcurator.workspace import open_workspace

    with tempfile.TemporaryDirectory() as tmp, FakeAnthropic() as fake:
        fake.batches_polls_to_end = 1
        copy = Path(tmp) / "vault"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".vaultcurator"))
        saved = dict(os.environ)
        os.environ.update(
            ANTHROPIC_BASE_URL=fake.base_url,
            ANTHROPIC_API_KEY="test-key-not-real",
            VAULTCURATOR_CURATION_MODE="batch",
            VAULTCURATOR_CURATION_POLL_INTERVAL="0.01",
            VAULTCURATOR_CONFIG_DIR=str(Path(tmp) / "config"),
        )
        try:
            with open_workspace(copy) as ws:
                run_curation(ws, CurateOptions(all_notes=True, links=False))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        for call in fake.requests_to("batches.create"):
            for item in call.body["requests"]:
                yield item["params"]


def measure(
    name: str, params: list[dict[str, Any]], count: Callable[[str], float], said: float
) -> None:
    totals = dict.fromkeys(PARTS, 0.0)
    cached_prefix = 0.0
    for request in params:
        parts = split_request(request)
        for part in PARTS:
            totals[part] += count(parts[part]) + (SCHEMA_OVERHEAD if part == "schema" else 0)
        system = request["system"]
        if isinstance(system, list) and any("cache_control" in b for b in system):
            cached_prefix += count(parts["instructions"]) + count(parts["taxonomy"])
    n = max(1, len(params))
    per_request = {part: totals[part] / n for part in PARTS}
    input_tokens = sum(per_request.values())
    # 0% hits: a cached prefix is billed as a 1 h write (2x) instead of plain input (1x).
    billed_input = input_tokens + (CACHE_WRITE_1H - 1) * cached_prefix / n
    standard = (billed_input * INPUT_PER_MTOK + OUTPUT_TOKENS * OUTPUT_PER_MTOK) / 1e6 * 1000
    print(f"\n{name}: {len(params)} requests" + (" (prefix cached)" if cached_prefix else ""))
    print("  input tokens per request: " + ", ".join(f"{p} {per_request[p]:.0f}" for p in PARTS))
    print(f"  total {input_tokens:.0f} input + {OUTPUT_TOKENS} output per note")
    print(
        f"  $ per 1,000 notes at 0% cache hits: batch {standard / 2:.2f}, "
        f"standard {standard:.2f}; estimate says batch {said * 1000:.2f} "
        f"({(said * 1000) / (standard / 2) - 1:+.0%})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vaults", nargs="*", type=Path)
    parser.add_argument("--generate", default="", help="english,spanish,multilingual")
    parser.add_argument("--notes", type=int, help="notes per generated vault")
    parser.add_argument("--wire", action="store_true", help="capture at the fake server")
    args = parser.parse_args(argv)
    if not args.vaults and not args.generate:
        args.generate = ",".join(GENERATED_SIZES)
    label, count = tokenizer()
    print(f"tokens: {label}")
    with tempfile.TemporaryDirectory() as tmp:
        vaults = [(str(v), v) for v in args.vaults]
        for kind in filter(None, args.generate.split(",")):
            root = Path(tmp) / kind
            generate(kind, root, args.notes or GENERATED_SIZES[kind])
            vaults.append((f"generated {kind}", root))
        for name, root in vaults:
            params, said = built_requests(root)
            if args.wire:
                params = list(wire_requests(root))
                name += " (at the wire)"
            measure(name, params, count, said)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
