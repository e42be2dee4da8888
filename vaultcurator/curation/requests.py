"""One Messages API request per note, keyed by the note's global index.

``custom_id`` is ``n{index:06d}_{slug}``: the index makes it unique within the job (and so
within any batch), the slug only helps a human reading logs. Nothing in a request's identity
(``custom_id``, ``path``, ``note_index``, ``base_hash``) is derived from the note's content;
the content only ever appears inside the user turn, as data.

The shared prefix (system prompt with the taxonomy) is built once per job in
:class:`PromptContext` and the same objects are referenced by every request, so 100,000
requests do not hold 100,000 copies of it in memory.

Caching the prefix is a deliberate choice per job, made on token counts by script
(:mod:`.tokens`, scaled by the API's own counts when :mod:`.calibration` has them): a prefix
that already reaches the model's minimum cacheable length (4,096 tokens on Haiku 4.5) is never
grown; a shorter one is never cached as it is, so for a job with enough requests
(``expected_requests``) it may be grown to :data:`CACHE_TARGET_FACTOR` times that minimum with
more of the vault's own taxonomy. Either way ``cache_control`` (1 h TTL) is set only when the
pricing table says it pays (:func:`~vaultcurator.curation.pricing.caching_pays`) for the mode
the job would run in: in real time from the break-even request count, in a batch only above
the assumed hit rate (``curation.batch_cache_hit_rate``, 30%: so batches do not cache). The
prefix depends only on the inventory, the settings, ``expected_requests`` and the calibration,
so it is byte-identical for every request of a job and again when the job is resumed.
"""

from __future__ import annotations

import inspect
import json
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.answers import ANSWER_SCHEMA, KnownTags
from vaultcurator.curation.pricing import cache_min_tokens, caching_pays, price_for
from vaultcurator.curation.prompts import (
    SYSTEM_TEMPLATE,
    USER_TEMPLATE,
    approx_tokens,
    cache_extension_sections,
    load_template,
    prompt_version,
    render_cache_extension,
    render_system,
    render_user,
    tag_tree_lines,
)
from vaultcurator.curation.routing import route
from vaultcurator.domain.limits import MAX_BATCH_REQUESTS, SAFE_BATCH_BYTES
from vaultcurator.domain.requests import CurationRequest
from vaultcurator.errors import ConfigError
from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault.model import Inventory, Note, sha256_hex
from vaultcurator.vault.taxonomy import tag_counts

CUSTOM_ID_MAX = 64
CUSTOM_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
CACHE_TTL = "1h"
CACHE_TARGET_FACTOR = 1.1
"""A grown prefix aims this far over the model's minimum: token counts are estimates."""
SCHEMA_OVERHEAD_TOKENS = 50 + approx_tokens(json.dumps(ANSWER_SCHEMA))
"""Rough tokens the API adds to the prompt to enforce the output schema."""

_SLUG_DROP = re.compile(r"[^A-Za-z0-9-]+")
_ENVELOPE_BYTES = len(b'{"requests":[]}')


def _slug(path: str) -> str:
    stem = path[:-3] if path.lower().endswith(".md") else path
    ascii_only = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    return _SLUG_DROP.sub("_", ascii_only).strip("_-")


def custom_id_for(index: int, path: str) -> str:
    """``n{index:06d}_{slug}`` within 64 characters of ``[A-Za-z0-9_-]``.

    The slug is the path without ``.md``, ASCII-folded (accents dropped, other scripts and
    emoji removed), every run of other characters turned into one ``_``. When too long, its
    end is kept (the file name says more than the folders). An empty slug becomes ``note``.
    """
    if index < 0:
        raise ValueError(f"note index must be >= 0, got {index}")
    prefix = f"n{index:06d}_"
    room = CUSTOM_ID_MAX - len(prefix)
    if room <= 0:
        raise ValueError(f"note index {index} too large for a custom_id")
    slug = _slug(path)
    if len(slug) > room:
        slug = slug[-room:].lstrip("_-")
    return prefix + (slug or "note"[:room])


