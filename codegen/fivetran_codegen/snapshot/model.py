"""The snapshot model: what a Fivetran workspace is, for generating Dagster assets.

Frozen records, built once (from API payloads by `payloads.py`, or from the snapshot file by
`codec.py`) and read by everything after. Collections are tuples in their canonical
order (connections and groups by id, schemas/tables/columns by source name), so whatever
iterates them is deterministic. Templates never see raw JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

SNAPSHOT_VERSION = 1


class Column(NamedTuple):
    """A NamedTuple, not a dataclass: large snapshots hold millions, and a frozen dataclass
    takes several times longer to build (each field goes through `object.__setattr__`)."""

    name: str  # the source name: the key Fivetran's API uses
    name_in_destination: str
    enabled: bool
    hashed: bool | None
    is_primary_key: bool | None


@dataclass(frozen=True)
class Table:
    name: str
    name_in_destination: str
    enabled: bool
    sync_mode: str | None
    supports_columns_config: bool | None
    # The schema config lists only columns a user changed; `columns_complete` is true when the
    # columns came from the per-table columns endpoint (`snapshot --columns`) and so are all of them.
    columns_complete: bool
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Schema:
    name: str
    name_in_destination: str
    enabled: bool
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class SchemaConfig:
    schema_change_handling: str | None
    schemas: tuple[Schema, ...]


@dataclass(frozen=True)
class Problem:
    """Why a part of the workspace could not be read (Fivetran's error code and message)."""

    code: str
    message: str


@dataclass(frozen=True)
class Destination:
    service: str
    region: str | None
    # The part in front of schema.table in a fully qualified name: config.database for
    # Snowflake/Redshift/Postgres, config.project_id for BigQuery, config.catalog for Databricks.
    database: str | None
    # Hours from UTC as Fivetran writes them ("-5", "+10", "0", "+5:30"); a daily sync time is
    # in this zone. None: unknown (a snapshot older than the field, or an unreadable value).
    time_zone_offset: str | None = None

    @property
    def utc_offset_minutes(self) -> int | None:
        return utc_offset_minutes(self.time_zone_offset)


_OFFSET = re.compile(r"([+-]?)(\d{1,2})(?::(\d{2}))?")


def utc_offset_minutes(text: str | None) -> int | None:
    """Minutes east of UTC from Fivetran's `time_zone_offset`, or None when it is not one."""
    match = _OFFSET.fullmatch(text) if text is not None else None
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes or 0)
    if total > 14 * 60 or int(minutes or 0) >= 60:  # no zone is further from UTC
        return None
    return -total if sign == "-" else total


@dataclass(frozen=True)
class Group:
    id: str  # groups and destinations map 1:1 and share the id
    name: str
    destination: Destination | None
    destination_error: Problem | None


@dataclass(frozen=True)
class Connection:
    id: str
    name: str  # Fivetran's `schema` field: the connection's name and destination schema (prefix)
    service: str
    group_id: str
    setup_state: str
    paused: bool
    schedule_type: str | None
    sync_frequency: int | None
    daily_sync_time: str | None
    schema_config: SchemaConfig | None
    schema_config_error: Problem | None

    def enabled_tables(self) -> Iterator[tuple[Schema, Table]]:
        """The tables Fivetran syncs (enabled, in an enabled schema): the ones that get assets."""
        if self.schema_config is None:
            return
        for schema in self.schema_config.schemas:
            if schema.enabled:
                for table in schema.tables:
                    if table.enabled:
                        yield schema, table


@dataclass(frozen=True)
class Account:
    id: str
    name: str | None


@dataclass(frozen=True)
class Selection:
    """The --include/--exclude globs the snapshot was taken with (empty: the whole workspace)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    account: Account
    selection: Selection
    groups: tuple[Group, ...]
    connections: tuple[Connection, ...]
    version: int = SNAPSHOT_VERSION

    def table_count(self) -> int:
        """Enabled tables across all connections."""
        return sum(1 for c in self.connections for _ in c.enabled_tables())
