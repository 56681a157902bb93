"""The settings `generate` reads besides the snapshot, as frozen records with dagster-fivetran's
defaults: what `[tool.fivetran-codegen]` says once it has been checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fivetran_codegen.snapshot.model import Selection


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 1
    delay: float | None = None
    backoff: str | None = None  # "linear" | "exponential"
    jitter: str | None = None  # "full" | "plus_minus"


@dataclass(frozen=True)
class SensorConfig:
    enabled: bool = False
    name: str | None = None  # None: "<resource_key>_polling_sensor"
    minimum_interval_seconds: int = 30
    default_status: str = "stopped"  # "running" | "stopped"


@dataclass(frozen=True)
class AssetSettings:
    """What shapes a connection's assets; set at the top level, overridable per connection."""

    asset_key: tuple[str, ...] = ("{schema}", "{table}")
    key_prefix: tuple[str, ...] = ()
    group: str = "{connection}"
    tags: tuple[tuple[str, str], ...] = ()
    owners: tuple[str, ...] = ()
    automation_condition: str | None = None
    retry_policy: RetryPolicy | None = None


@dataclass(frozen=True)
class JobConfig:
    """An asset job over some connections or asset groups, with an optional cron schedule."""

    name: str
    where: str  # where it is written: "pyproject.toml: [tool.fivetran-codegen.jobs[0]]"
    connections: tuple[str, ...] = ()  # globs over connection id, name, service, group name
    groups: tuple[str, ...] = ()  # asset group names
    cron: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Config:
    source: str  # the pyproject.toml it came from, or "(defaults)"
    root: Path  # relative paths resolve against this directory
    snapshot: Path
    output: Path
    selection: Selection
    assets: AssetSettings
    sensor: SensorConfig
    # Per-connection settings, keyed by connection id or name as the user wrote them.
    overrides: tuple[tuple[str, AssetSettings], ...] = field(default=())
    jobs: tuple[JobConfig, ...] = ()
    # One Fivetran workspace per profile: its resource key and credential variables.
    resource_key: str = "fivetran"
    api_key_env: str = "FIVETRAN_API_KEY"
    api_secret_env: str = "FIVETRAN_API_SECRET"
    profile: str | None = None

    @property
    def package(self) -> str:
        return self.output.name


def settings_for(config: Config, connection_id: str, connection_name: str) -> AssetSettings:
    """A connection's settings: an override by id wins over one by name, else the defaults."""
    by_key = dict(config.overrides)
    return by_key.get(connection_id) or by_key.get(connection_name) or config.assets
