"""Real token counts: correct the offline estimate with the API's ``count_tokens``.

A handful of the job's own requests are counted (the shared prefix once, then up to
:data:`SAMPLE_REQUESTS` notes), which gives two ratios of real to estimated tokens: one for
the prefix (system prompt and taxonomy) and one for a note's own part. The ratios are kept in
``<vault>/.vaultcurator/token_calibration.json`` per model and prompt version, so the next
estimate or job on the same prompt costs no call. Counting is free on the API but needs the
network and a key; without them the estimate stays the offline one and says so.

The counting itself is a callable (``params -> input tokens``) handed in by the engine
layer, so this module never imports the SDK.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vaultcurator.config import vault_state_dir
from vaultcurator.curation.prompts import approx_tokens

CALIBRATION_FILE = "token_calibration.json"
SAMPLE_REQUESTS = 4
PROBE_TEXT = "."
"""The user turn sent with the system prompt alone, to count the prefix."""
SCALE_RANGE = (0.25, 4.0)
"""Ratios outside this are treated as a broken count and ignored."""

TokenCounter = Callable[[dict[str, Any]], int]
"""``Messages API params -> input tokens`` (``messages.count_tokens``)."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """Real tokens per estimated token, for the prefix and for a note's own part."""

    model: str
    prompt_version: str
    prefix_scale: float
    note_scale: float
    samples: int
    """Requests counted (besides the prefix alone)."""
    counted_at: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.model}|{self.prompt_version}"


def _path(vault_root: Path) -> Path:
    return vault_state_dir(vault_root) / CALIBRATION_FILE


def _read_all(vault_root: Path) -> dict[str, Any]:
    try:
        data = json.loads(_path(vault_root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_calibration(vault_root: Path, model: str, prompt_version: str) -> Calibration | None:
    """The stored calibration for this model and prompt version, if any (a bad file: none)."""
    entry = _read_all(vault_root).get(f"{model}|{prompt_version}")
    if not isinstance(entry, dict):
        return None
    try:
        found = Calibration(**entry)
    except TypeError:
        return None
    low, high = SCALE_RANGE
    if not (low <= found.prefix_scale <= high and low <= found.note_scale <= high):
        return None
    return found


def save_calibration(vault_root: Path, calibration: Calibration) -> None:
    """Store ``calibration`` beside the others (atomic replace; the file is a cache)."""
    data = _read_all(vault_root)
    data[calibration.key] = asdict(calibration)
    path = _path(vault_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    temp.replace(path)


def _count_params(params: dict[str, Any]) -> dict[str, Any]:
    """A request's params as ``count_tokens`` takes them (no ``max_tokens``)."""
    return {k: v for k, v in params.items() if k not in ("max_tokens", "stream")}


def calibrate(
    count: TokenCounter,
    *,
    model: str,
    prompt_version: str,
    system_text: str,
    requests: Sequence[dict[str, Any]],
    note_estimates: Sequence[int],
) -> Calibration | None:
    """Count the prefix alone and ``requests`` (the params of a few notes); None when the
    counts make no sense. ``note_estimates`` are the estimated tokens of each request's own
    part (user turn, schema and framing), as :mod:`.estimate` computes them."""
    if not requests:
        return None
    first = _count_params(requests[0])
    probe = {
        "model": first["model"],
        "system": first["system"],
        "messages": [{"role": "user", "content": PROBE_TEXT}],
    }
    prefix_real = count(probe)
    prefix_scale = prefix_real / max(1, approx_tokens(system_text))
    note_real = sum(count(_count_params(params)) - prefix_real for params in requests)
    note_scale = note_real / max(1, sum(note_estimates))
    low, high = SCALE_RANGE
    if not (low <= prefix_scale <= high and low <= note_scale <= high):
        return None
    return Calibration(
        model=model,
        prompt_version=prompt_version,
        prefix_scale=round(prefix_scale, 4),
        note_scale=round(note_scale, 4),
        samples=len(requests),
        counted_at=time.time(),
    )
