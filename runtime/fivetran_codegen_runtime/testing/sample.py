"""The bundled sample workspace: small, fixed, and full of the edge cases real accounts have.

Groups (destinations): Production (Snowflake, database ANALYTICS), Marketing (BigQuery, project
acme-marketing-prod), Lakehouse (Databricks, catalog main) and Sandbox (no destination, no
connections). Connections:

- speak_inexpensive     salesforce, one schema; a PK and a hashed column in the schema config
- dialectical_remindful postgres `pg_prod`: schemas prefixed in the destination (public ->
                        pg_prod_public), OrderItems -> order_items, a disabled table, a disabled
                        schema, a disabled column; daily at 02:00 (sync_frequency 1440)
- macaroni_unwieldy     hubspot, manual schedule, no sync modes
- fractious_obelisk     google_sheets `sheets.budget_2025`, paused
- wobbly_pancake        stripe, broken (task reconnect), last sync failed, keeps its schema config
- nimble_cactus         mysql, never synced: setup incomplete, no schema config
- quiet_lantern         github, hourly; a table users may not exclude (SYSTEM_TABLE)

All timestamps are fixed and earlier than `ManualClock`'s default start (2025-01-01), so a sync
the tests run is always newer than the recorded ones.
"""

from __future__ import annotations

from fivetran_codegen_runtime.testing import configs
from fivetran_codegen_runtime.testing.clock import parse_timestamp
from fivetran_codegen_runtime.testing.workspace import (
    SimColumn,
    SimConnection,
    SimGroup,
    SimSchema,
    SimTable,
    Workspace,
)


def sample_workspace() -> Workspace:
    ws = Workspace(account_id="lumpy_chameleon", account_name="Acme Analytics")
    ws.add_group(
        SimGroup(
            "projected_sickle",
            "Production",
            parse_timestamp("2023-03-01T09:12:44.281735Z"),
            configs.snowflake("ANALYTICS"),
        )
    )
    ws.add_group(
        SimGroup(
            "schoolmaster_heedless",
            "Marketing",
            parse_timestamp("2023-05-17T14:03:19.004512Z"),
            configs.big_query("acme-marketing-prod"),
        )
    )
    ws.add_group(
        SimGroup(
            "empties_classification",
            "Lakehouse",
            parse_timestamp("2023-08-02T07:45:00.120000Z"),
            configs.databricks("main"),
        )
    )
    ws.add_group(
        SimGroup("lonely_vestibule", "Sandbox", parse_timestamp("2024-06-11T16:30:05.000001Z"))
    )
    for connection in (
        _salesforce(),
        _postgres(),
        _hubspot(),
        _google_sheets(),
        _stripe(),
        _mysql(),
        _github(),
    ):
        ws.add_connection(connection)
    return ws


def _col(
    name: str,
    name_in_destination: str | None = None,
    *,
    pk: bool = False,
    hashed: bool = False,
    enabled: bool = True,
    listed: bool = False,
) -> SimColumn:
    """`listed`: a user set this column's state, so the schema config shows it."""
    return SimColumn(
        name,
        name_in_destination or name.lower(),
        enabled=enabled,
        hashed=hashed,
        is_primary_key=pk,
        in_schema_config=listed,
    )


def _table(
    name: str,
    nid: str,
    *columns: SimColumn,
    enabled: bool = True,
    sync_mode: str | None = "SOFT_DELETE",
    supports_history_mode: bool = True,
) -> SimTable:
    return SimTable(
        name,
        nid,
        enabled=enabled,
        columns=list(columns),
        sync_mode=sync_mode,
        supports_history_mode=supports_history_mode,
    )


def _schema(name: str, nid: str, *tables: SimTable, enabled: bool = True) -> dict[str, SimSchema]:
    return {name: SimSchema(name, nid, enabled, {table.name: table for table in tables})}


def _salesforce() -> SimConnection:
    return SimConnection(
        id="speak_inexpensive",
        group_id="projected_sickle",
        service="salesforce",
        schema="salesforce",
        created_at=parse_timestamp("2023-03-02T10:00:00.000000Z"),
        succeeded_at=parse_timestamp("2024-12-31T22:15:07.123456Z"),
        failed_at=parse_timestamp("2024-11-02T03:00:11.500000Z"),
        sync_frequency=360,
        warnings=[
            {
                "code": "snowflake_discontinuing_password_auth",
                "message": "Snowflake is discontinuing username/password authentication",
            }
        ],
        config=configs.connection_config("salesforce"),
        service_version=3,
        schema_config=_schema(
            "salesforce",
            "salesforce",
            _table(
                "Account",
                "account",
                _col("Id", "id", pk=True, listed=True),
                _col("Name", "name"),
                _col("Industry", "industry"),
                _col("AnnualRevenue", "annual_revenue"),
            ),
            _table(
                "Contact",
                "contact",
                _col("Id", "id", pk=True),
                _col("AccountId", "account_id"),
                _col("Email", "email", hashed=True, listed=True),
                _col("FirstName", "first_name"),
                _col("LastName", "last_name"),
            ),
            _table(
                "Opportunity",
                "opportunity",
                _col("Id", "id", pk=True),
                _col("AccountId", "account_id"),
                _col("Amount", "amount"),
                _col("StageName", "stage_name"),
                _col("CloseDate", "close_date"),
            ),
        ),
    )


