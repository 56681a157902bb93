"""Render workspace objects as the JSON `data` Fivetran returns (v2 shapes, per the OpenAPI spec).

Optional fields whose value would be null are omitted, as real responses do, except
`succeeded_at`/`failed_at`, which Fivetran documents as null until the first success/failure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fivetran_codegen_runtime.testing.clock import format_timestamp
from fivetran_codegen_runtime.testing.workspace import (
    SimColumn,
    SimConnection,
    SimGroup,
    SimSchema,
    SimTable,
)

JsonObject = dict[str, Any]


def group(group: SimGroup) -> JsonObject:
    return {"id": group.id, "name": group.name, "created_at": format_timestamp(group.created_at)}


def destination(group: SimGroup, *, details: bool) -> JsonObject:
    """`details` adds `config` (secrets masked); list items carry no config, as in Fivetran's docs."""
    dest = group.destination
    if dest is None:
        raise ValueError(f"group {group.id!r} has no destination")
    body: JsonObject = {
        "id": group.id,  # groups and destinations are 1:1 and share the id
        "group_id": group.id,
        "service": dest.service,
        "region": dest.region,
        "time_zone_offset": dest.time_zone_offset,
        "setup_status": dest.setup_status,
        "daylight_saving_time_enabled": True,
        "networking_method": "Directly",
    }
    if details:
        body["config"] = dict(dest.config)
    return body


def connection(conn: SimConnection, *, details: bool) -> JsonObject:
    """`details` adds `source_sync_details`; both list items and details carry `config`."""
    status: JsonObject = {
        "setup_state": conn.setup_state,
        "sync_state": conn.sync_state,
        "update_state": conn.update_state,
        "is_historical_sync": conn.is_historical_sync,
        "tasks": [dict(task) for task in conn.tasks],
        "warnings": [dict(warning) for warning in conn.warnings],
    }
    if conn.setup_state == "connected":
        status["schema_status"] = "ready"
    if conn.rescheduled_for is not None and conn.sync_state == "rescheduled":
        status["rescheduled_for"] = format_timestamp(conn.rescheduled_for)
    body: JsonObject = {
        "id": conn.id,
        "group_id": conn.group_id,
        "service": conn.service,
        "service_version": conn.service_version,
        "schema": conn.schema,
        "connected_by": conn.connected_by,
        "created_at": format_timestamp(conn.created_at),
        "succeeded_at": _optional_timestamp(conn.succeeded_at),
        "failed_at": _optional_timestamp(conn.failed_at),
        "paused": conn.paused,
        "pause_after_trial": conn.pause_after_trial,
        "sync_frequency": conn.sync_frequency,
        "schedule_type": conn.schedule_type,
        "data_delay_sensitivity": conn.data_delay_sensitivity,
        "data_delay_threshold": conn.data_delay_threshold,
        "networking_method": conn.networking_method,
        "status": status,
        "config": dict(conn.config),
    }
    if conn.daily_sync_time is not None:
        body["daily_sync_time"] = conn.daily_sync_time
    if details:
        last = conn.succeeded_at
        body["source_sync_details"] = (
            {} if last is None else {"last_synced": format_timestamp(last)}
        )
    return body


def schema_config(conn: SimConnection, schemas: dict[str, SimSchema]) -> JsonObject:
    return {
        "enable_new_by_default": conn.schema_change_handling == "ALLOW_ALL",
        "schema_change_handling": conn.schema_change_handling,
        "schemas": {name: _schema(schema) for name, schema in schemas.items()},
    }


def table_columns(table: SimTable) -> JsonObject:
    """The columns endpoint: every column, not only user-modified ones."""
    return {"columns": {column.name: _column(column) for column in table.columns}}


def account_info(account_id: str, account_name: str, user_id: str) -> JsonObject:
    return {"account_id": account_id, "account_name": account_name, "user_id": user_id}


def _schema(schema: SimSchema) -> JsonObject:
    return {
        "name_in_destination": schema.name_in_destination,
        "enabled": schema.enabled,
        "tables": {name: _table(table) for name, table in schema.tables.items()},
    }


def _table(table: SimTable) -> JsonObject:
    body: JsonObject = {
        "name_in_destination": table.name_in_destination,
        "enabled": table.enabled,
        "enabled_patch_settings": (
            {"allowed": True}
            if table.exclusion_allowed
            else {
                "allowed": False,
                "reason_code": "SYSTEM_TABLE",
                "reason": "The table does not support exclusion",
            }
        ),
        "supports_columns_config": True,
        "supports_history_mode": table.supports_history_mode,
    }
    if table.sync_mode is not None:
        body["sync_mode"] = table.sync_mode
    # Fivetran omits `columns` entirely when no column of the table was edited by a user.
    edited = [column for column in table.columns if column.in_schema_config]
    if edited:
        body["columns"] = {column.name: _column(column) for column in edited}
    return body


def _column(column: SimColumn) -> JsonObject:
    return {
        "name_in_destination": column.name_in_destination,
        "enabled": column.enabled,
        "hashed": column.hashed,
        "is_primary_key": column.is_primary_key,
        "enabled_patch_settings": (
            {
                "allowed": False,
                "reason_code": "SYSTEM_COLUMN",
                "reason": "The column does not support exclusion as it is a Primary Key",
            }
            if column.is_primary_key
            else {"allowed": True}
        ),
    }


def _optional_timestamp(value: datetime | None) -> str | None:
    return None if value is None else format_timestamp(value)
