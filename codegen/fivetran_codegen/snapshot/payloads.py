"""Fivetran API payloads -> the snapshot model.

Parsed defensively: the API omits fields its own spec marks required (`columns`,
`is_primary_key`, `sync_mode`, `supports_*`), sends `null` where a list is expected, and types
drift. Anything volatile (sync timestamps and state) and anything secret (connection and
destination `config`, beyond the one key that names the database) is dropped here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fivetran_codegen.snapshot.model import (
    Column,
    Connection,
    Destination,
    Problem,
    Schema,
    SchemaConfig,
    Table,
    utc_offset_minutes,
)

# Destination service -> the config key that holds the first part of `database.schema.table`.
_DATABASE_KEY_BY_SERVICE = {
    "big_query": "project_id",
    "managed_big_query": "project_id",
    "big_query_dts": "project_id",
    "databricks": "catalog",
}


def destination(payload: Mapping[str, Any]) -> Destination:
    service = optional_text(payload.get("service")) or "unknown"
    config = _mapping(payload.get("config"))
    key = _DATABASE_KEY_BY_SERVICE.get(service, "database")
    return Destination(
        service=service,
        region=optional_text(payload.get("region")),
        database=optional_text(config.get(key)),
        time_zone_offset=_time_zone_offset(payload.get("time_zone_offset")),
    )


def _time_zone_offset(value: Any) -> str | None:
    """Fivetran's text ("-5"); an old spec example had an integer. Anything else is unknown."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:+d}" if value else "0"
    text = optional_text(value)
    return text if utc_offset_minutes(text) is not None else None


def connection(
    payload: Mapping[str, Any],
    schema_config: SchemaConfig | None,
    schema_config_error: Problem | None,
) -> Connection:
    status = _mapping(payload.get("status"))
    frequency = payload.get("sync_frequency")
    return Connection(
        id=str(payload["id"]),
        name=optional_text(payload.get("schema")) or "",
        service=optional_text(payload.get("service")) or "unknown",
        group_id=optional_text(payload.get("group_id")) or "",
        setup_state=(optional_text(status.get("setup_state")) or "unknown").lower(),
        paused=payload.get("paused") is True,
        schedule_type=optional_text(payload.get("schedule_type")),
        sync_frequency=frequency
        if isinstance(frequency, int) and not isinstance(frequency, bool)
        else None,
        daily_sync_time=optional_text(payload.get("daily_sync_time")),
        schema_config=schema_config,
        schema_config_error=schema_config_error,
    )


def schema_config(payload: Mapping[str, Any]) -> SchemaConfig:
    schemas = _mapping(payload.get("schemas"))
    return SchemaConfig(
        schema_change_handling=optional_text(payload.get("schema_change_handling")),
        schemas=tuple(_schema(name, _mapping(schemas[name])) for name in sorted(schemas)),
    )


def _schema(name: str, payload: Mapping[str, Any]) -> Schema:
    tables = _mapping(payload.get("tables"))
    return Schema(
        name=name,
        name_in_destination=optional_text(payload.get("name_in_destination")) or name,
        enabled=payload.get("enabled") is not False,
        tables=tuple(_table(t, _mapping(tables[t])) for t in sorted(tables)),
    )


def _table(name: str, payload: Mapping[str, Any]) -> Table:
    return Table(
        name=name,
        name_in_destination=optional_text(payload.get("name_in_destination")) or name,
        enabled=payload.get("enabled") is not False,
        sync_mode=optional_text(payload.get("sync_mode")),
        supports_columns_config=_flag(payload.get("supports_columns_config")),
        columns_complete=False,
        columns=columns(_mapping(payload.get("columns"))),
    )


def columns(payload: Mapping[str, Any]) -> tuple[Column, ...]:
    """Columns from a schema config's `columns` or the columns endpoint's `data.columns`."""
    return tuple(_column(name, _mapping(payload[name])) for name in sorted(payload))


def _column(name: str, payload: Mapping[str, Any]) -> Column:
    return Column(
        name=name,
        name_in_destination=optional_text(payload.get("name_in_destination")) or name,
        enabled=payload.get("enabled") is not False,
        hashed=_flag(payload.get("hashed")),
        is_primary_key=_flag(payload.get("is_primary_key")),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def optional_text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    return str(value)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