def _postgres() -> SimConnection:
    public = _schema(
        "public",
        "pg_prod_public",
        _table(
            "orders",
            "orders",
            _col("id", pk=True, listed=True),
            _col("customer_id"),
            _col("total_cents"),
            _col("created_at"),
            sync_mode="HISTORY",
        ),
        _table(
            "OrderItems",
            "order_items",
            _col("id", pk=True),
            _col("orderId", "order_id"),
            _col("sku"),
            _col("quantity"),
            _col("internal_notes", enabled=False, listed=True),
        ),
        _table(
            "customers",
            "customers",
            _col("id", pk=True),
            _col("email", hashed=True, listed=True),
            _col("full_name"),
        ),
        _table("audit_log", "audit_log", _col("id", pk=True), _col("payload"), enabled=False),
    )
    internal = _schema(
        "internal",
        "pg_prod_internal",
        _table("schema_migrations", "schema_migrations", _col("version", pk=True)),
        enabled=False,
    )
    return SimConnection(
        id="dialectical_remindful",
        group_id="projected_sickle",
        service="postgres",
        schema="pg_prod",
        created_at=parse_timestamp("2023-04-10T08:30:12.654321Z"),
        succeeded_at=parse_timestamp("2024-12-31T02:41:55.000000Z"),
        sync_frequency=1440,
        daily_sync_time="02:00",
        config=configs.connection_config("postgres"),
        schema_change_handling="ALLOW_COLUMNS",
        schema_config={**public, **internal},
    )


def _hubspot() -> SimConnection:
    return SimConnection(
        id="macaroni_unwieldy",
        group_id="schoolmaster_heedless",
        service="hubspot",
        schema="hubspot",
        created_at=parse_timestamp("2023-06-01T12:00:00.000000Z"),
        succeeded_at=parse_timestamp("2024-12-30T18:05:42.987654Z"),
        schedule_type="manual",
        config=configs.connection_config("hubspot"),
        schema_config=_schema(
            "hubspot",
            "hubspot",
            *(
                _table(name, name, _col("id", pk=True), *map(_col, fields), sync_mode=None)
                for name, fields in (
                    ("contact", ("email", "lifecycle_stage")),
                    ("company", ("name", "domain")),
                    ("deal", ("amount", "deal_stage", "close_date")),
                )
            ),
        ),
    )


def _google_sheets() -> SimConnection:
    return SimConnection(
        id="fractious_obelisk",
        group_id="schoolmaster_heedless",
        service="google_sheets",
        schema="sheets.budget_2025",
        created_at=parse_timestamp("2024-01-15T09:00:00.000000Z"),
        succeeded_at=parse_timestamp("2024-12-01T06:00:03.250000Z"),
        paused=True,
        config=configs.connection_config("google_sheets"),
        schema_config=_schema(
            "sheets",
            "sheets",
            _table(
                "budget_2025",
                "budget_2025",
                _col("_row", pk=True),
                _col("Department", "department"),
                _col("Amount", "amount"),
                sync_mode=None,
                supports_history_mode=False,
            ),
        ),
    )


def _stripe() -> SimConnection:
    return SimConnection(
        id="wobbly_pancake",
        group_id="empties_classification",
        service="stripe",
        schema="stripe",
        created_at=parse_timestamp("2023-09-05T11:11:11.111111Z"),
        succeeded_at=parse_timestamp("2024-11-20T04:00:00.000000Z"),
        failed_at=parse_timestamp("2024-12-30T04:00:09.400000Z"),
        setup_state="broken",
        update_state="delayed",
        tasks=[{"code": "reconnect", "message": "Reconnect"}],
        config=configs.connection_config("stripe"),
        schema_config=_schema(
            "stripe",
            "stripe",
            *(
                _table(name, name, _col("id", pk=True), *map(_col, fields))
                for name, fields in (
                    ("charge", ("amount", "currency", "customer_id")),
                    ("customer", ("email", "created")),
                    ("invoice", ("amount_due", "status")),
                )
            ),
        ),
    )


def _mysql() -> SimConnection:
    return SimConnection(
        id="nimble_cactus",
        group_id="empties_classification",
        service="mysql",
        schema="mysql_erp",
        created_at=parse_timestamp("2024-12-20T15:20:00.000000Z"),
        setup_state="incomplete",
        is_historical_sync=True,
        config=configs.connection_config("mysql"),
    )


def _github() -> SimConnection:
    schemas = _schema(
        "github",
        "github",
        *(
            _table(name, name, _col("id", pk=True), *map(_col, fields))
            for name, fields in (
                ("repository", ("name", "owner")),
                ("issue", ("repository_id", "title", "state")),
                ("pull_request", ("repository_id", "title", "merged_at")),
                ("commit", ("sha", "message")),
            )
        ),
    )
    # Its other tables reference repositories, so Fivetran does not let users exclude this one.
    schemas["github"].tables["repository"].exclusion_allowed = False
    return SimConnection(
        id="quiet_lantern",
        group_id="empties_classification",
        service="github",
        schema="github",
        created_at=parse_timestamp("2024-02-29T23:59:59.999999Z"),
        succeeded_at=parse_timestamp("2024-12-31T23:00:12.000500Z"),
        sync_frequency=60,
        config=configs.connection_config("github"),
        schema_config=schemas,
    )
