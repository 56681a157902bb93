"""The simulator's in-memory Fivetran account: groups, destinations, connections, schema configs.

These are mutable on purpose: the server updates sync state in place and tests may edit a live
workspace (under `FivetranSimulator.lock`). Timestamps are timezone-aware UTC datetimes; the
server formats them the way Fivetran does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Outcome = Literal["success", "failure", "reschedule"]


@dataclass(slots=True)
class SimColumn:
    name: str
    name_in_destination: str
    enabled: bool = True
    hashed: bool = False
    is_primary_key: bool = False
    # The schema config lists only columns whose state a user set; the columns endpoint lists all.
    in_schema_config: bool = False


@dataclass(slots=True)
class SimTable:
    name: str
    name_in_destination: str
    enabled: bool = True
    columns: list[SimColumn] = field(default_factory=list)
    sync_mode: str | None = "SOFT_DELETE"  # None: the connector cannot switch sync modes
    supports_history_mode: bool = True
    # False for system tables Fivetran will not let a user exclude.
    exclusion_allowed: bool = True


@dataclass(slots=True)
class SimSchema:
    name: str
    name_in_destination: str
    enabled: bool = True
    tables: dict[str, SimTable] = field(default_factory=dict)


@dataclass(slots=True)
class SimDestination:
    service: str
    config: dict[str, Any]
    region: str = "GCP_US_EAST4"
    time_zone_offset: str = "0"
    setup_status: str = "connected"  # real responses are lower-case although the spec says upper


@dataclass(slots=True)
class SimGroup:
    id: str
    name: str
    created_at: datetime
    destination: SimDestination | None = None


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """How the next sync ends, scripted by `FivetranSimulator.set_next_outcome`."""

    kind: Outcome
    duration: float
    rescheduled_for_in: float = 3600.0


@dataclass(slots=True)
class SyncRun:
    started_at: datetime
    ends_at: datetime
    outcome: SyncOutcome
    historical: bool


@dataclass(frozen=True, slots=True)
class ResyncRequest:
    """One accepted re-sync request; `scope` maps source schema -> source tables (None: all)."""

    endpoint: Literal["resync", "tables_resync"]
    scope: dict[str, list[str]] | None
    requested_at: datetime


@dataclass(slots=True)
class SimConnection:
    id: str
    group_id: str
    service: str
    schema: str  # the connection's name in Fivetran (its destination schema or schema prefix)
    created_at: datetime
    succeeded_at: datetime | None = None
    failed_at: datetime | None = None
    paused: bool = False
    schedule_type: Literal["auto", "manual"] = "auto"
    sync_frequency: int = 360
    daily_sync_time: str | None = None
    setup_state: Literal["connected", "broken", "incomplete"] = "connected"
    update_state: Literal["on_schedule", "delayed"] = "on_schedule"
    is_historical_sync: bool = False
    tasks: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    service_version: int = 1
    connected_by: str = "interment_burdensome"
    pause_after_trial: bool = False
    data_delay_sensitivity: str = "NORMAL"
    data_delay_threshold: int = 0
    networking_method: str = "Directly"
    schema_change_handling: str = "ALLOW_ALL"
    # None: Fivetran has not generated a schema config yet (404 NotFound_SchemaConfig).
    schema_config: dict[str, SimSchema] | None = None
    # Sync state; `sync_state` is derived from these so it can never disagree with them.
    run: SyncRun | None = None
    rescheduled_for: datetime | None = None
    next_outcomes: list[SyncOutcome] = field(default_factory=list)
    resync_pending: bool = False  # requested while paused: starts when the connection is resumed
    resync_requests: list[ResyncRequest] = field(default_factory=list)

    @property
    def sync_state(self) -> str:
        if self.paused:
            return "paused"
        if self.run is not None:
            return "syncing"
        if self.rescheduled_for is not None:
            return "rescheduled"
        return "scheduled"


@dataclass(slots=True)
class Workspace:
    account_id: str = "lumpy_chameleon"
    account_name: str = "Simulated Account"
    groups: dict[str, SimGroup] = field(default_factory=dict)
    connections: dict[str, SimConnection] = field(default_factory=dict)

    def add_group(self, group: SimGroup) -> SimGroup:
        if group.id in self.groups:
            raise ValueError(f"duplicate group id {group.id!r}")
        self.groups[group.id] = group
        return group

    def add_connection(self, connection: SimConnection) -> SimConnection:
        if connection.id in self.connections:
            raise ValueError(f"duplicate connection id {connection.id!r}")
        if connection.group_id not in self.groups:
            raise ValueError(
                f"connection {connection.id!r} names unknown group {connection.group_id!r}"
            )
        self.connections[connection.id] = connection
        return connection

    def table_count(self) -> int:
        return sum(
            len(schema.tables)
            for connection in self.connections.values()
            for schema in (connection.schema_config or {}).values()
        )
