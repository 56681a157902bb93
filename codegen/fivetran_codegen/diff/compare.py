"""What changed for Dagster between two snapshots: connections, tables, columns, asset keys.

Tables are matched by identity (connection id, source schema, source table), so a table renamed
in the destination shows as an asset key change, not as one removed and one added. Asset keys
come from the plan under the current config, so they are the keys the generated code has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from fivetran_codegen.config import Config
from fivetran_codegen.plan import freshness, render_plan
from fivetran_codegen.plan.render_plan import RenderPlan
from fivetran_codegen.snapshot.model import Connection, Snapshot

TableId = tuple[str, str, str]  # connection id, source schema, source table

SCHEDULE_FIELDS = ("schedule_type", "sync_frequency", "daily_sync_time", "paused", "setup_state")


@dataclass(frozen=True)
class ConnectionRef:
    id: str
    name: str
    service: str
    tables: int  # enabled tables


@dataclass(frozen=True)
class Renamed:
    id: str
    old: str
    new: str


@dataclass(frozen=True)
class FieldChange:
    connection: str  # name
    connection_id: str
    field: str
    old: str | int | bool | None
    new: str | int | bool | None


@dataclass(frozen=True)
class TableRef:
    connection: str
    connection_id: str
    source: str  # schema.table as the source names them
    key: tuple[str, ...] | None  # None when the table has no asset (disabled, skipped)


@dataclass(frozen=True)
class KeyChange:
    table: TableRef
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class ColumnChange:
    table: TableRef
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class SnapshotDiff:
    connections_added: tuple[ConnectionRef, ...] = ()
    connections_removed: tuple[ConnectionRef, ...] = ()
    connections_renamed: tuple[Renamed, ...] = ()
    schedule_changes: tuple[FieldChange, ...] = ()
    # What the schedule changes mean for Dagster: each connection's freshness policy, described.
    freshness_changes: tuple[FieldChange, ...] = ()
    tables_added: tuple[TableRef, ...] = ()
    tables_removed: tuple[TableRef, ...] = ()
    tables_disabled: tuple[TableRef, ...] = ()
    tables_enabled: tuple[TableRef, ...] = ()
    key_changes: tuple[KeyChange, ...] = ()
    column_changes: tuple[ColumnChange, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class _TableChanges:
    tables_added: tuple[TableRef, ...]
    tables_removed: tuple[TableRef, ...]
    tables_disabled: tuple[TableRef, ...]
    tables_enabled: tuple[TableRef, ...]
    key_changes: tuple[KeyChange, ...]
    column_changes: tuple[ColumnChange, ...]


@dataclass(frozen=True)
class _TableState:
    ref: TableRef
    enabled: bool
    columns: frozenset[str]


def compare(
    old: Snapshot, new: Snapshot, config: Config, *, new_plan: RenderPlan | None = None
) -> SnapshotDiff:
    """`new_plan`: the plan generate already made of `new` (or of a superset of it), which
    spares planning it again (with a translator, running it again over every table)."""
    old_connections = {c.id: c for c in old.connections}
    new_connections = {c.id: c for c in new.connections}
    old_plan = render_plan.build(old, config, snapshot_name="")
    new_plan = new_plan or render_plan.build(new, config, snapshot_name="")
    old_tables = _tables(old, old_plan)
    new_tables = _tables(new, new_plan)
    diff = SnapshotDiff(
        connections_added=_refs(new_connections, old_connections),
        connections_removed=_refs(old_connections, new_connections),
        connections_renamed=tuple(
            Renamed(i, old_connections[i].name, c.name)
            for i, c in sorted(new_connections.items())
            if i in old_connections and old_connections[i].name != c.name
        ),
        schedule_changes=tuple(_schedule_changes(old_connections, new_connections)),
        freshness_changes=tuple(_freshness_changes(old_plan, new_plan)),
    )
    tables = _table_changes(old_tables, new_tables, set(old_connections), set(new_connections))
    return replace(diff, **vars(tables))


def _refs(
    present: dict[str, Connection], absent_from: dict[str, Connection]
) -> tuple[ConnectionRef, ...]:
    return tuple(
        ConnectionRef(c.id, c.name, c.service, sum(1 for _ in c.enabled_tables()))
        for i, c in sorted(present.items())
        if i not in absent_from
    )


def _schedule_changes(
    old: dict[str, Connection], new: dict[str, Connection]
) -> Iterable[FieldChange]:
    for connection_id, connection in sorted(new.items()):
        before = old.get(connection_id)
        if before is None:
            continue
        for name in SCHEDULE_FIELDS:
            was, now = getattr(before, name), getattr(connection, name)
            if was != now:
                yield FieldChange(connection.name, connection_id, name, was, now)


def _freshness_changes(old: RenderPlan, new: RenderPlan) -> Iterable[FieldChange]:
    before = {c.id: c.freshness_policy for c in old.connections}
    for connection in sorted(new.connections, key=lambda c: c.id):
        if connection.id not in before:
            continue
        was = freshness.describe(before[connection.id])
        now = freshness.describe(connection.freshness_policy)
        if was != now:
            yield FieldChange(connection.name, connection.id, "freshness_policy", was, now)


def _tables(snapshot: Snapshot, plan: RenderPlan) -> dict[TableId, _TableState]:
    """Every table of every connection, with its asset key in the plan (if it gets one)."""
    keys = {
        (c.id, s.source_schema, s.source_table): s.key for c in plan.connections for s in c.specs
    }
    tables = {}
    for connection in snapshot.connections:
        if connection.schema_config is None:
            continue
        for schema in connection.schema_config.schemas:
            for table in schema.tables:
                identity = (connection.id, schema.name, table.name)
                ref = TableRef(
                    connection.name,
                    connection.id,
                    f"{schema.name}.{table.name}",
                    keys.get(identity),
                )
                columns = frozenset(c.name_in_destination for c in table.columns if c.enabled)
                tables[identity] = _TableState(ref, schema.enabled and table.enabled, columns)
    return tables


def _table_changes(
    old: dict[TableId, _TableState],
    new: dict[TableId, _TableState],
    old_connections: set[str],
    new_connections: set[str],
) -> _TableChanges:
    added: list[TableRef] = []
    removed: list[TableRef] = []
    disabled: list[TableRef] = []
    enabled: list[TableRef] = []
    keys: list[KeyChange] = []
    columns: list[ColumnChange] = []
    for identity in sorted(old.keys() | new.keys()):
        before, after = old.get(identity), new.get(identity)
        if before is None and after is not None:
            if after.enabled and identity[0] in old_connections:  # new connections list whole
                added.append(after.ref)
        elif after is None and before is not None:
            if before.enabled and identity[0] in new_connections:
                removed.append(before.ref)
        elif before is not None and after is not None:
            if before.enabled and not after.enabled:
                disabled.append(before.ref)  # the asset it had
            elif after.enabled and not before.enabled:
                enabled.append(after.ref)
            elif after.enabled:
                if before.ref.key and after.ref.key and before.ref.key != after.ref.key:
                    keys.append(KeyChange(after.ref, before.ref.key, after.ref.key))
                if before.columns != after.columns:
                    columns.append(
                        ColumnChange(
                            after.ref,
                            tuple(sorted(after.columns - before.columns)),
                            tuple(sorted(before.columns - after.columns)),
                        )
                    )
    return _TableChanges(
        tables_added=tuple(added),
        tables_removed=tuple(removed),
        tables_disabled=tuple(disabled),
        tables_enabled=tuple(enabled),
        key_changes=tuple(keys),
        column_changes=tuple(columns),
    )
