"""Helpers for the runtime tests: assets shaped like generated code, over the simulator.

`from __future__ import annotations` as in generated modules: `fivetran_assets` must make
Dagster see the resource and run-config parameters through the string annotations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg
from fivetran_codegen_runtime import (
    FivetranConnection,
    FivetranEvent,
    FivetranSyncConfig,
    FivetranWorkspace,
    fivetran_assets,
)
from fivetran_codegen_runtime.testing import FivetranSimulator, SimConnection

# Fast everything: the behaviour is under test, not the default timings.
FAST_SETTINGS: dict[str, Any] = {
    "poll_interval_seconds": 0.05,
    "poll_timeout_seconds": 20.0,
    "request_max_attempts": 4,
    "request_backoff_seconds": 0.01,
    "request_timeout_seconds": 5.0,
}


def make_workspace(sim: FivetranSimulator, **overrides: Any) -> FivetranWorkspace:
    fields: dict[str, Any] = {
        "api_key": sim.api_key,
        "api_secret": sim.api_secret,
        "api_url": sim.url,
        **FAST_SETTINGS,
        **overrides,
    }
    return FivetranWorkspace(**fields)


def connection_record(sim: FivetranSimulator, connection_id: str) -> FivetranConnection:
    conn = sim.workspace.connections[connection_id]
    destination = sim.workspace.groups[conn.group_id].destination
    return FivetranConnection(
        id=conn.id,
        name=conn.schema,
        service=conn.service,
        group_id=conn.group_id,
        destination_service=destination.service if destination else None,
        database=_database(sim, conn),
        schedule_type=conn.schedule_type,
        sync_frequency=conn.sync_frequency,
        daily_sync_time=conn.daily_sync_time,
        paused=conn.paused,
        setup_state=conn.setup_state,
    )


def specs_for(sim: FivetranSimulator, connection_id: str) -> list[dg.AssetSpec]:
    """The specs the generator writes: one per enabled table, dagster-fivetran's metadata."""
    conn = sim.workspace.connections[connection_id]
    record = connection_record(sim, connection_id)
    common: dict[str, Any] = {
        "dagster/storage_kind": record.destination_service,
        "connector_url": dg.MetadataValue.url(record.url),
        "dagster-fivetran/connector_id": conn.id,
        "dagster-fivetran/connector_name": conn.schema,
        "dagster-fivetran/destination_id": conn.group_id,
        "dagster-fivetran/sync_frequency_minutes": conn.sync_frequency,
        "dagster-fivetran/schedule_type": conn.schedule_type,
    }
    specs = []
    for schema in (conn.schema_config or {}).values():
        for table in schema.tables.values():
            if not (schema.enabled and table.enabled):
                continue
            dest_schema, dest_table = schema.name_in_destination, table.name_in_destination
            specs.append(
                dg.AssetSpec(
                    key=dg.AssetKey([dest_schema, dest_table]),
                    group_name=conn.schema.replace(".", "_"),
                    kinds={"fivetran", str(record.destination_service)},
                    metadata={
                        **common,
                        "dagster/table_name": f"{record.database}.{dest_schema}.{dest_table}",
                        "dagster-fivetran/destination_schema_name": dest_schema,
                        "dagster-fivetran/destination_table_name": dest_table,
                        "dagster/column_schema": dg.TableSchema(
                            columns=[dg.TableColumn(name="snapshot_column", type="")]
                        ),
                    },
                )
            )
    return specs


def build_assets(
    sim: FivetranSimulator,
    connection_id: str,
    *,
    columns: bool = False,
    partitions_def: dg.PartitionsDefinition | None = None,
) -> dg.AssetsDefinition:
    """A connection's assets exactly as a generated module defines them (with `partitions_def`,
    as one a translator partitioned)."""
    record = connection_record(sim, connection_id)
    specs = specs_for(sim, connection_id)
    if partitions_def is not None:
        specs = [s.replace_attributes(partitions_def=partitions_def) for s in specs]

    if columns:

        @fivetran_assets(connection=record, specs=specs, name=f"fivetran_{connection_id}")
        def with_columns(
            context: dg.AssetExecutionContext,
            fivetran: FivetranWorkspace,
            config: FivetranSyncConfig,
        ) -> Iterator[FivetranEvent]:
            yield from fivetran.sync_and_poll(
                context=context, config=config
            ).fetch_column_metadata()

        return with_columns

    @fivetran_assets(connection=record, specs=specs, name=f"fivetran_{connection_id}")
    def sync(
        context: dg.AssetExecutionContext, fivetran: FivetranWorkspace, config: FivetranSyncConfig
    ) -> Iterator[FivetranEvent]:
        yield from fivetran.sync_and_poll(context=context, config=config)

    return sync


def _database(sim: FivetranSimulator, conn: SimConnection) -> str | None:
    destination = sim.workspace.groups[conn.group_id].destination
    if destination is None:
        return None
    for key in ("database", "project_id", "catalog"):
        value = destination.config.get(key)
        if isinstance(value, str):
            return value
    return None


def user_logs(instance: dg.DagsterInstance, run_id: str, level: int | None = None) -> list[str]:
    """What the run's code logged (not Dagster's own events), at `level` if given."""
    return [
        entry.user_message
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is None and (level is None or entry.level == level)
    ]
