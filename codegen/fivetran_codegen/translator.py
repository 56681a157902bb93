"""The translator contract: dagster-fivetran's, run once at generate time instead of at every load.

A dagster-fivetran translator keeps working with two changes, an import and one config line:

    from fivetran_codegen.translator import DagsterFivetranTranslator, FivetranConnectorTableProps

    class MyTranslator(DagsterFivetranTranslator):
        def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
            spec = super().get_asset_spec(props)
            return spec.replace_attributes(key=spec.key.with_prefix("fivetran"))

    # pyproject.toml
    [tool.fivetran-codegen]
    translator = "my_project.translators:MyTranslator"

`generate` calls `get_asset_spec` once per table and writes what it returns as literal code; the
generated modules never import the translator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import dagster as dg

__all__ = [
    "DagsterFivetranTranslator",
    "FivetranConnectorTableProps",
    "FivetranSchema",
    "FivetranSchemaConfig",
    "FivetranTable",
    "TableColumn",
]


@dataclass(frozen=True)
class FivetranTable:
    """A table of the schema config, as dagster-fivetran holds it (keyed by its source name)."""

    enabled: bool
    name_in_destination: str
    # Fivetran's raw column entries by source name ({"name_in_destination", "enabled", "hashed",
    # "is_primary_key"}); None when Fivetran listed no columns for the table.
    columns: Mapping[str, Mapping[str, Any]] | None


@dataclass(frozen=True)
class FivetranSchema:
    enabled: bool
    name_in_destination: str
    tables: Mapping[str, FivetranTable]  # by source table name


@dataclass(frozen=True)
class FivetranSchemaConfig:
    schemas: Mapping[str, FivetranSchema]  # by source schema name

    @property
    def has_schemas(self) -> bool:
        return bool(self.schemas)


class TableColumn(NamedTuple):
    """An enabled column of the table, by its names in the source and the destination."""

    name: str
    name_in_destination: str
    is_primary_key: bool | None
    hashed: bool | None


class FivetranConnectorTableProps(NamedTuple):
    """One table of one connection, with dagster-fivetran 0.29.27's field names and meanings
    (a NamedTuple, as theirs is).

    The first fields are dagster-fivetran's: `table` is `"<schema>.<table>"` in destination
    names, `connector_name` (and `name`) the connection's name (Fivetran's `schema` field),
    `service` the destination's service, `database` the destination's database (or BigQuery
    project, Databricks catalog). `connector_config` is always None: the snapshot deliberately
    keeps no connection config (it can hold credentials), so a translator that reads it has
    nothing to read.

    The others are what the snapshot knows besides, and dagster-fivetran's props do not carry.
    """

    table: str
    connector_id: str
    connector_name: str
    connector_url: str
    destination_id: str
    schema_config: FivetranSchemaConfig
    database: str | None
    service: str | None
    sync_frequency: int | None
    schedule_type: str | None
    daily_sync_time: str | None
    connector_config: None
    # -- what the snapshot adds --
    connection_service: str  # the source connector type, e.g. "salesforce"
    group_id: str  # the Fivetran group (one per destination); the same as destination_id
    group_name: str | None
    paused: bool
    setup_state: str  # "connected", "broken" or "incomplete"
    source_schema: str  # the schema's and table's names in the source
    source_table: str
    destination_schema: str  # the two halves of `table`
    destination_table: str
    sync_mode: str | None  # "SOFT_DELETE", "HISTORY", "LIVE", or None when Fivetran did not say
    columns: tuple[TableColumn, ...] | None  # enabled columns; None: none listed
    # What the snapshot and the [tool.fivetran-codegen] settings make of the table: the spec
    # `super().get_asset_spec(props)` returns.
    default_spec: dg.AssetSpec

    @property
    def name(self) -> str:
        return self.connector_name


class DagsterFivetranTranslator:
    """Subclass it and override `get_asset_spec`; the base returns what the settings give."""

    def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
        return props.default_spec
