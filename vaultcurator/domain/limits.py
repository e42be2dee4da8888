"""The Message Batches API's limits, and the margins vaultcurator keeps under them.

One definition each: request building, the batch engine, the CLI and the orchestrator all
read them from here.
"""

from __future__ import annotations

MAX_BATCH_REQUESTS = 100_000
"""The API's limit on requests per Message Batch."""
MAX_BATCH_BYTES = 256_000_000
"""The API's limit on a batch's serialised size (256 MB, read as decimal to be safe)."""
SAFE_BATCH_BYTES = 230_000_000
"""What a chunk of requests aims under: the limit with a 10% margin for the JSON envelope."""
