"""`[tool.fivetran-codegen]` in pyproject.toml: what `generate` reads besides the snapshot.

Strict: an unknown key is an error with "did you mean", a bad value names the key and what it
accepts. Paths are relative to the pyproject.toml that holds them. Every setting has a default,
so a project without the table generates with dagster-fivetran's defaults.
"""

from __future__ import annotations

import difflib
import keyword
import re
import sys
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fivetran_codegen import cron
from fivetran_codegen.errors import ConfigError
from fivetran_codegen.model import Selection
from fivetran_codegen.templating import check_template

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TABLE = "tool.fivetran-codegen"
PYPROJECT = "pyproject.toml"

_AUTOMATION = re.compile(r"eager|on_missing|on_cron:.+")
_OWNER = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|team:[A-Za-z0-9_-]+")
_TAG_KEY = re.compile(r"([A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]{1,63}")
_TAG_VALUE = re.compile(r"[A-Za-z0-9_.-]{0,63}")


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


_ASSET_KEYS = (
    "asset_key",
    "key_prefix",
    "group",
    "tags",
    "owners",
    "automation_condition",
    "retry_policy",
)
_TOP_KEYS = (
    *("snapshot", "output", "include", "exclude", "polling_sensor", "connections", "jobs"),
    *("resource_key", "api_key_env", "api_secret_env", "profiles"),
)
_JOB_KEYS = ("name", "connections", "groups", "cron", "timezone")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_RESERVED_RESOURCE_KEYS = frozenset({"context", "config", "io_manager"})
_RETRY_KEYS = ("max_retries", "delay", "backoff", "jitter")
_SENSOR_KEYS = ("enabled", "name", "minimum_interval_seconds", "default_status")


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` (like ruff and pytest find theirs)."""
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def load(path: Path | None, *, cwd: Path) -> Config:
    """Read the config named by --config, else the nearest pyproject.toml, else defaults."""
    section, source, root = read_section(path, cwd=cwd)
    return parse(section, source=source, root=root)


def load_all(path: Path | None, *, cwd: Path) -> list[Config]:
    """Every profile's config when the file defines profiles, else the one config."""
    return load_workspaces(path, cwd=cwd, profile=None).chosen


@dataclass(frozen=True)
class Workspaces:
    """What a command works on, read from the file once."""

    base: Config  # the base table alone (what profiles share; the workspace without profiles)
    chosen: list[Config]  # the one `--profile` names, else every profile, else [base]

    @property
    def profiles(self) -> bool:
        return self.chosen[0].profile is not None


def load_workspaces(path: Path | None, *, cwd: Path, profile: str | None) -> Workspaces:
    section, source, root = read_section(path, cwd=cwd)
    base = parse(section, source=source, root=root)
    names = [profile] if profile is not None else profile_names(section)
    chosen = [parse(section, source=source, root=root, profile=name) for name in names]
    return Workspaces(base, chosen or [base])


def profile_names(section: Any) -> list[str]:
    profiles = section.get("profiles", {}) if isinstance(section, dict) else {}
    return sorted(profiles) if isinstance(profiles, dict) else []


def read_section(path: Path | None, *, cwd: Path) -> tuple[dict[str, Any], str, Path]:
    """The `[tool.fivetran-codegen]` table, where it came from, and its directory."""
    if path is None:
        found = find_pyproject(cwd.resolve())
        if found is None:
            return {}, "(defaults)", cwd
        path = found
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "no such file", where=str(path), hint="name an existing pyproject.toml"
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read it: {exc}", where=str(path)) from None
    tools = document.get("tool", {})
    if "fivetran-codegen" not in tools and isinstance(tools, dict):
        _refuse_misspelled_table(tools, path)
    return tools.get("fivetran-codegen", {}), str(path), path.parent


def _refuse_misspelled_table(tools: Mapping[str, Any], path: Path) -> None:
    """`[tool.fivetran_codegen]` and the like would otherwise be ignored without a word, and
    every setting in it silently lost."""
    for name in sorted(tools):
        if name != "fivetran-codegen" and (
            re.sub(r"[^a-z]", "", name.lower()) == "fivetrancodegen"
            or difflib.get_close_matches(name, ["fivetran-codegen"], n=1, cutoff=0.85)
        ):
            raise ConfigError(
                f"[tool.{_quote(name)}] is not read by fivetran-codegen",
                where=str(path),
                hint="name the table [tool.fivetran-codegen]",
            )


def parse(section: Any, *, source: str, root: Path, profile: str | None = None) -> Config:
    where = _Where(source, TABLE)
    table = where.table(section)
    where.known(table, _TOP_KEYS + _ASSET_KEYS)
    if profile is not None:
        # The base table on its own first, so an error in what the profiles share is reported
        # where it was written, not under the profile that inherited it.
        parse(section, source=source, root=root)
        if "jobs" in table:
            raise ConfigError(
                "jobs in the base table: with profiles, each job belongs to one profile (the "
                "same job in every profile would define one name twice)",
                where=where.at("jobs"),
                hint="move it under [[tool.fivetran-codegen.profiles.<name>.jobs]]",
            )
        table, where = _with_profile(table, where, profile)
    assets = _asset_settings(table, where, AssetSettings())
    connections = where.sub("connections").table(table.get("connections", {}))
    overrides = tuple(
        (name, _overridden(value, where.sub(f"connections.{_quote(name)}"), assets))
        for name, value in sorted(connections.items())
    )
    return Config(
        source=source,
        root=root,
        snapshot=root / where.string(table, "snapshot", "fivetran_snapshot.json"),
        output=_output(root, table, where),
        selection=Selection(
            include=where.strings(table, "include"), exclude=where.strings(table, "exclude")
        ),
        assets=assets,
        sensor=_sensor(table.get("polling_sensor", False), where.sub("polling_sensor")),
        overrides=overrides,
        jobs=_jobs(table.get("jobs", []), where),
        resource_key=_resource_key(table, where),
        api_key_env=_env_name(table, where, "api_key_env", "FIVETRAN_API_KEY"),
        api_secret_env=_env_name(table, where, "api_secret_env", "FIVETRAN_API_SECRET"),
        profile=profile,
    )


def _with_profile(
    table: dict[str, Any], where: _Where, profile: str
) -> tuple[dict[str, Any], _Where]:
    """The base table with the profile's keys laid over it (one workspace per profile)."""
    profiles = where.sub("profiles").table(table.get("profiles", {}))
    if profile not in profiles:
        close = difflib.get_close_matches(profile, list(profiles), n=1)
        raise ConfigError(
            f"no profile {profile!r}",
            where=where.at("profiles"),
            hint=f"did you mean {close[0]!r}?"
            if close
            else f"profiles defined: {', '.join(sorted(profiles)) or 'none'}",
        )
    inner = where.sub(f"profiles.{_quote(profile)}")
    overlay = inner.table(profiles[profile])
    inner.known(overlay, tuple(k for k in _TOP_KEYS + _ASSET_KEYS if k != "profiles"))
    merged = {k: v for k, v in table.items() if k != "profiles"} | overlay
    return merged, inner


def _jobs(value: Any, where: _Where) -> tuple[JobConfig, ...]:
    if not isinstance(value, list):
        raise ConfigError(
            "jobs must be an array of tables ([[tool.fivetran-codegen.jobs]])",
            where=where.at("jobs"),
        )
    jobs = []
    for index, entry in enumerate(value):
        job = where.sub(f"jobs[{index}]")
        section = job.table(entry)
        job.known(section, _JOB_KEYS)
        name = job.string(section, "name", "")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(
                f"job name {name!r} is not a valid Dagster name",
                where=job.at("name"),
                hint="use letters, digits and '_'",
            )
        schedule = section.get("cron")
        if schedule is not None:
            _check_cron(schedule, job.at("cron"), example='cron = "0 6 * * *"')
        timezone = _timezone(section.get("timezone"), job)
        connections, groups = job.strings(section, "connections"), job.strings(section, "groups")
        if not connections and not groups:
            raise ConfigError(
                f"job {name!r} selects nothing: it has neither connections nor groups",
                where=job.at(""),
                hint='add connections = ["*"] for every connection, or name some connections or groups',
            )
        jobs.append(
            JobConfig(
                name=name,
                where=job.at(""),
                connections=connections,
                groups=groups,
                cron=schedule,
                timezone=timezone,
            )
        )
    names = [j.name for j in jobs]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"two jobs are named {name!r}", where=where.at("jobs"))
    return tuple(jobs)


def _timezone(value: Any, where: _Where) -> str | None:
    """An IANA time zone name, checked as Dagster checks it when the schedule loads (zoneinfo,
    with the tzdata package Dagster depends on), so a typo fails here and not at deploy time."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(
            "timezone must be a string such as 'Europe/Berlin'", where=where.at("timezone")
        )
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, sorted(zoneinfo.available_timezones()), n=1)
        raise ConfigError(
            f"timezone {value!r} is not a time zone name",
            where=where.at("timezone"),
            hint=f"did you mean {close[0]!r}?"
            if close
            else "use an IANA name such as 'Europe/Berlin' or 'UTC'",
        ) from None
    return value


def _resource_key(table: Mapping[str, Any], where: _Where) -> str:
    key = where.string(table, "resource_key", "fivetran")
    if (
        not re.fullmatch(r"[a-z_][a-z0-9_]*", key)
        or key in _RESERVED_RESOURCE_KEYS
        or keyword.iskeyword(key)
    ):
        raise ConfigError(
            f"resource_key {key!r} cannot name a resource and a function parameter",
            where=where.at("resource_key"),
            hint="use lower-case letters, digits and '_', e.g. 'fivetran_eu'",
        )
    return key


def _env_name(table: Mapping[str, Any], where: _Where, key: str, default: str) -> str:
    name = where.string(table, key, default)
    if not _ENV_NAME.fullmatch(name):
        raise ConfigError(
            f"{key} {name!r} is not an environment variable name",
            where=where.at(key),
            hint="e.g. 'FIVETRAN_EU_API_KEY'",
        )
    return name


def with_paths(config: Config, *, snapshot: Path | None, output: Path | None) -> Config:
    """Command-line --snapshot/--out win over the file (they are relative to the cwd)."""
    return replace(
        config,
        snapshot=snapshot if snapshot is not None else config.snapshot,
        output=_checked_output(output, "--out") if output is not None else config.output,
    )


def settings_for(config: Config, connection_id: str, connection_name: str) -> AssetSettings:
    """A connection's settings: an override by id wins over one by name, else the defaults."""
    by_key = dict(config.overrides)
    return by_key.get(connection_id) or by_key.get(connection_name) or config.assets


def _output(root: Path, table: Mapping[str, Any], where: _Where) -> Path:
    value = where.string(table, "output", "fivetran_defs")
    return _checked_output(root / value, where.at("output"))


def _checked_output(path: Path, where: str) -> Path:
    name = path.name
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in {"dagster", "dg"}:
        raise ConfigError(
            f"the output directory {name!r} is not an importable package name",
            where=where,
            hint="name a directory such as 'fivetran_defs' (letters, digits and '_')",
        )
    return path


def _overridden(section: Any, where: _Where, base: AssetSettings) -> AssetSettings:
    table = where.table(section)
    where.known(table, _ASSET_KEYS)
    return _asset_settings(table, where, base)


def _asset_settings(table: Mapping[str, Any], where: _Where, base: AssetSettings) -> AssetSettings:
    return AssetSettings(
        asset_key=_key_template(table, where, base.asset_key),
        key_prefix=where.strings(table, "key_prefix", base.key_prefix, allow_str=True),
        group=_group_template(table, where, base.group),
        tags=_tags(table, where, base.tags),
        owners=_owners(table, where, base.owners),
        automation_condition=_automation(table, where, base.automation_condition),
        retry_policy=_retry(table, where, base.retry_policy),
    )


def _key_template(
    table: Mapping[str, Any], where: _Where, default: tuple[str, ...]
) -> tuple[str, ...]:
    parts = where.strings(table, "asset_key", default)
    if not parts:
        raise ConfigError(
            "asset_key is empty", where=where.at("asset_key"), hint='use ["{schema}", "{table}"]'
        )
    for index, part in enumerate(parts):
        check_template(part, where=f"{where.at('asset_key')}[{index}]")
    return parts


def _group_template(table: Mapping[str, Any], where: _Where, default: str) -> str:
    template = where.string(table, "group", default)
    check_template(template, where=where.at("group"))
    return template


def _tags(
    table: Mapping[str, Any], where: _Where, default: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    if "tags" not in table:
        return default
    tags = where.sub("tags").table(table["tags"])
    for key, value in tags.items():
        if not isinstance(value, str):
            raise ConfigError(
                f"tag {key!r} has a {type(value).__name__} value",
                where=where.at(f"tags.{_quote(key)}"),
                hint="tag values are strings",
            )
        if not _TAG_KEY.fullmatch(key) or not _TAG_VALUE.fullmatch(value):
            raise ConfigError(
                f"tag {key!r} = {value!r} is not a valid Dagster tag",
                where=where.at(f"tags.{_quote(key)}"),
                hint="keys and values use letters, digits, '_', '-' and '.', up to 63 characters (keys may have one 'prefix/')",
            )
    return tuple(sorted(tags.items()))


def _owners(table: Mapping[str, Any], where: _Where, default: tuple[str, ...]) -> tuple[str, ...]:
    owners = where.strings(table, "owners", default)
    for owner in owners:
        if not _OWNER.fullmatch(owner):
            raise ConfigError(
                f"owner {owner!r} is neither an email address nor 'team:<name>'",
                where=where.at("owners"),
                hint="write owners as 'data@example.com' or 'team:data_platform'",
            )
    return owners


def _automation(table: Mapping[str, Any], where: _Where, default: str | None) -> str | None:
    if "automation_condition" not in table:
        return default
    value = table["automation_condition"]
    if value in ("", "none"):
        return None
    if not isinstance(value, str) or not _AUTOMATION.fullmatch(value):
        raise ConfigError(
            f"automation_condition {value!r} is not one this tool knows",
            where=where.at("automation_condition"),
            hint="use 'eager', 'on_missing', 'on_cron:<five-field cron>' (e.g. 'on_cron:0 6 * * *') or 'none'",
        )
    if value.startswith("on_cron:"):
        _check_cron(
            value.removeprefix("on_cron:"),
            where.at("automation_condition"),
            example='automation_condition = "on_cron:0 6 * * *"',
        )
    return value


def _check_cron(value: Any, where: str, *, example: str) -> None:
    found = cron.problem(value) if isinstance(value, str) else "not a string"
    if found:
        raise ConfigError(
            f"{value!r} is not a cron schedule Dagster accepts: {found}",
            where=where,
            hint=f"e.g. {example}, or an alias such as '@daily'",
        )


def _retry(
    table: Mapping[str, Any], where: _Where, default: RetryPolicy | None
) -> RetryPolicy | None:
    if "retry_policy" not in table:
        return default
    sub = where.sub("retry_policy")
    section = sub.table(table["retry_policy"])
    sub.known(section, _RETRY_KEYS)
    max_retries = sub.integer(section, "max_retries", 1, minimum=0)
    delay = section.get("delay")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0
    ):
        raise ConfigError(
            f"delay must be a number of seconds >= 0, not {delay!r}", where=sub.at("delay")
        )
    return RetryPolicy(
        max_retries=max_retries,
        delay=float(delay) if delay is not None else None,
        backoff=sub.choice(section, "backoff", ("linear", "exponential")),
        jitter=sub.choice(section, "jitter", ("full", "plus_minus")),
    )


def _sensor(value: Any, where: _Where) -> SensorConfig:
    if isinstance(value, bool):
        return SensorConfig(enabled=value)
    section = where.table(value)
    where.known(section, _SENSOR_KEYS)
    name = section.get("name")
    if name is not None and (not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_]+", name)):
        raise ConfigError(
            f"sensor name {name!r} is not a valid Dagster name",
            where=where.at("name"),
            hint="use letters, digits and '_'",
        )
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(
            f"enabled must be true or false, not {enabled!r}", where=where.at("enabled")
        )
    return SensorConfig(
        enabled=enabled,
        name=name,
        minimum_interval_seconds=where.integer(section, "minimum_interval_seconds", 30, minimum=1),
        default_status=where.choice(section, "default_status", ("running", "stopped")) or "stopped",
    )


def _quote(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


@dataclass(frozen=True)
class _Where:
    """Where a value sits (file and dotted TOML path), and typed getters that say so on error."""

    source: str
    path: str

    def at(self, key: str) -> str:
        return f"{self.source}: [{self.path}].{key}" if key else f"{self.source}: [{self.path}]"

    def sub(self, key: str) -> _Where:
        return _Where(self.source, f"{self.path}.{key}")

    def table(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ConfigError(
                f"expected a table, got {type(value).__name__}",
                where=self.at(""),
            )
        return value

    def known(self, table: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        for key in sorted(table):
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                raise ConfigError(
                    f"unknown key {key!r}",
                    where=self.at(_quote(key)),
                    hint=f"did you mean {close[0]!r}?"
                    if close
                    else f"known keys: {', '.join(keys)}",
                )

    def string(self, table: Mapping[str, Any], key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"{key} must be a non-empty string, not {value!r}", where=self.at(key)
            )
        return value

    def strings(
        self,
        table: Mapping[str, Any],
        key: str,
        default: tuple[str, ...] = (),
        *,
        allow_str: bool = False,
    ) -> tuple[str, ...]:
        value = table.get(key, default)
        if allow_str and isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(
                f"{key} must be a list of non-empty strings, not {value!r}", where=self.at(key)
            )
        return tuple(value)

    def integer(self, table: Mapping[str, Any], key: str, default: int, *, minimum: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(
                f"{key} must be an integer >= {minimum}, not {value!r}", where=self.at(key)
            )
        return value

    def choice(self, table: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if value not in choices:
            close = difflib.get_close_matches(str(value), choices, n=1)
            raise ConfigError(
                f"{key} {value!r} is not one of {', '.join(choices)}",
                where=self.at(key),
                hint=f"did you mean {close[0]!r}?" if close else None,
            )
        return str(value)
