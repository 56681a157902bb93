"""The settings `generate` reads besides the snapshot, as frozen records with dagster-fivetran's
defaults: what `[tool.fivetran-codegen]` says once it has been checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

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
class TimeWindowFreshness:
    fail_seconds: int
    warn_seconds: int | None = None


@dataclass(frozen=True)
class CronFreshness:
    cron: str
    lower_bound_seconds: int
    timezone: str = "UTC"


@dataclass(frozen=True)
class ScheduleFreshness:
    """`freshness_policy = "from_schedule"`: windows that follow the connection's own schedule
    (plan/freshness.py turns them into a policy per connection)."""

    warn: float = 1.5  # times the sync frequency
    fail: float = 2.0
    daily_deadline_seconds: int = 3 * 3600  # after a daily sync time: the cron policy's deadline


Freshness = TimeWindowFreshness | CronFreshness | ScheduleFreshness


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
    freshness_policy: Freshness | None = None
    schema_checks: bool = True  # a schema-drift check per table, run after every sync


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
class TableRule:
    """One entry; None means the entry leaves that field as it is."""

    match: str  # as written
    where: str  # "pyproject.toml: [tool.fivetran-codegen.tables[0]]"
    connection: str | None  # glob over the connection id or name, before a ':'
    table: str  # glob over `schema.table` in destination names
    asset_key: tuple[str, ...] | None = None  # templates, like the top-level asset_key
    key_prefix: tuple[str, ...] | None = None
    group: str | None = None  # a template
    deps: tuple[tuple[str, ...], ...] | None = None
    description: str | None = None
    metadata: tuple[tuple[str, Any], ...] | None = None  # merged into the table's metadata
    kinds: tuple[str, ...] | None = None  # replace the kinds
    code_version: str | None = None
    owners: tuple[str, ...] | None = None
    tags: tuple[tuple[str, str], ...] | None = None  # merged into the tags
    automation_condition: str | None = None  # "none" removes it
    freshness_policy: Freshness | Literal["none"] | None = None  # "none" removes it

    def matches(self, connection_id: str, connection_name: str, schema: str, table: str) -> bool:
        if self.connection is not None and not (
            fnmatchcase(connection_id, self.connection)
            or fnmatchcase(connection_name, self.connection)
        ):
            return False
        return fnmatchcase(f"{schema}.{table}", self.table)


@dataclass(frozen=True)
class TranslatorRef:
    """`translator = "module:attribute"`: imported when generate plans, never by generated code."""

    module: str
    attribute: str
    where: str  # where the setting is written


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
    translator: TranslatorRef | None = None
    tables: tuple[TableRule, ...] = ()  # [[tool.fivetran-codegen.tables]], in order

    @property
    def package(self) -> str:
        return self.output.name


def settings_for(config: Config, connection_id: str, connection_name: str) -> AssetSettings:
    """A connection's settings: an override by id wins over one by name, else the defaults."""
    by_key = dict(config.overrides)
    return by_key.get(connection_id) or by_key.get(connection_name) or config.assets
