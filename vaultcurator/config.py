"""Settings: defaults < user config < ``<vault>/.vaultcurator/config.toml`` < environment < flags.

Each section is a typed dataclass with a docstring per field. A TOML file or variable that
cannot be used raises :class:`~vaultcurator.errors.ConfigError` naming the key, e.g.
``config.toml: curation.batch_size: expected an integer, got 'many'``.

Environment variables are ``VAULTCURATOR_<SECTION>_<KEY>`` (``VAULTCURATOR_CURATION_MODEL``).
``VAULTCURATOR_CONFIG_DIR`` moves the user config folder (tests point it at a temp dir).
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from vaultcurator.errors import ConfigError

EngineName = Literal["anthropic", "local", "openai-compatible"]
"""Who answers: Claude, the offline heuristic engine, or a local OpenAI-compatible server."""
ModeName = Literal["auto", "sync", "realtime", "batch"]
"""How Claude is called: picked by job size (``auto``) or forced."""
TagPolicyName = Literal["merge", "add", "replace"]
"""What happens to the tags a note already has (see :mod:`vaultcurator.curation.tag_policy`)."""
ENGINE_NAMES: tuple[EngineName, ...] = get_args(EngineName)
TAG_POLICY_NAMES: tuple[TagPolicyName, ...] = get_args(TagPolicyName)
MODE_NAMES: tuple[ModeName, ...] = get_args(ModeName)


def engine_name(value: str) -> EngineName:
    """``value`` as an engine name; ConfigError naming the choices otherwise."""
    for name in ENGINE_NAMES:
        if name == value:
            return name
    raise ConfigError(f"unknown engine {value!r}; use {' or '.join(ENGINE_NAMES)}")


def mode_name(value: str) -> ModeName:
    """``value`` as a mode name; ConfigError naming the choices otherwise."""
    for name in MODE_NAMES:
        if name == value:
            return name
    raise ConfigError(f"unknown mode {value!r}; use {', '.join(MODE_NAMES)}")


STATE_DIR_NAME = ".vaultcurator"
CONFIG_FILE_NAME = "config.toml"
ENV_PREFIX = "VAULTCURATOR_"


@dataclass(slots=True)
class ScanSettings:
    exclude: list[str] = field(default_factory=list)
    """Extra glob patterns (relative POSIX paths, e.g. ``Templates/**``) that are not notes."""
    skip_templates_folder: bool = True
    """Skip the folder named by ``.obsidian/templates.json`` (templates are not valid notes)."""
    max_note_bytes: int = 20_000_000
    """Notes larger than this are reported invalid instead of parsed."""
    obsidian_excluded: bool = True
    """Skip what Obsidian's "Excluded files" lists (``userIgnoreFilters`` in ``app.json``)."""
    skip_plugin_files: bool = True
    """Skip plugin-owned files (Excalidraw drawings, Kanban boards): they are not prose notes."""


@dataclass(slots=True)
class CurationSettings:
    engine: EngineName = "anthropic"
    """``anthropic`` (Claude) or ``local`` (offline, nothing leaves the machine)."""
    mode: ModeName = "auto"
    """``auto``, ``sync``, ``realtime`` or ``batch``."""
    model: str = "claude-haiku-4-5"
    """Model id sent to the API."""
    max_tokens: int = 1024
    """Output token cap per answer."""
    batch_size: int = 10_000
    """Requests per Message Batch (the API allows up to 100,000)."""
    poll_interval: float = 30.0
    """First wait between batch polls, in seconds; it grows up to ``poll_interval_max``."""
    poll_interval_max: float = 600.0
    """Longest wait between batch polls, in seconds."""
    concurrency: int = 8
    """Concurrent requests in realtime mode."""
    realtime_max: int = 20
    """In ``auto`` mode, up to this many notes go real-time; more go to the Batch API."""
    max_retries: int = 2
    """How many times a failed or expired note is retried."""
    body_token_budget: int = 400
    """Estimated tokens of the note body sent (about 1,700 characters of English, fewer of
    denser scripts): its head, the headings of a cut middle and its tail. A few tags and one
    sentence need no more, and the body is most of what a request costs."""
    batch_cache_hit_rate: float = 0.3
    """Share of batch requests assumed to hit the prompt cache when deciding whether a batch
    job caches its prefix (the low end of what Anthropic reports; batches promise none)."""
    max_cost: float | None = None
    """Spending cap in US dollars for one job: curation refuses to start when the estimate
    is over it and stops submitting when the spend reaches it (``--max-cost``)."""
    taxonomy_token_budget: int = 600
    """Estimated tokens spent listing the vault's existing tags (most used first), sent with
    every request: 600 keep a 1,000-note job under $1 on the Batch API."""
    tag_policy: TagPolicyName = "merge"
    """``merge``: keep every author tag (after approved taxonomy renames) and add new ones up
    to ``max_tags``; ``add``: only add, never rename or remove; ``replace``: the engine's list
    wins. Every removal is shown in the diff with its reason."""
    max_tags: int = 8
    """At most this many tags on a note after curation (author tags are never cut to fit)."""


@dataclass(slots=True)
class LinksSettings:
    enabled: bool = True
    """Propose related-note links with tags and descriptions."""
    k: int = 5
    """At most this many related notes per note."""
    threshold: float | None = None
    """Optional absolute floor on the lexical cosine; unset (the default) means none: the
    relative cut-off (``ratio``) decides, since one absolute cosine cuts good lists short."""
    ratio: float = 0.1
    """Keep a related note while its fused score is at least this share of the note's best."""
    same_language: bool = True
    """Propose only notes in the note's own language (top folder in a vault split by
    language, else detected from its words); notes too short to tell may link anywhere."""
    property: str = "related"
    """Frontmatter property that holds the related links."""
    bidirectional: bool = False
    """When A gets B, also give B a link to A (within the k cap)."""
    include_linked: bool = False
    """Also propose notes the note already links to."""
    embedder: str = "auto"
    """Embedder name (``hashed``, ``onnx-minilm``, ...) or ``auto``."""


@dataclass(slots=True)
class ChromaSettings:
    url: str | None = None
    """``http://host:port`` of a Chroma server; empty means the embedded store in the vault."""


@dataclass(slots=True)
class WatchSettings:
    debounce: float = 2.0
    """Seconds of quiet after the last change before a note is curated."""
    auto_apply: bool = False
    """Apply proposals from watch mode at once instead of queueing them for review."""


DEFAULT_OPENAI_BASE_URL = "http://127.0.0.1:11434/v1"
"""Ollama's OpenAI-compatible endpoint on this machine: the default never leaves it."""


@dataclass(slots=True)
class OpenAISettings:
    """The ``openai-compatible`` engine: a Chat Completions server (Ollama, LM Studio...).

    The API key, when a server needs one, comes only from ``VAULTCURATOR_OPENAI_API_KEY``
    or ``OPENAI_API_KEY`` and is never stored.
    """

    base_url: str = DEFAULT_OPENAI_BASE_URL
    """Server URL up to ``/v1``; notes go to another host only when you set it here."""
    model: str = "llama3.2"
    """Model name as the server knows it (``ollama pull llama3.2``)."""
    concurrency: int = 2
    """Requests in flight at once (a local GPU or CPU serves one or two well)."""
    timeout: float = 300.0
    """Seconds one answer may take before it is retried (local models can be slow)."""
    attempts: int = 4
    """Tries of one request on timeouts, 5xx and dropped connections (1 = no retry)."""


@dataclass(slots=True)
class Settings:
    scan: ScanSettings = field(default_factory=ScanSettings)
    curation: CurationSettings = field(default_factory=CurationSettings)
    links: LinksSettings = field(default_factory=LinksSettings)
    chroma: ChromaSettings = field(default_factory=ChromaSettings)
    watch: WatchSettings = field(default_factory=WatchSettings)
    openai: OpenAISettings = field(default_factory=OpenAISettings)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return dataclasses.asdict(self)


def user_config_dir() -> Path:
    """Where the user's own ``config.toml`` lives (``VAULTCURATOR_CONFIG_DIR`` moves it)."""
    env = os.environ.get(ENV_PREFIX + "CONFIG_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "vaultcurator"


def vault_state_dir(vault_root: Path) -> Path:
    return vault_root / STATE_DIR_NAME


def load_settings(
    vault_root: Path | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge every layer into one :class:`Settings`.

    ``overrides`` uses dotted keys (``{"curation.model": "claude-sonnet-4-5"}``); values that
    are None are ignored so argparse defaults of None fall through to lower layers.
    """
    settings = Settings()
    user_file = user_config_dir() / CONFIG_FILE_NAME
    _apply_toml(settings, user_file)
    if vault_root is not None:
        _apply_toml(settings, vault_state_dir(vault_root) / CONFIG_FILE_NAME)
    env = os.environ if environ is None else environ
    for section in dataclasses.fields(settings):
        for key in dataclasses.fields(getattr(settings, section.name)):
            var = f"{ENV_PREFIX}{section.name}_{key.name}".upper()
            if var in env:
                _set(settings, section.name, key.name, env[var], source=var, from_text=True)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section_name, _, key_name = dotted.partition(".")
        _set(settings, section_name, key_name, value, source=f"option {dotted}", from_text=False)
    return settings


def _apply_toml(settings: Settings, path: Path) -> None:
    if not path.is_file():
        return
    import tomllib  # only when there is a file to read (every command's start otherwise)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    for section_name, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {section_name}: expected a [{section_name}] table")
        for key_name, value in table.items():
            _set(settings, section_name, key_name, value, source=str(path), from_text=False)


def _set(
    settings: Settings,
    section_name: str,
    key_name: str,
    value: Any,
    *,
    source: str,
    from_text: bool,
) -> None:
    dotted = f"{section_name}.{key_name}"
    section = getattr(settings, section_name, None)
    if section is None or not dataclasses.is_dataclass(section):
        raise ConfigError(f"{source}: {dotted}: unknown section {section_name!r}")
    hints = typing.get_type_hints(type(section))
    if key_name not in hints:
        raise ConfigError(f"{source}: {dotted}: unknown setting")
    try:
        coerced = _coerce(hints[key_name], value, from_text)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {dotted}: {exc}") from None
    setattr(section, key_name, coerced)


def _coerce(kind: Any, value: Any, from_text: bool) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None or (from_text and value == ""):
            return None
        return _coerce(args[0], value, from_text)
    if origin is list:
        if from_text and isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"expected a list of strings, got {value!r}")
        return list(value)
    if origin is Literal:
        allowed = typing.get_args(kind)
        if value in allowed:
            return value
        raise ValueError(f"expected one of {', '.join(map(str, allowed))}, got {value!r}")
    if kind is bool:
        if isinstance(value, bool):
            return value
        if from_text and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
        raise ValueError(f"expected true or false, got {value!r}")
    if kind is int:
        if isinstance(value, bool):
            raise ValueError(f"expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if from_text and isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected an integer, got {value!r}")
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if from_text and isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected a number, got {value!r}")
    if kind is str:
        if isinstance(value, str):
            return value
        raise ValueError(f"expected a string, got {value!r}")
    raise TypeError(f"unsupported setting type {kind!r}")
