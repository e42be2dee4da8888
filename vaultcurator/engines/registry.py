"""The providers (who answers) and their engines (how a round is sent), by name.

The orchestrator asks a :class:`Provider` which engine a round should use and for an
instance of it; it never names an engine itself, so a new engine or provider is a new entry
here and nothing in :mod:`vaultcurator.pipeline` changes. Engine modules are imported only
when a round needs them (the Anthropic SDK costs a second to import).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from vaultcurator.config import EngineName, Settings
from vaultcurator.curation.routing import route, route_retry
from vaultcurator.domain.jobs import JobOptions
from vaultcurator.engines.base import Engine, EngineSetup
from vaultcurator.errors import UsageError

Router = Callable[[int, str, int, bool, bool], str]
"""``(count, requested mode, realtime_max, first round, past deadline) -> engine name``."""
JobSpec = Callable[[Settings, JobOptions], tuple[str | None, JobOptions]]
"""``(settings, options) -> (model, options)`` a new job of a provider is stored with."""


def _anthropic_route(
    count: int, mode: str, realtime_max: int, first: bool, past_deadline: bool
) -> str:
    if first and not past_deadline:
        return route(count, mode, realtime_max)
    return route_retry(count, mode, realtime_max, past_deadline=past_deadline)


def _local_route(count: int, mode: str, realtime_max: int, first: bool, past_deadline: bool) -> str:
    return "local"


def _openai_route(
    count: int, mode: str, realtime_max: int, first: bool, past_deadline: bool
) -> str:
    return "openai-compatible"


def _openai_job(settings: Settings, options: JobOptions) -> tuple[str | None, JobOptions]:
    from vaultcurator.engines.openai_wire import job_spec

    return job_spec(settings, options)


def _openai_ready(settings: Settings) -> None:
    from vaultcurator.engines.openai_compat import check_server

    check_server(settings.openai)


def _require_anthropic_key() -> None:
    from vaultcurator.engines.client import require_api_key

    require_api_key()


def _no_requirement() -> None:
    """Nothing to check: the engine runs on this machine."""


@dataclass(frozen=True, slots=True)
class Provider:
    """Who answers the notes, and the engines it can send a round through."""

    name: EngineName
    engines: dict[str, str]
    """Engine name -> ``module:Class`` (a class with ``from_setup(EngineSetup)``)."""
    route: Router
    require: Callable[[], None]
    """Raises ConfigError when the provider cannot run here (no API key...)."""
    priced: bool
    """Whether its jobs cost money (estimates and cost tallies apply)."""
    uses_model: bool
    job_spec: JobSpec | None = None
    """How a new job's model and options are chosen (None: ``curation.model``, as given)."""
    ready: Callable[[Settings], None] | None = None
    """Raises ConfigError when its server cannot take a job now (checked before one exists)."""

    def check(self, settings: Settings) -> None:
        """Fail before a job is created when the provider's server is not there."""
        if self.ready is not None:
            self.ready(settings)

    def job(self, settings: Settings, options: JobOptions) -> tuple[str | None, JobOptions]:
        """The model and options a new job of this provider is stored with."""
        if self.job_spec is not None:
            return self.job_spec(settings, options)
        return (settings.curation.model if self.uses_model else None), options

    def requested_mode(self, mode: str) -> str:
        """The mode a job of this provider stores (the offline engine has only its own)."""
        return mode if len(self.engines) > 1 else next(iter(self.engines))

    def engine(self, name: str, setup: EngineSetup) -> Engine:
        target = self.engines.get(name)
        if target is None:
            raise UsageError(f"{self.name} has no {name!r} engine")
        module_name, _, class_name = target.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        engine: Engine = cls.from_setup(setup)
        return engine


PROVIDERS: dict[str, Provider] = {
    "anthropic": Provider(
        name="anthropic",
        engines={
            "sync": "vaultcurator.engines.anthropic_sync:SyncEngine",
            "realtime": "vaultcurator.engines.anthropic_realtime:RealtimeEngine",
            "batch": "vaultcurator.engines.anthropic_batch:BatchEngine",
        },
        route=_anthropic_route,
        require=_require_anthropic_key,
        priced=True,
        uses_model=True,
    ),
    "local": Provider(
        name="local",
        engines={"local": "vaultcurator.engines.local:LocalEngine"},
        route=_local_route,
        require=_no_requirement,
        priced=False,
        uses_model=False,
    ),
    "openai-compatible": Provider(
        name="openai-compatible",
        engines={
            "openai-compatible": "vaultcurator.engines.openai_compat:OpenAICompatEngine",
        },
        route=_openai_route,
        require=_no_requirement,
        priced=False,
        uses_model=True,
        job_spec=_openai_job,
        ready=_openai_ready,
    ),
}


def provider(name: str) -> Provider:
    found = PROVIDERS.get(name)
    if found is None:
        raise UsageError(f"unknown engine {name!r}; use {' or '.join(PROVIDERS)}")
    return found