def expected_mode(requests: int, settings: CurationSettings) -> str:
    """The mode ``requests`` notes would first run in (``auto`` routes by count)."""
    if settings.engine == "local":
        return "local"
    try:
        return route(requests, settings.mode, settings.realtime_max)
    except ValueError:
        return "batch"  # an invalid mode is refused later; price it the cautious way


def caching_choice(
    plain_tokens: int,
    cached_tokens: int | None,
    requests: int,
    settings: CurationSettings,
) -> bool:
    """Whether a job of ``requests`` should send the cacheable prefix (see module doc)."""
    mode = expected_mode(requests, settings)
    if cached_tokens is None or mode == "local":
        return False
    try:
        price_for(settings.model)
    except ConfigError:
        return False  # no price, no break-even: leave the prefix as it is
    parallel = settings.concurrency if mode == "realtime" else 1
    return caching_pays(
        settings.model,
        plain_tokens,
        cached_tokens,
        requests,
        batch=mode == "batch",
        parallel=parallel,
        hit_rate=settings.batch_cache_hit_rate,
    )


def _note_tags(note: Note) -> list[str]:
    seen: dict[str, str] = {}
    for tag in (*note.tags, *note.inline_tags):
        seen.setdefault(tag.lower(), tag)
    return list(seen.values())


