"""One checker per setting of `[tool.fivetran-codegen]`: each names the key and what it accepts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fivetran_codegen.config import cron, dagster_names, freshness
from fivetran_codegen.config.key_templates import check_template
from fivetran_codegen.config.locations import Where, quote
from fivetran_codegen.config.settings import (
    AssetSettings,
    JobConfig,
    RetryPolicy,
    SensorConfig,
    TranslatorRef,
)
from fivetran_codegen.errors import ConfigError

_AUTOMATION = re.compile(r"eager|on_missing|on_cron:.+")
_OWNER = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|team:[A-Za-z0-9_-]+")
ASSET_KEYS = (
    "asset_key",
    "key_prefix",
    "group",
    "tags",
    "owners",
    "automation_condition",
    "retry_policy",
    "freshness_policy",
    "schema_checks",
)
TOP_KEYS = (
    *("snapshot", "output", "include", "exclude", "polling_sensor", "connections", "jobs"),
    *("resource_key", "api_key_env", "api_secret_env", "profiles", "translator", "tables"),
)
_TRANSLATOR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_JOB_KEYS = ("name", "connections", "groups", "cron", "timezone")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_RETRY_KEYS = ("max_retries", "delay", "backoff", "jitter")
_SENSOR_KEYS = ("enabled", "name", "minimum_interval_seconds", "default_status")


def jobs(value: Any, where: Where) -> tuple[JobConfig, ...]:
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
        if not dagster_names.is_job_name(name):
            raise ConfigError(
                f"job name {name!r} is not a valid Dagster name",
                where=job.at("name"),
                hint="use letters, digits and '_'",
            )
        schedule = section.get("cron")
        if schedule is not None:
            cron.check(schedule, job.at("cron"), example='cron = "0 6 * * *"')
        zone = cron.timezone(section.get("timezone"), job)
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
                timezone=zone,
            )
        )
    names = [j.name for j in jobs]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"two jobs are named {name!r}", where=where.at("jobs"))
    return tuple(jobs)


def resource_key(table: Mapping[str, Any], where: Where) -> str:
    key = where.string(table, "resource_key", "fivetran")
    if not dagster_names.is_resource_key(key):
        raise ConfigError(
            f"resource_key {key!r} cannot name a resource and a function parameter",
            where=where.at("resource_key"),
            hint="use lower-case letters, digits and '_', e.g. 'fivetran_eu'",
        )
    return key


def env_name(table: Mapping[str, Any], where: Where, key: str, default: str) -> str:
    name = where.string(table, key, default)
    if not _ENV_NAME.fullmatch(name):
        raise ConfigError(
            f"{key} {name!r} is not an environment variable name",
            where=where.at(key),
            hint="e.g. 'FIVETRAN_EU_API_KEY'",
        )
    return name


def output(root: Path, table: Mapping[str, Any], where: Where) -> Path:
    value = where.string(table, "output", "fivetran_defs")
    return checked_output(root / value, where.at("output"))


def checked_output(path: Path, where: str) -> Path:
    name = path.name
    if not name:  # "/", "." or "..": no last part to name the package
        raise ConfigError(
            f"the output {str(path)!r} names no package directory",
            where=where,
            hint="name a directory such as 'fivetran_defs' (letters, digits and '_')",
        )
    if not dagster_names.is_package_name(name):
        raise ConfigError(
            f"the output directory {name!r} is not an importable package name",
            where=where,
            hint="name a directory such as 'fivetran_defs' (letters, digits and '_')",
        )
    return path


def asset_settings(table: Mapping[str, Any], where: Where, base: AssetSettings) -> AssetSettings:
    return AssetSettings(
        asset_key=_key_template(table, where, base.asset_key),
        key_prefix=where.strings(table, "key_prefix", base.key_prefix, allow_str=True),
        group=_group_template(table, where, base.group),
        tags=tags(table, where, base.tags),
        owners=owners(table, where, base.owners),
        automation_condition=automation(table, where, base.automation_condition),
        retry_policy=_retry(table, where, base.retry_policy),
        freshness_policy=freshness.setting(table, where, base.freshness_policy),
        schema_checks=where.boolean(table, "schema_checks", base.schema_checks),
    )


def _key_template(
    table: Mapping[str, Any], where: Where, default: tuple[str, ...]
) -> tuple[str, ...]:
    parts = where.strings(table, "asset_key", default)
    if not parts:
        raise ConfigError(
            "asset_key is empty", where=where.at("asset_key"), hint='use ["{schema}", "{table}"]'
        )
    for index, part in enumerate(parts):
        check_template(part, where=f"{where.at('asset_key')}[{index}]")
    return parts


def _group_template(table: Mapping[str, Any], where: Where, default: str) -> str:
    template = where.string(table, "group", default)
    check_template(template, where=where.at("group"))
    return template


def tags(
    table: Mapping[str, Any], where: Where, default: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    if "tags" not in table:
        return default
    tags = where.sub("tags").table(table["tags"])
    for key, value in tags.items():
        if not isinstance(value, str):
            raise ConfigError(
                f"tag {key!r} has a {type(value).__name__} value",
                where=where.at(f"tags.{quote(key)}"),
                hint="tag values are strings",
            )
        if not dagster_names.is_tag(key, value):
            raise ConfigError(
                f"tag {key!r} = {value!r} is not a valid Dagster tag",
                where=where.at(f"tags.{quote(key)}"),
                hint="keys and values use letters, digits, '_', '-' and '.', up to 63 characters (keys may have one 'prefix/')",
            )
    return tuple(sorted(tags.items()))


def owners(table: Mapping[str, Any], where: Where, default: tuple[str, ...]) -> tuple[str, ...]:
    owners = where.strings(table, "owners", default)
    for owner in owners:
        if not _OWNER.fullmatch(owner):
            raise ConfigError(
                f"owner {owner!r} is neither an email address nor 'team:<name>'",
                where=where.at("owners"),
                hint="write owners as 'data@example.com' or 'team:data_platform'",
            )
    return owners


def automation(table: Mapping[str, Any], where: Where, default: str | None) -> str | None:
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
        cron.check(
            value.removeprefix("on_cron:"),
            where.at("automation_condition"),
            example='automation_condition = "on_cron:0 6 * * *"',
        )
    return value


def _retry(
    table: Mapping[str, Any], where: Where, default: RetryPolicy | None
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


def sensor(value: Any, where: Where) -> SensorConfig:
    if isinstance(value, bool):
        return SensorConfig(enabled=value)
    section = where.table(value)
    where.known(section, _SENSOR_KEYS)
    name = section.get("name")
    if name is not None and (not isinstance(name, str) or not dagster_names.is_name(name)):
        raise ConfigError(
            f"sensor name {name!r} is not a valid Dagster name",
            where=where.at("name"),
            hint="use letters, digits and '_'",
        )
    return SensorConfig(
        enabled=where.boolean(section, "enabled", True),
        name=name,
        minimum_interval_seconds=where.integer(section, "minimum_interval_seconds", 30, minimum=1),
        default_status=where.choice(section, "default_status", ("running", "stopped")) or "stopped",
    )


def translator(table: Mapping[str, Any], where: Where) -> TranslatorRef | None:
    if "translator" not in table:
        return None
    value = table["translator"]
    module, _, attribute = value.partition(":") if isinstance(value, str) else ("", "", "")
    if not (_TRANSLATOR.fullmatch(module) and attribute.isidentifier()):
        raise ConfigError(
            f"translator {value!r} is not 'module:attribute'",
            where=where.at("translator"),
            hint='name a class or instance, e.g. translator = "my_project.translators:MyTranslator"',
        )
    return TranslatorRef(module, attribute, where.at("translator"))
