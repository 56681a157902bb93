"""`FivetranWorkspace`, the Dagster resource generated code syncs through, and its run config.

Generated modules call `fivetran.sync_and_poll(context=context, config=config)`; the resource
finds the connection and its tables in the specs of `context.assets_def`, so it needs no
workspace crawl, at load time or at run time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from fivetran_codegen_runtime import ownership, schema_config, schema_drift
from fivetran_codegen_runtime.columns import attach_columns
from fivetran_codegen_runtime.events import (
    FivetranEvent,
    FivetranEventIterator,
    run_partitions,
    sync_events,
)
from fivetran_codegen_runtime.inventory import ConnectionAssets, connection_of
from fivetran_codegen_runtime.metadata import SCHEMA_CHECK
from fivetran_codegen_runtime.rest.client import DEFAULT_API_URL, FivetranClient
from fivetran_codegen_runtime.rest.credentials import Credentials
from fivetran_codegen_runtime.rest.errors import CredentialsError
from fivetran_codegen_runtime.rest.retry import RetryPolicy
from fivetran_codegen_runtime.rest.status import epoch
from fivetran_codegen_runtime.sync import SyncRequest, SyncSettings, run_sync

API_URL_VAR = "FIVETRAN_API_URL"


class FivetranSyncConfig(dg.Config):
    """Run config of a generated Fivetran asset: a plain sync (default) or a re-sync.

    Launchpad example, for a table-level re-sync of one connection's op::

        ops:
          fivetran_pg_prod:
            config:
              resync: true
              resync_parameters: {public: [orders, customers]}
    """

    resync: bool = Field(
        default=False,
        description="Run a historical re-sync instead of an incremental sync.",
    )
    resync_parameters: dict[str, list[str]] | None = Field(
        default=None,
        description=(
            "With resync: only these tables, as {source schema: [source table, ...]} in "
            "Fivetran's source names; omitted: every table of the connection."
        ),
    )


class FivetranWorkspace(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Fivetran API access and sync behaviour for generated Fivetran assets and the sensor.

    Give the credentials as `dg.EnvVar`s; they are resolved wherever the resource is used,
    sensors included, and never logged.
    """

    # repr=False: a logged or printed resource must not show the credentials.
    api_key: str = Field(
        repr=False, description="Fivetran API key (use dg.EnvVar('FIVETRAN_API_KEY'))."
    )
    api_secret: str = Field(
        repr=False, description="Fivetran API secret (use dg.EnvVar('FIVETRAN_API_SECRET'))."
    )
    api_url: str | None = Field(
        default=None,
        description=f"API base URL; unset: ${API_URL_VAR} if set, else {DEFAULT_API_URL}.",
    )
    disable_schedule_on_trigger: bool = Field(
        default=True,
        description=(
            "Before a sync, switch a connection that is on Fivetran's schedule to "
            "schedule_type=manual, so only Dagster syncs it."
        ),
    )
    retry_on_reschedule: bool = Field(
        default=True,
        description=(
            "When Fivetran reschedules a sync (source quota spent), retry the step at "
            "rescheduled_for; false: keep polling until poll_timeout_seconds."
        ),
    )
    reschedule_max_retries: int = Field(
        default=3, description="Step retries for reschedules before the step fails."
    )
    reschedule_max_wait_seconds: float = Field(
        default=6 * 3600.0,
        description="Fail instead of retrying when rescheduled_for is further away than this.",
    )
    poll_interval_seconds: float = Field(
        default=10.0, description="Seconds between two reads of the connection's status."
    )
    poll_timeout_seconds: float | None = Field(
        default=24 * 3600.0,
        description="Fail when a sync has not finished after this long; null: no limit.",
    )
    request_timeout_seconds: float = Field(
        default=60.0, description="Read timeout of one API request."
    )
    request_max_attempts: int = Field(
        default=6, description="Attempts per API request (429s, 5xx, network errors)."
    )
    request_backoff_seconds: float = Field(
        default=0.5, description="First retry delay of an API request; doubles per attempt."
    )
    column_metadata_concurrency: int = Field(
        default=5, description="Concurrent columns calls of fetch_column_metadata()."
    )

    def get_client(self, pool_size: int = 2) -> FivetranClient:
        """A new client with this resource's credentials and retry settings; close it after use."""
        if not self.api_key or not self.api_secret:
            raise CredentialsError(
                "the Fivetran API key or secret of the FivetranWorkspace resource is empty",
                where="FivetranWorkspace",
                hint="set FIVETRAN_API_KEY and FIVETRAN_API_SECRET where Dagster runs",
            )
        return FivetranClient(
            Credentials(self.api_key, self.api_secret),
            api_url=self.resolved_api_url(),
            retry=RetryPolicy(
                max_attempts=self.request_max_attempts, backoff_base=self.request_backoff_seconds
            ),
            timeout=self.request_timeout_seconds,
            pool_size=pool_size,
        )

    def resolved_api_url(self) -> str:
        return self.api_url or os.environ.get(API_URL_VAR) or DEFAULT_API_URL

    def sync_settings(self) -> SyncSettings:
        return SyncSettings(
            poll_interval=self.poll_interval_seconds,
            poll_timeout=self.poll_timeout_seconds,
            disable_schedule_on_trigger=self.disable_schedule_on_trigger,
            retry_on_reschedule=self.retry_on_reschedule,
            reschedule_max_retries=self.reschedule_max_retries,
            reschedule_max_wait=self.reschedule_max_wait_seconds,
        )

    def sync_and_poll(
        self, context: dg.AssetExecutionContext, config: FivetranSyncConfig | None = None
    ) -> FivetranEventIterator:
        """Sync the connection of `context.assets_def` and yield one event per table.

        Nothing happens until the iterator is consumed (`yield from` in the asset function).
        """
        connection = connection_of(context.assets_def)
        request = _request(connection, config or FivetranSyncConfig())
        read = schema_config.RunRead()  # the checks read it first, the columns reuse it
        columns = functools.partial(
            attach_columns,
            connection=connection,
            read=read,
            client_factory=self.get_client,
            log=context.log,
            max_workers=self.column_metadata_concurrency,
        )
        return FivetranEventIterator(self._events(context, connection, request, read), columns)

    def resync_and_poll(
        self,
        context: dg.AssetExecutionContext,
        resync_parameters: dict[str, list[str]] | None = None,
    ) -> FivetranEventIterator:
        """A historical re-sync: of every table, or of `{source schema: [source table]}`."""
        config = FivetranSyncConfig(resync=True, resync_parameters=resync_parameters)
        return self.sync_and_poll(context, config)

    def _events(
        self,
        context: dg.AssetExecutionContext,
        connection: ConnectionAssets,
        request: SyncRequest,
        read: schema_config.RunRead,
    ) -> Iterator[FivetranEvent]:
        # Before the trigger: from now on the polling sensor leaves this sync to this run.
        ownership.claim(context.instance, context.run.run_id, connection.id)
        checked = {
            key.asset_key for key in context.selected_asset_check_keys if key.name == SCHEMA_CHECK
        }
        with self.get_client() as client:
            status = run_sync(
                client,
                connection,
                request,
                self.sync_settings(),
                context.log,
                retry_number=context.retry_number,
            )
            # Read right after the sync: what Fivetran syncs now, against what the code declares.
            checks = schema_drift.check_results(read, client, connection, checked, context.log)
        assert status.succeeded_at is not None  # run_sync returns only after a success
        yield from sync_events(
            connection,
            context.selected_asset_keys,
            epoch(status.succeeded_at),
            context.log,
            run_partitions(context),
        )
        yield from checks


def _request(connection: ConnectionAssets, config: FivetranSyncConfig) -> SyncRequest:
    parameters = config.resync_parameters
    if parameters is not None and not config.resync:
        raise dg.Failure(
            description=(
                f"{connection.describe()}: run config sets resync_parameters but not "
                "resync: true; set resync: true for a table-level re-sync, or drop "
                "resync_parameters for a normal sync"
            ),
            allow_retries=False,
        )
    if parameters is not None and not any(parameters.values()):
        raise dg.Failure(
            description=(
                f"{connection.describe()}: resync_parameters names no table; give "
                "{source schema: [source table, ...]}, or leave it out to re-sync every table"
            ),
            allow_retries=False,
        )
    tables = (
        None
        if parameters is None
        else {schema: tuple(names) for schema, names in parameters.items() if names}
    )
    return SyncRequest(resync=config.resync, tables=tables)
