"""`build_fivetran_polling_sensor`: report syncs that Fivetran ran outside Dagster.

Each tick walks `GET /v1/connections` once (one call per 1,000 connections) and compares every
generated connection's completion times with the cursor, `{connection id: epoch seconds}`. A
completion is reported on the first tick that sees it, unless a Dagster run in progress owns
the connection's sync (`ownership`): that run records it, or the sensor does once it is over.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import dagster as dg

from fivetran_codegen_runtime import ownership
from fivetran_codegen_runtime.events import event_metadata
from fivetran_codegen_runtime.inventory import ConnectionAssets, connections_of
from fivetran_codegen_runtime.metadata import SYNC_COMPLETED_AT
from fivetran_codegen_runtime.resource import FivetranWorkspace
from fivetran_codegen_runtime.rest.errors import FivetranAPIError
from fivetran_codegen_runtime.rest.status import ConnectionStatus, epoch, iso

Cursor = dict[str, float]
RESCHEDULED = "rescheduled:"  # cursor key prefix: the reschedule last logged, per connection


def build_fivetran_polling_sensor(
    *,
    assets: Sequence[dg.AssetsDefinition],
    name: str = "fivetran_polling_sensor",
    minimum_interval_seconds: int = 30,
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.STOPPED,
    resource_key: str = "fivetran",
) -> dg.SensorDefinition:
    """A sensor that records, exactly once, each successful sync Fivetran ran on its own.

    Only the connections of `assets` are watched, from their specs' metadata: no crawl.
    Per tick and connection, a success newer than the cursor becomes one
    `AssetMaterialization` per table, unless a Dagster run already reported that sync (its
    events carry the same `dagster-fivetran/sync_completed_at`); a failure or reschedule is
    logged. The cursor is stored by Dagster, so stopping and restarting the sensor loses
    nothing that completed meanwhile.

    First sight of a connection (the first tick, or a connection added to the code later)
    records its latest completion as the baseline and emits nothing. Emitting it, as
    dagster-fivetran does, would report a sync that happened before the sensor existed, was
    usually materialized already, and would wake downstream automation for stale data.

    The `FivetranWorkspace` comes from the `resource_key` resource, so `dg.EnvVar`
    credentials are resolved as in runs. `default_status` is STOPPED: turn the sensor on
    deliberately.
    """
    inventory = connections_of(assets)

    @dg.sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        required_resource_keys={resource_key},
        description=(
            f"Records syncs Fivetran ran outside Dagster for {len(inventory)} connection(s)."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, **_: Any) -> dg.SensorResult:
        # Dagster passes required resources as keyword arguments when a test calls the sensor,
        # unresolved; `context.resources` holds the initialised one (EnvVars resolved) always.
        workspace = getattr(context.resources, resource_key)
        if not isinstance(workspace, FivetranWorkspace):
            raise dg.DagsterInvariantViolationError(
                f"resource {resource_key!r} must be a FivetranWorkspace, "
                f"not {type(workspace).__name__}"
            )
        return _tick(context, workspace, inventory)

    return _sensor


@dataclass
class _Tick:
    """What one tick decided: events to record and the next cursor."""

    cursor: Cursor
    events: list[dg.AssetMaterialization] = field(default_factory=list)


def _tick(
    context: dg.SensorEvaluationContext,
    workspace: FivetranWorkspace,
    inventory: Mapping[str, ConnectionAssets],
) -> dg.SensorResult:
    previous = _read_cursor(context.cursor, context.log)
    listed = _list_connections(workspace)
    tick = _Tick(cursor=dict(previous))
    for connection in inventory.values():
        status = _status_of(context.log, connection, listed.get(connection.id))
        if status is not None:
            _check(context, connection, status, previous.get(connection.id), tick)
    return dg.SensorResult(asset_events=tick.events, cursor=_write_cursor(tick.cursor))


def _list_connections(workspace: FivetranWorkspace) -> dict[str, Mapping[str, Any]]:
    """Every connection the key sees, by id: one page walk, not one call per connection."""
    try:
        with workspace.get_client() as client:
            items = client.list_connections()
    except FivetranAPIError as exc:
        raise dg.Failure(
            description=f"could not list Fivetran connections; nothing recorded this tick: {exc}"
        ) from exc
    return {str(item.get("id")): item for item in items}


def _status_of(
    log: logging.Logger, connection: ConnectionAssets, item: Mapping[str, Any] | None
) -> ConnectionStatus | None:
    if item is None:
        log.warning(
            f"{connection.describe()} is not in GET /v1/connections: deleted, or the API "
            f"key cannot see it; its assets get no updates. Was: {connection.url}"
        )
        return None
    try:
        return ConnectionStatus.from_api(item)
    except ValueError as exc:
        log.warning(f"{connection.describe()}: skipped this tick, {exc}")
        return None


def _check(
    context: dg.SensorEvaluationContext,
    connection: ConnectionAssets,
    status: ConnectionStatus,
    seen: float | None,
    tick: _Tick,
) -> None:
    """Decide for one connection whether anything completed since `seen`; records into `tick`."""
    latest = epoch(status.completed_at) if status.completed_at is not None else 0.0
    if seen is None:
        tick.cursor[connection.id] = latest
        context.log.info(f"{connection.describe()}: baseline {_when(latest)}, nothing emitted")
        return
    if latest <= seen:
        _note_reschedule(context, connection, status, tick)
        return
    succeeded = epoch(status.succeeded_at) if status.succeeded_at is not None else None
    new_success = succeeded is not None and succeeded > seen
    recorded = new_success and _already_recorded(context.instance, connection, succeeded or 0.0)
    if not recorded:
        run_id = ownership.owner(context.instance, connection.id)
        if run_id is not None:  # the cursor stays: this completion is decided on a later tick
            context.log.info(
                f"{connection.describe()}: completed at {_when(latest)} while Dagster run "
                f"{run_id} syncs it; that run records it (or this sensor, if the run ends first)"
            )
            return
    tick.cursor[connection.id] = latest
    if status.failed_at is not None and epoch(status.failed_at) > seen:
        context.log.warning(
            f"{connection.describe()}: a sync failed at {iso(status.failed_at)} outside "
            f"Dagster; see {connection.url}"
        )
    # Checked on its own, not through the latest completion: a success followed by a failure
    # between two ticks is still a success to report.
    if succeeded is not None and new_success:
        _report_success(context, connection, succeeded, tick, recorded=recorded)


def _note_reschedule(
    context: dg.SensorEvaluationContext,
    connection: ConnectionAssets,
    status: ConnectionStatus,
    tick: _Tick,
) -> None:
    """Log a reschedule once, not on every tick it lasts: the cursor remembers the one logged
    (a flat numeric entry `rescheduled:<id>`, so the cursor keeps its old readable shape)."""
    key = RESCHEDULED + connection.id
    if not status.is_rescheduled or status.rescheduled_for is None:
        tick.cursor.pop(key, None)
        return
    until = epoch(status.rescheduled_for)
    if tick.cursor.get(key) != until:
        context.log.info(
            f"{connection.describe()}: sync rescheduled until {iso(status.rescheduled_for)}"
        )
        tick.cursor[key] = until


def _report_success(
    context: dg.SensorEvaluationContext,
    connection: ConnectionAssets,
    succeeded: float,
    tick: _Tick,
    *,
    recorded: bool,
) -> None:
    if recorded:
        context.log.info(
            f"{connection.describe()}: the sync of {_when(succeeded)} was materialized by a "
            "Dagster run; not reported again"
        )
        return
    context.log.info(
        f"{connection.describe()}: sync completed at {_when(succeeded)} outside Dagster; "
        f"recording {len(connection.tables)} materialization(s)"
    )
    tick.events.extend(_external_events(connection, succeeded))


def _already_recorded(
    instance: dg.DagsterInstance, connection: ConnectionAssets, completed: float
) -> bool:
    """One event-log query for all the connection's tables: a Dagster run reports them all."""
    latest = instance.get_latest_materialization_events(connection.keys)
    for entry in latest.values():
        materialization = entry.asset_materialization if entry is not None else None
        value = materialization.metadata.get(SYNC_COMPLETED_AT) if materialization else None
        recorded = value.value if isinstance(value, dg.MetadataValue) else value
        if isinstance(recorded, (int, float)) and recorded >= completed:
            return True
    return False


def _external_events(
    connection: ConnectionAssets, completed: float
) -> list[dg.AssetMaterialization]:
    description = f"Synced by Fivetran outside Dagster ({connection.describe()})"
    return [
        dg.AssetMaterialization(
            asset_key=table.key,
            description=description,
            metadata=event_metadata(table, completed),
        )
        for table in connection.tables
    ]


def _read_cursor(text: str | None, log: logging.Logger) -> Cursor:
    """The stored cursor; dagster-fivetran's serdes cursor is accepted too (same meaning)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("effective_timestamp_by_connector_id"), dict):
        data = data["effective_timestamp_by_connector_id"]
    if not isinstance(data, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in data.values()
    ):
        log.warning("the sensor cursor is not readable; starting over from a new baseline")
        return {}
    return {str(key): float(value) for key, value in data.items()}


def _write_cursor(cursor: Cursor) -> str:
    return json.dumps(cursor, sort_keys=True, separators=(",", ":"))


def _when(seconds: float) -> str:
    return "never" if seconds == 0.0 else iso(datetime.fromtimestamp(seconds, tz=timezone.utc))
