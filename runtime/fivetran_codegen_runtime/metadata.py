"""Metadata keys shared by the generated specs, the run-time events and the sensor.

The names are dagster-fivetran's, so asset history, its sensor's de-duplication and users'
own code that reads these keys keep working after a migration.
"""

from __future__ import annotations

from typing import Final

TABLE_NAME: Final = "dagster/table_name"
STORAGE_KIND: Final = "dagster/storage_kind"
COLUMN_SCHEMA: Final = "dagster/column_schema"
CONNECTOR_URL: Final = "connector_url"

_NAMESPACE = "dagster-fivetran/"
CONNECTOR_ID: Final = _NAMESPACE + "connector_id"
CONNECTOR_NAME: Final = _NAMESPACE + "connector_name"
DESTINATION_ID: Final = _NAMESPACE + "destination_id"
DESTINATION_SCHEMA_NAME: Final = _NAMESPACE + "destination_schema_name"
DESTINATION_TABLE_NAME: Final = _NAMESPACE + "destination_table_name"
SYNC_FREQUENCY_MINUTES: Final = _NAMESPACE + "sync_frequency_minutes"
SCHEDULE_TYPE: Final = _NAMESPACE + "schedule_type"
DAILY_SYNC_TIME: Final = _NAMESPACE + "daily_sync_time"
SYNC_COMPLETED_AT: Final = _NAMESPACE + "sync_completed_at"
# The schema-drift check every generated table declares (schema_drift.py runs it).
SCHEMA_CHECK: Final = "fivetran_schema"
