"""Fake but realistic service configs for destinations and connections.

Hosts and users are invented; secrets are masked as Fivetran masks them (`"******"`). Keys and
value types follow the per-service schemas of Fivetran's OpenAPI definition.
"""

from __future__ import annotations

from typing import Any

from fivetran_codegen_runtime.testing.workspace import SimDestination

MASKED = "******"


def snowflake(database: str, *, region: str = "AWS_US_EAST_1") -> SimDestination:
    return SimDestination(
        service="snowflake",
        region=region,
        time_zone_offset="-5",
        config={
            "host": "acme-xy12345.snowflakecomputing.com",
            "port": 443,
            "database": database,
            "auth": "PASSWORD",
            "user": "FIVETRAN_USER",
            "password": MASKED,
            "role": "FIVETRAN_ROLE",
            "default_virtual_warehouse": "FIVETRAN_WAREHOUSE",
            "connection_type": "Directly",
        },
    )


def big_query(project_id: str, *, region: str = "GCP_US_EAST4") -> SimDestination:
    return SimDestination(
        service="big_query",
        region=region,
        time_zone_offset="0",
        config={
            "project_id": project_id,
            "data_set_location": "US",
            "secret_key": MASKED,
            "support_json_type": True,
        },
    )


def databricks(catalog: str, *, region: str = "AWS_US_WEST_2") -> SimDestination:
    return SimDestination(
        service="databricks",
        region=region,
        time_zone_offset="+1",
        config={
            "catalog": catalog,
            "server_host_name": "dbc-a1b2c3d4-e5f6.cloud.databricks.com",
            "port": 443,
            "http_path": "/sql/1.0/warehouses/8d2f3a1b4c5e6f70",
            "auth_type": "PERSONAL_ACCESS_TOKEN",
            "personal_access_token": MASKED,
            "cloud_provider": "AWS",
            "create_external_tables": False,
        },
    )


DESTINATION_FACTORIES = (snowflake, big_query, databricks)

_DATABASE_CONFIG: dict[str, Any] = {
    "port": 5432,
    "user": "fivetran",
    "password": MASKED,
    "connection_type": "Directly",
    "always_encrypted": True,
}

_CONNECTION_CONFIGS: dict[str, dict[str, Any]] = {
    "salesforce": {
        "base_url": "https://acme.my.salesforce.com",
        "api_usage_limit": 80,
        "sync_formula_fields": False,
        "connecting_user": "integration@acme.example",
        "organization_id": "00D5g000004XyZ1EAK",
    },
    "postgres": {
        **_DATABASE_CONFIG,
        "host": "pg-prod.internal.acme.example",
        "database": "app",
        "update_method": "WAL_PGOUTPUT",
        "publication_name": "fivetran_pub",
        "replication_slot": "fivetran_slot",
    },
    "mysql": {
        **_DATABASE_CONFIG,
        "host": "mysql-erp.internal.acme.example",
        "port": 3306,
        "database": "erp",
    },
    "hubspot": {"client_secret": MASKED, "historical_sync_time_frame": "ALL_TIME"},
    "google_sheets": {
        "auth_type": "ServiceAccount",
        "sheet_id": "https://docs.google.com/spreadsheets/d/1aBcDeFgHiJkLmNoPqRsTuVwXyZ/edit#gid=0",
        "named_range": "Fivetran_Sync_Range",
    },
    "stripe": {"api_key": MASKED, "support_connected_accounts_sync": False},
    "github": {"username": "acme-bot", "use_webhooks": False, "private_key": MASKED},
    "shopify": {"shop": "acme-store", "api_access_token": MASKED},
    "zendesk": {"domain": "acme", "email": "ops@acme.example", "api_token": MASKED},
}

DATABASE_SERVICES = frozenset({"postgres", "mysql"})
CONNECTION_SERVICES = tuple(_CONNECTION_CONFIGS)


def connection_config(service: str) -> dict[str, Any]:
    """A fresh copy, so mutating one connection's config never leaks into another's."""
    return dict(_CONNECTION_CONFIGS.get(service, {}))
