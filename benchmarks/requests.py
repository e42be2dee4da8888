"""Build and serialise curation requests for 100,000 synthetic notes, streamed into batches.

Prints the time to build and serialise, the process's peak memory, and each chunk's request
count and serialised size when split under the Message Batches limits (<= 100,000 requests,
under 256 MB with margin). Nothing touches the disk or the network.

    python benchmarks/requests.py [--notes N] [--batch-size N] [--max-mb MB]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaultcurator.config import CurationSettings
from vaultcurator.curation.requests import (
    CUSTOM_ID_PATTERN,
    PromptContext,
    batch_item,
    build_request,
    chunk_requests,
)
from vaultcurator.domain.limits import MAX_BATCH_BYTES, MAX_BATCH_REQUESTS, SAFE_BATCH_BYTES
from vaultcurator.domain.requests import CurationRequest
from vaultcurator.vault.model import Inventory, Note

AREAS = ["programming", "cooking", "gardening", "finance", "reading", "health", "travel"]
TOPICS = ["python", "rust", "baking", "soups", "pests", "budget", "books", "running", "japan"]
SENTENCE = (
    "The note explains how to plan a small project with clear steps, a short list of open "
    "questions about tools, budget and time, and the people involved in it this week. "
)
CORPUS = SENTENCE * (70_000 // len(SENTENCE))
EXTRA = ["日本語のメモ", "😀 emoji", "Ünïcödé", "naïve café"]


def synthetic_tags(rng: random.Random) -> list[str]:
    tags = [f"{rng.choice(AREAS)}/{rng.choice(TOPICS)}"]
    tags += [f"{rng.choice(AREAS)}/{rng.choice(TOPICS)}/t{rng.randrange(300)}"]
    return tags


def synthetic_body(rng: random.Random, index: int) -> str:
    """Mostly a few KB, a tail of long notes that the body budget trims."""
    size = int(min(60_000, rng.lognormvariate(7.6, 1.0)))
    offset = rng.randrange(len(SENTENCE))
    extra = rng.choice(EXTRA) if index % 7 == 0 else ""
    return f"# Note {index} {extra}\n\nMARKER-{index} {CORPUS[offset : offset + size]}\n"


def synthetic_note(index: int, rng: random.Random) -> Note:
    folder = f"{rng.choice(AREAS).title()}/{rng.choice(TOPICS).title()}"
    name = f"Note {index} {rng.choice(EXTRA) if index % 5 == 0 else ''}".strip()
    return Note(
        index=index,
        path=f"{folder}/{name}.md",
        hash=f"{index:064x}",
        mtime_ns=0,
        size=0,
        tags=synthetic_tags(rng),
    )


def requests_for(
    count: int, context: PromptContext, settings: CurationSettings
) -> Iterator[CurationRequest]:
    """Requests made one at a time: bodies are never all in memory."""
    rng = random.Random(42)
    for index in range(count):
        note = synthetic_note(index, rng)
        yield build_request(note, synthetic_body(rng, index), context, settings)


def encode(chunk: list[CurationRequest]) -> bytearray:
    """The batch body as the SDK sends it (compact JSON, UTF-8), one request at a time.

    Encoding the whole body as one ``str`` would cost 4 bytes per character as soon as one
    emoji is in it; per-request encoding keeps memory near the payload's size.
    """
    out = bytearray(b'{"requests":[')
    for number, request in enumerate(chunk):
        if number:
            out += b","
        out += json.dumps(batch_item(request), ensure_ascii=False, separators=(",", ":")).encode()
    out += b"]}"
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=MAX_BATCH_REQUESTS)
    parser.add_argument("--max-mb", type=float, default=SAFE_BATCH_BYTES / 1e6)
    args = parser.parse_args()
    settings = CurationSettings()
    max_bytes = int(args.max_mb * 1e6)

    rng = random.Random(7)
    inventory = Inventory(
        root=Path("/synthetic"), notes=[synthetic_note(i, rng) for i in range(5000)]
    )
    base_rss = peak_rss_mb()
    started = time.perf_counter()
    context = PromptContext.build(inventory, settings)
    print(
        f"taxonomy: {len(context.tag_counts)} tags, {context.taxonomy_shown} listed; "
        f"shared prefix ≈ {context.prefix_tokens} tokens (cached: {context.cacheable})"
    )

    total_requests = 0
    total_bytes = 0
    encode_seconds = 0.0
    ids: set[str] = set()
    print(f"{'chunk':>5} {'requests':>9} {'MB':>8}")
    for number, chunk in enumerate(
        chunk_requests(requests_for(args.notes, context, settings), args.batch_size, max_bytes),
        start=1,
    ):
        encode_started = time.perf_counter()
        payload = encode(chunk)
        encode_seconds += time.perf_counter() - encode_started
        assert len(chunk) <= MAX_BATCH_REQUESTS and len(payload) < MAX_BATCH_BYTES
        assert len(payload) <= max_bytes
        for request in chunk:
            assert CUSTOM_ID_PATTERN.match(request.custom_id), request.custom_id
            ids.add(request.custom_id)
        total_requests += len(chunk)
        total_bytes += len(payload)
        print(f"{number:>5} {len(chunk):>9,} {len(payload) / 1e6:>8.1f}")
        del payload, chunk
    elapsed = time.perf_counter() - started
    assert len(ids) == total_requests == args.notes, "custom_ids must be unique"
    print(
        f"\n{total_requests:,} requests, {total_bytes / 1e6:,.0f} MB serialised in "
        f"{elapsed:.1f} s ({total_requests / elapsed:,.0f} requests/s; building and sizing "
        f"{elapsed - encode_seconds:.1f} s, encoding the batch bodies {encode_seconds:.1f} s)"
    )
    print(f"peak RSS {peak_rss_mb():,.0f} MB (baseline before building {base_rss:,.0f} MB)")
    print(f"limits: <= {args.batch_size:,} requests and <= {max_bytes / 1e6:,.0f} MB per batch")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
