"""`[[tool.fivetran-codegen.tables]]`: per-table settings for people who would rather not write a
translator. Each entry has a `match` and any of the AssetSpec fields below; entries apply in
order, before the translator, so a later entry wins over an earlier one."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from fivetran_codegen.config import fields, freshness
from fivetran_codegen.config.key_templates import check_template
from fivetran_codegen.config.locations import Where, quote
from fivetran_codegen.config.settings import TableRule
from fivetran_codegen.errors import ConfigError

RULE_KEYS = (
    *("match", "asset_key", "key_prefix", "group", "deps", "description", "metadata"),
    *("kinds", "code_version", "owners", "tags", "automation_condition", "freshness_policy"),
)


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
        freshness_policy=freshness.setting(section, where) or "none"
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
