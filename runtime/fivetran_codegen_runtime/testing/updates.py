"""Validation of request bodies for PATCH /v1/connections/{id} and the re-sync endpoints."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fivetran_codegen_runtime.testing import syncstate
from fivetran_codegen_runtime.testing.apierror import invalid_input
from fivetran_codegen_runtime.testing.workspace import SimConnection, SimSchema

SYNC_FREQUENCIES = frozenset({1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440})
DATA_DELAY_SENSITIVITIES = frozenset({"LOW", "NORMAL", "HIGH", "CUSTOM", "SYNC_FREQUENCY"})
# The spec's other PATCH fields, by JSON type; `config` and `networking_method` are applied (the
# workspace models them), the rest are validated and accepted (credentials, agents, secrets).
_SETTING_TYPES: dict[str, type] = {
    "config": dict,
    "auth": dict,
    "networking_method": str,
    "hybrid_deployment_agent_id": str,
    "proxy_agent_id": str,
    "private_link_id": str,
    "destination_configuration": dict,
    "external_secrets_manager_id": str,
    "external_secrets_keys_config": dict,
    "schema_status": str,
}
_ENUMS = {
    "networking_method": ("Directly", "PrivateLink", "SshTunnel", "ProxyAgent"),
    "schema_status": ("blocked_on_capture", "ready"),
}
# Accepted but not stored: Fivetran rejects a PATCH that carries only these.
_TRANSIENT_FIELDS = frozenset({"run_setup_tests", "trust_certificates", "trust_fingerprints"})
_PERSISTENT_FIELDS = frozenset(
    {
        "paused",
        "schedule_type",
        "sync_frequency",
        "daily_sync_time",
        "is_historical_sync",
        "pause_after_trial",
        "data_delay_sensitivity",
        "data_delay_threshold",
        *_SETTING_TYPES,
    }
)
_DAILY_SYNC_TIME = re.compile(r"^([01]\d|2[0-3]):00$")


def apply_connection_update(
    conn: SimConnection, body: Any, now: datetime, default_duration: float
) -> None:
    """Validate the whole body first, then apply it, so a 400 changes nothing."""
    if not isinstance(body, dict):
        raise invalid_input("Request body must be a JSON object")
    unknown = sorted(set(body) - _PERSISTENT_FIELDS - _TRANSIENT_FIELDS)
    if unknown:
        raise invalid_input(f"Unknown or unsupported field '{unknown[0]}'")
    if not set(body) & _PERSISTENT_FIELDS:
        raise invalid_input("The request requires at least one persistent configuration parameter")
    for name in ("paused", "is_historical_sync", "pause_after_trial", *_TRANSIENT_FIELDS):
        if name in body and not isinstance(body[name], bool):
            raise invalid_input(f"Field '{name}' must be a boolean")
    if "schedule_type" in body and body["schedule_type"] not in ("auto", "manual"):
        raise invalid_input("Field 'schedule_type' must be one of: auto, manual")
    frequency = body.get("sync_frequency", conn.sync_frequency)
    if "sync_frequency" in body and (
        not isinstance(frequency, int)
        or isinstance(frequency, bool)
        or frequency not in SYNC_FREQUENCIES
    ):
        allowed = ", ".join(str(value) for value in sorted(SYNC_FREQUENCIES))
        raise invalid_input(f"Field 'sync_frequency' must be one of: {allowed}")
    if body.get("daily_sync_time") is not None:
        if not isinstance(body["daily_sync_time"], str) or not _DAILY_SYNC_TIME.match(
            body["daily_sync_time"]
        ):
            raise invalid_input("Field 'daily_sync_time' must be a whole hour 'HH:00'")
        if frequency != 1440:
            raise invalid_input("Field 'daily_sync_time' requires sync_frequency 1440")
    for name, kind in _SETTING_TYPES.items():
        if name in body and not isinstance(body[name], kind):
            what = "an object" if kind is dict else "a string"
            raise invalid_input(f"Field '{name}' must be {what}")
        if name in _ENUMS and name in body and body[name] not in _ENUMS[name]:
            raise invalid_input(f"Field '{name}' must be one of: {', '.join(_ENUMS[name])}")
    sensitivity = body.get("data_delay_sensitivity", conn.data_delay_sensitivity)
    if sensitivity not in DATA_DELAY_SENSITIVITIES:
        raise invalid_input("Field 'data_delay_sensitivity' has an unsupported value")
    threshold = body.get("data_delay_threshold", 0)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        raise invalid_input("Field 'data_delay_threshold' must be a non-negative integer")

    if "config" in body:  # Fivetran merges the keys given into the connection's config
        conn.config = {**conn.config, **body["config"]}
    if "networking_method" in body:
        conn.networking_method = body["networking_method"]
    if "schedule_type" in body:
        conn.schedule_type = body["schedule_type"]
    if "sync_frequency" in body:
        conn.sync_frequency = frequency
        if frequency != 1440:
            conn.daily_sync_time = None  # only meaningful for daily syncs
    if "daily_sync_time" in body:
        conn.daily_sync_time = body["daily_sync_time"]
    if "pause_after_trial" in body:
        conn.pause_after_trial = body["pause_after_trial"]
    if "data_delay_sensitivity" in body:
        conn.data_delay_sensitivity = sensitivity
    if "data_delay_threshold" in body:
        conn.data_delay_threshold = threshold
    if "paused" in body and body["paused"] != conn.paused:
        syncstate.set_paused(conn, body["paused"], now, default_duration)
    if body.get("is_historical_sync") is True:
        syncstate.start_historical_sync(conn, now, default_duration)


def parse_sync_body(body: Any) -> bool:
    """The `force` flag of POST .../sync (default false)."""
    if body is None:
        return False
    if not isinstance(body, dict):
        raise invalid_input("Request body must be a JSON object")
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise invalid_input("Field 'force' must be a boolean")
    return force


def parse_resync_scope(
    body: Any, schemas: dict[str, SimSchema] | None
) -> dict[str, list[str]] | None:
    """`{"scope": {schema: [table, ...]}}` of POST .../resync; None re-syncs everything."""
    if body is None:
        return None
    if not isinstance(body, dict):
        raise invalid_input("Request body must be a JSON object")
    if body.get("scope") is None:
        return None
    return parse_table_scope(body["scope"], schemas, field="scope")


# File and spreadsheet connectors re-sync whole, not by table: Fivetran answers 400 to a scope.
_NO_TABLE_RESYNC = frozenset(
    {"google_sheets", "gcs", "s3", "azure_blob_storage", "sftp", "ftp", "box", "dropbox"}
    | {"google_drive", "share_point", "email"}
)


def require_table_resync(service: str) -> None:
    if service in _NO_TABLE_RESYNC:
        raise invalid_input(
            f"Connector service '{service}' does not support table-level re-sync; re-sync the "
            "whole connection instead"
        )


def parse_table_scope(
    scope: Any, schemas: dict[str, SimSchema] | None, *, field: str = "body"
) -> dict[str, list[str]]:
    """A non-empty map of source schema name -> non-empty list of its source table names."""
    if not isinstance(scope, dict) or not scope:
        raise invalid_input(f"The {field} must map at least one schema to a list of tables")
    for schema_name, tables in scope.items():
        if (
            not isinstance(tables, list)
            or not tables
            or not all(isinstance(t, str) for t in tables)
        ):
            raise invalid_input(f"Schema '{schema_name}' must list at least one table name")
        schema = (schemas or {}).get(schema_name)
        if schema is None:
            raise invalid_input(f"Schema '{schema_name}' is not in the connection's schema config")
        missing = [table for table in tables if table not in schema.tables]
        if missing:
            raise invalid_input(f"Table '{missing[0]}' is not in schema '{schema_name}'")
    return {schema_name: list(tables) for schema_name, tables in scope.items()}