def _cacheable_text(
    template: string.Template,
    counts: list[tuple[str, int]],
    notes: list[Note],
    settings: CurationSettings,
    plain_text: str,
    scale: float,
) -> tuple[str, int] | None:
    """The system prompt that reaches the cache minimum, and the tags it lists (-1: as is).

    A prefix that already qualifies is returned unchanged (never grown). Otherwise the room
    up to the target goes half to the tag tree (the shape of the whole taxonomy, even of
    tags too rare to list), the rest to listing more tags; tag pairs and tagged notes fill
    what is left. None when the vault has too little to reach the minimum.
    """
    minimum = cache_min_tokens(settings.model)

    def tokens(text: str) -> int:
        return round(approx_tokens(text) * scale)

    if tokens(plain_text) >= minimum:
        return plain_text, -1
    target = int(minimum * CACHE_TARGET_FACTOR)
    tree = tag_tree_lines(counts)
    sample = "\n".join([*tree[:300], *(tag for tag, _ in counts[:300])]) or plain_text
    chars_per_token = len(sample) / max(1, tokens(sample))
    room = target - tokens(plain_text)
    tree_tokens = tokens("\n".join(tree))
    more_tags = int((room - min(tree_tokens, room // 2)) / scale)
    text, shown = render_system(
        template, counts, settings.taxonomy_token_budget + more_tags, settings.max_tags
    )
    tagged = [(n.path, _note_tags(n)) for n in notes]

    sections = cache_extension_sections(counts, tagged)

    def grown_with(chars: int) -> str | None:
        extension = render_cache_extension(counts, tagged, max(1, chars), sections)
        return None if extension is None else f"{text}\n{extension}\n"

    # The smallest extension that reaches the target (its characters/token vary by section).
    low, high = 1, max(2, int((target - tokens(text)) * chars_per_token) * 2)
    while (found := grown_with(high)) is not None and tokens(found) < target:
        low, high = high, high * 2
    if found is None:
        best = grown_with(low)
        return (best, shown) if best is not None and tokens(best) >= minimum else None
    while low < high:
        mid = (low + high) // 2
        candidate = grown_with(mid)
        if candidate is not None and tokens(candidate) >= target:
            high = mid
        else:
            low = mid + 1
    best = grown_with(high)
    return None if best is None else (best, shown)


@dataclass(frozen=True, slots=True)
class PromptContext:
    """What every request of one job shares: the rendered system prompt and the taxonomy."""

    model: str
    system_text: str
    system: list[dict[str, Any]]
    """The ``system`` parameter: one text block, with ``cache_control`` when cached."""
    user_template: string.Template
    tag_counts: list[tuple[str, int]]
    """Every tag of the vault with its count, most used first."""
    taxonomy_shown: int
    """How many of them are listed in the system prompt's taxonomy."""
    known_tags: KnownTags
    prefix_tokens: int
    """Approximate tokens of the shared prefix (system prompt) as sent."""
    cacheable: bool
    """Whether the prefix is marked for caching (it then reaches the model's minimum)."""
    plain_prefix_tokens: int = 0
    """Tokens of the prefix when not cached (taxonomy within its own budget)."""
    cached_prefix_tokens: int | None = None
    """Tokens of the prefix grown to be cacheable; None when the vault cannot fill it."""
    expected_requests: int | None = None
    """The request count the choice was made for (None: only a naturally long prefix)."""
    prompt_version: str = ""
    """Hash of the templates the requests are rendered from (see :func:`prompt_version`)."""
    token_scale: float = 1.0
    """Real tokens per estimated token of the prefix (1.0 until calibrated online)."""

    @classmethod
    def build(
        cls,
        inventory: Inventory,
        settings: CurationSettings,
        vault_root: Path | None = None,
        expected_requests: int | None = None,
        token_scale: float = 1.0,
        vocabulary: Sequence[tuple[str, int]] | None = None,
    ) -> PromptContext:
        """Render the shared prefix once for a job (``vault_root`` enables user templates).

        With ``expected_requests``, the prefix is cached (grown first when it is short) when
        that many requests make caching pay; without it, it is cached only if it is long
        enough as it is. ``token_scale`` corrects the prefix's estimated tokens (calibration).
        ``vocabulary``: the approved taxonomy's canonical tags, listed instead of the vault's
        raw tags (the same text for every request of the job, so it caches).
        """
        counts = list(vocabulary) if vocabulary is not None else tag_counts(inventory.valid)
        template = load_template(SYSTEM_TEMPLATE, vault_root)
        plain_text, plain_shown = render_system(
            template, counts, settings.taxonomy_token_budget, settings.max_tags
        )
        plain_tokens = round(approx_tokens(plain_text) * token_scale)
        grown = _cacheable_text(
            template, counts, list(inventory.valid), settings, plain_text, token_scale
        )
        cached_tokens = None if grown is None else round(approx_tokens(grown[0]) * token_scale)
        if expected_requests is None:
            cache = grown is not None and grown[0] is plain_text
        else:
            cache = caching_choice(plain_tokens, cached_tokens, expected_requests, settings)
        system_text, shown = plain_text, plain_shown
        if cache and grown is not None:
            system_text = grown[0]
            shown = plain_shown if grown[1] < 0 else grown[1]
        block: dict[str, Any] = {"type": "text", "text": system_text}
        if cache:
            block["cache_control"] = {"type": "ephemeral", "ttl": CACHE_TTL}
        return cls(
            model=settings.model,
            system_text=system_text,
            system=[block],
            user_template=load_template(USER_TEMPLATE, vault_root),
            tag_counts=counts,
            taxonomy_shown=shown,
            known_tags=KnownTags(tag for tag, _ in counts),
            prefix_tokens=round(approx_tokens(system_text) * token_scale),
            cacheable=cache,
            plain_prefix_tokens=plain_tokens,
            cached_prefix_tokens=cached_tokens,
            expected_requests=expected_requests,
            prompt_version=prompt_version(vault_root),
            token_scale=token_scale,
        )


OUTPUT_CONFIG: dict[str, Any] = {"format": {"type": "json_schema", "schema": ANSWER_SCHEMA}}


def render_note(note: Note, body: str, context: PromptContext, settings: CurationSettings) -> str:
    """The user turn for ``note``."""
    return render_user(
        context.user_template,
        path=note.path,
        title=note.title,
        tags=note.tags,
        description=note.description,
        body=body,
        body_budget_tokens=settings.body_token_budget,
    )


def build_request(
    note: Note, body: str, context: PromptContext, settings: CurationSettings
) -> CurationRequest:
    """The request for one note; ``params`` is plain JSON, valid as-is on the wire.

    ``params`` holds ``model``, ``max_tokens``, ``system``, ``messages`` and
    ``output_config`` (a native keyword of ``messages.create`` in SDK 2.x). Pass it through
    :func:`sdk_kwargs` before ``client.messages.create(**...)``; use it unchanged as a batch
    request's ``params``. No sampling parameters: the current API version rejects them.
    """
    return CurationRequest(
        custom_id=custom_id_for(note.index, note.path),
        note_index=note.index,
        path=note.path,
        base_hash=note.hash,
        params={
            "model": settings.model,
            "max_tokens": settings.max_tokens,
            "system": context.system,
            "messages": [{"role": "user", "content": render_note(note, body, context, settings)}],
            "output_config": OUTPUT_CONFIG,
        },
    )


def load_body(vault_root: Path, note: Note) -> str | None:
    """The note's body as it is now, or None when the file changed since the scan or vanished.

    The bytes are hashed and compared with ``note.hash``: a request is only ever built from
    the bytes its base hash names.
    """
    try:
        data = note.abspath(vault_root).read_bytes()
    except OSError:
        return None
    if sha256_hex(data) != note.hash:
        return None
    parsed = fm.parse(data)
    if parsed.layout is None or not parsed.ok:
        return None
    return parsed.layout.body


@cache
def _native_create_kwargs() -> frozenset[str]:
    from anthropic.resources.messages import Messages

    names = inspect.signature(Messages.create).parameters
    return frozenset(n for n in names if n != "self" and not n.startswith("extra_"))


def sdk_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` as keyword arguments for ``messages.create``.

    Keys the installed SDK does not know as keywords go under ``extra_body`` (they are sent
    as-is), so params stay valid for older or newer SDKs alike.
    """
    native = _native_create_kwargs()
    kwargs = {k: v for k, v in params.items() if k in native}
    extra = {k: v for k, v in params.items() if k not in native}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def batch_item(request: CurationRequest) -> dict[str, Any]:
    """One entry of a Message Batch's ``requests`` list."""
    return {"custom_id": request.custom_id, "params": request.params}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _SharedSize:
    """Serialised size of the last shared ``system`` value seen (held, so its id stays valid).

    Every request of a job references the same ``system`` list, so its size (most of a
    request) is measured once rather than once per request.
    """

    def __init__(self) -> None:
        self._entry: tuple[object, int] | None = None

    def of(self, value: object) -> int:
        entry = self._entry  # one read: safe when threads measure different values
        if entry is not None and entry[0] is value:
            return entry[1]
        size = len(_dumps(value).encode("utf-8"))
        self._entry = (value, size)
        return size


_SYSTEM_SIZE = _SharedSize()


def serialized_size(request: CurationRequest) -> int:
    """Bytes ``request`` adds to a batch body, encoded the way the SDK sends it.

    That is compact JSON, UTF-8, plus the comma that separates it from the next request.
    """
    params = request.params
    system = params.get("system")
    if isinstance(system, list):
        # ``0`` stands in for the shared system value: measure the rest, add the system once.
        rest = {"custom_id": request.custom_id, "params": {**params, "system": 0}}
        return len(_dumps(rest).encode("utf-8")) - 1 + _SYSTEM_SIZE.of(system) + 1
    return len(_dumps(batch_item(request)).encode("utf-8")) + 1


def chunk_requests(
    requests: Iterable[CurationRequest],
    max_count: int = MAX_BATCH_REQUESTS,
    max_bytes: int = SAFE_BATCH_BYTES,
) -> Iterator[list[CurationRequest]]:
    """Split ``requests`` into batches of at most ``max_count`` and ``max_bytes`` serialised.

    Streams: only the chunk being filled is held. Order is kept. A single request larger
    than ``max_bytes`` raises ValueError (it could never be sent).
    """
    if max_count < 1:
        raise ValueError("max_count must be at least 1")
    if max_bytes <= _ENVELOPE_BYTES:
        raise ValueError("max_bytes too small for any batch")
    chunk: list[CurationRequest] = []
    size = _ENVELOPE_BYTES
    for request in requests:
        item = serialized_size(request)
        if _ENVELOPE_BYTES + item > max_bytes:
            raise ValueError(
                f"{request.custom_id}: request is {item} bytes, over the {max_bytes} limit"
            )
        if chunk and (len(chunk) >= max_count or size + item > max_bytes):
            yield chunk
            chunk = []
            size = _ENVELOPE_BYTES
        chunk.append(request)
        size += item
    if chunk:
        yield chunk
