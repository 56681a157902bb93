"""The REST layer: client, retries, credentials, sync status and the error family. No Dagster import:
the snapshot CLI uses it without paying for dagster."""
