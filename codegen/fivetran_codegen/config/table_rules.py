"""`[[tool.fivetran-codegen.tables]]`: per-table settings for people who would rather not write a
translator. Each entry has a `match` and any of the AssetSpec fields below; entries apply in
order, before the translator, so a later entry wins over an earlier one."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from fivetran_codegen.config import fields
from fivetran_codegen.config.key_templates import check_template
from fivetran_codegen.config.locations import Where, quote
from fivetran_codegen.config.settings import CronFreshness, TableRule, TimeWindowFreshness
from fivetran_codegen.errors import ConfigError

RULE_KEYS = (
    *("match", "asset_key", "key_prefix", "group", "deps", "description", "metadata"),
    *("kinds", "code_version", "owners", "tags", "automation_condition", "freshness_policy"),
)
_FRESHNESS_KEYS = ("fail_window", "warn_window", "cron", "lower_bound", "timezone")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
MIN_WINDOW_SECONDS = 60  # Dagster evaluates freshness about once a minute


def parse(value: Any, where: Where) -> tuple[TableRule, ...]:
    if not isinstance(value, list):
        raise ConfigError(
            "tables must be an array of tables ([[tool.fivetran-codegen.tables]])",
            where=where.at("tables"),
        )
    return tuple(_rule(entry, where.sub(f"tables[{index}]")) for index, entry in enumerate(value))


def _rule(entry: Any, where: Where) -> TableRule:
    section = where.table(entry)
    where.known(section, RULE_KEYS)
    if "match" not in section:
        raise ConfigError(
            "a table entry needs a match",
            where=where.at(""),
            hint='e.g. match = "salesforce.*" (schema.table) or "my_connection:salesforce.account"',
        )
    match = where.string(section, "match", "")
    connection, _, table = match.rpartition(":") if ":" in match else (None, "", match)
    present = set(section)

    def optional_strings(key: str) -> tuple[str, ...] | None:
        return (
            where.strings(section, key, allow_str=key == "key_prefix") if key in present else None
        )

    asset_key = optional_strings("asset_key")
    for index, part in enumerate(asset_key or ()):
        check_template(part, where=f"{where.at('asset_key')}[{index}]")
    group = where.string(section, "group", "") if "group" in present else None
    if group is not None:
        check_template(group, where=where.at("group"))
    return TableRule(
        match=match,
        where=where.at(""),
        connection=connection or None,
        table=table,
        asset_key=asset_key,
        key_prefix=optional_strings("key_prefix"),
        group=group,
        deps=_deps(section, where) if "deps" in present else None,
        description=_text(section, where, "description"),
        metadata=_metadata(section["metadata"], where) if "metadata" in present else None,
        kinds=optional_strings("kinds"),
        code_version=_text(section, where, "code_version"),
        owners=fields.owners(section, where, ()) if "owners" in present else None,
        tags=fields.tags(section, where, ()) if "tags" in present else None,
        automation_condition=(
            fields.automation(section, where, None) or "none"
            if "automation_condition" in present
            else None
        ),
        freshness_policy=freshness(section["freshness_policy"], where.sub("freshness_policy"))
        if "freshness_policy" in present
        else None,
    )


def _text(section: Mapping[str, Any], where: Where, key: str) -> str | None:
    return where.string(section, key, "") if key in section else None


def _deps(section: Mapping[str, Any], where: Where) -> tuple[tuple[str, ...], ...]:
    value = section["deps"]
    entries = value if isinstance(value, list) else None
    keys: list[tuple[str, ...]] = []
    for entry in entries or [None]:
        if isinstance(entry, str) and entry:
            keys.append(tuple(entry.split("/")))
        elif isinstance(entry, list) and entry and all(isinstance(p, str) and p for p in entry):
            keys.append(tuple(entry))
        else:
            raise ConfigError(
                f"deps must be a list of asset keys, not {value!r}",
                where=where.at("deps"),
                hint='write each key as "a/b" or ["a", "b"], e.g. deps = ["my_upstream_asset_key"]',
            )
    return tuple(keys)


def _metadata(value: Any, where: Where) -> tuple[tuple[str, Any], ...]:
    table = where.sub("metadata").table(value)
    for key, item in table.items():
        _check_plain(item, where.at(f"metadata.{quote(key)}"))
    return tuple(table.items())


def _check_plain(value: Any, where: str) -> None:
    if isinstance(value, (datetime.date, datetime.time)):
        raise ConfigError(
            f"a TOML {type(value).__name__} cannot be metadata",
            where=where,
            hint="write it as a string; metadata values are strings, numbers, booleans, arrays "
            "and tables",
        )
    if isinstance(value, float) and value != value:
        raise ConfigError("nan cannot be metadata", where=where)
    for item in (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    ):
        _check_plain(item, where)


def freshness(value: Any, where: Where) -> TimeWindowFreshness | CronFreshness:
    example = '{ fail_window = "25h", warn_window = "13h" } or { cron = "0 10 * * *", lower_bound = "1h" }'
    section = where.table(value)
    where.known(section, _FRESHNESS_KEYS)
    if "cron" in section:
        extra = sorted(set(section) & {"fail_window", "warn_window"})
        if extra:
            raise ConfigError(
                f"a cron freshness policy has no {extra[0]}", where=where.at(extra[0]), hint=example
            )
        cron = section["cron"]
        fields.check_cron(cron, where.at("cron"), example='cron = "0 10 * * *"')
        if "lower_bound" not in section:
            raise ConfigError(
                "a cron freshness policy needs a lower_bound", where=where.at(""), hint=example
            )
        return CronFreshness(
            cron=cron,
            lower_bound_seconds=duration(section["lower_bound"], where.at("lower_bound")),
            timezone=fields.timezone(section.get("timezone"), where) or "UTC",
        )
    if "fail_window" not in section:
        raise ConfigError(
            "a freshness policy needs fail_window or cron", where=where.at(""), hint=example
        )
    for key in ("lower_bound", "timezone"):
        if key in section:
            raise ConfigError(f"{key} belongs to a cron policy", where=where.at(key), hint=example)
    fail = duration(section["fail_window"], where.at("fail_window"))
    warn = (
        duration(section["warn_window"], where.at("warn_window"))
        if "warn_window" in section
        else None
    )
    if warn is not None and warn >= fail:
        raise ConfigError(
            f"warn_window ({section['warn_window']}) must be shorter than fail_window "
            f"({section['fail_window']})",
            where=where.at("warn_window"),
        )
    return TimeWindowFreshness(fail, warn)


def duration(value: Any, where: str) -> int:
    """Seconds from "25h", "1d12h", "90m", "45s" or a number of seconds; at least a minute."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) and value else None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif match is not None:
        days, hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs
    else:
        raise ConfigError(
            f"{value!r} is not a duration", where=where, hint='write e.g. "25h", "1d12h", "90m"'
        )
    if seconds < MIN_WINDOW_SECONDS:
        raise ConfigError(
            f"{value!r} is shorter than a minute",
            where=where,
            hint="Dagster checks freshness about once a minute; use at least 60s",
        )
    return seconds
