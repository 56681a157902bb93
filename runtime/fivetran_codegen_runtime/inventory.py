"""What the runtime knows about connections without calling Fivetran: the generated specs.

The run and the sensor read the connection id, its name and each table's destination schema
and table names from the specs' `dagster-fivetran/*` metadata, so generated code needs no
other registry and the sensor never crawls the workspace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

from fivetran_codegen_runtime.connection import DASHBOARD_URL
from fivetran_codegen_runtime.metadata import (
    CONNECTOR_ID,
    CONNECTOR_NAME,
    DESTINATION_SCHEMA_NAME,
    DESTINATION_TABLE_NAME,
)


@dataclass(frozen=True)
class TableAsset:
    """One synced table: its asset key, destination names and the spec's metadata."""

    key: dg.AssetKey
    schema: str | None
    table: str | None
    metadata: Mapping[str, Any]

    @property
    def label(self) -> str:
        if self.schema and self.table:
            return f"{self.schema}.{self.table}"
        return self.key.to_user_string()


@dataclass(frozen=True)
class ConnectionAssets:
    """One Fivetran connection and the tables its generated assets declare."""

    id: str
    name: str
    tables: tuple[TableAsset, ...]

    @property
    def url(self) -> str:
        return DASHBOARD_URL + self.id

    @property
    def keys(self) -> list[dg.AssetKey]:
        return [table.key for table in self.tables]

    def describe(self) -> str:
        """How messages name the connection: by name and id, never by one alone."""
        return f"Fivetran connection {self.name!r} (id {self.id})"


def listed(names: Sequence[str], limit: int) -> str:
    """The first `limit` names for a message, and how many more there are."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def connection_of(assets_def: dg.AssetsDefinition) -> ConnectionAssets:
    """The single connection a `fivetran_assets` definition syncs."""
    connections = connections_of([assets_def])
    if len(connections) != 1:
        ids = ", ".join(sorted(connections)) or "none"
        raise dg.DagsterInvariantViolationError(
            f"assets definition {assets_def.node_def.name!r} must hold the tables of exactly "
            f"one Fivetran connection, found {ids}; build it with fivetran_assets(connection=...)"
        )
    return next(iter(connections.values()))


def connections_of(assets: Iterable[dg.AssetsDefinition]) -> dict[str, ConnectionAssets]:
    """Connections by id, from every spec that carries `dagster-fivetran/connector_id`."""
    grouped: dict[str, list[dg.AssetSpec]] = {}
    for assets_def in assets:
        for spec in assets_def.specs:
            connection_id = _text(spec.metadata.get(CONNECTOR_ID))
            if connection_id is None:
                raise dg.DagsterInvariantViolationError(
                    f"asset {spec.key.to_user_string()!r} has no {CONNECTOR_ID!r} metadata, so "
                    "the Fivetran runtime cannot tell which connection syncs it; pass only "
                    "assets built with fivetran_assets"
                )
            grouped.setdefault(connection_id, []).append(spec)
    return {
        connection_id: _connection(connection_id, specs) for connection_id, specs in grouped.items()
    }


def _connection(connection_id: str, specs: Sequence[dg.AssetSpec]) -> ConnectionAssets:
    names = {_text(spec.metadata.get(CONNECTOR_NAME)) for spec in specs} - {None}
    name = sorted(n for n in names if n)[0] if names else connection_id
    tables = tuple(
        TableAsset(
            key=spec.key,
            schema=_text(spec.metadata.get(DESTINATION_SCHEMA_NAME)),
            table=_text(spec.metadata.get(DESTINATION_TABLE_NAME)),
            metadata=dict(spec.metadata),
        )
        for spec in specs
    )
    return ConnectionAssets(connection_id, name, tables)


def _text(value: object) -> str | None:
    """A metadata value as text: specs may hold raw strings or normalised `TextMetadataValue`s."""
    if isinstance(value, dg.MetadataValue):
        value = value.value
    return value if isinstance(value, str) and value else None
