"""`FivetranWorkspace.sync_and_poll` in real Dagster runs against the simulator over HTTP."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
import pytest
from fivetran_codegen_runtime import FivetranWorkspace
from fivetran_codegen_runtime.metadata import COLUMN_SCHEMA, SYNC_COMPLETED_AT, TABLE_NAME
from fivetran_codegen_runtime.testing import FaultRule, FivetranSimulator

from tests.runtime_support import (
    FAST_SETTINGS,
    build_assets,
    make_workspace,
    specs_for,
    user_logs,
)

SALESFORCE = "speak_inexpensive"  # auto schedule, Snowflake, 3 tables
POSTGRES = "dialectical_remindful"  # source names differ from destination names
HUBSPOT = "macaroni_unwieldy"  # already on the manual schedule
SHEETS = "fractious_obelisk"  # paused
STRIPE = "wobbly_pancake"  # broken


def run(
    sim: FivetranSimulator,
    instance: dg.DagsterInstance,
    connection_id: str,
    *,
    selection: list[dg.AssetKey] | None = None,
    run_config: dict[str, Any] | None = None,
    columns: bool = False,
    workspace: FivetranWorkspace | None = None,
    partitions_def: dg.PartitionsDefinition | None = None,
    partition_key: str | None = None,
    tags: dict[str, str] | None = None,
    beside: tuple[dg.AssetsDefinition, ...] = (),  # other assets in the same run
    **settings: Any,
) -> dg.ExecuteInProcessResult:
    assets = build_assets(sim, connection_id, columns=columns, partitions_def=partitions_def)
    return dg.materialize(
        [assets, *beside],
        resources={"fivetran": workspace or make_workspace(sim, **settings)},
        instance=instance,
        selection=selection,
        run_config=run_config,
        partition_key=partition_key,
        tags=tags,
        raise_on_error=False,
    )


def materializations(
    result: dg.ExecuteInProcessResult,
) -> dict[dg.AssetKey, dg.AssetMaterialization]:
    found = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        assert isinstance(materialization, dg.AssetMaterialization)
        found[materialization.asset_key] = materialization
    return found


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    failures = [event for event in result.all_events if event.is_step_failure]
    assert failures, "the run was expected to fail"
    data = failures[-1].step_failure_data
    description = data.user_failure_data.description if data.user_failure_data else ""
    return f"{description}\n{data.error.message if data.error else ''}"


def retries(result: dg.ExecuteInProcessResult) -> list[float]:
    return [
        event.event_specific_data.seconds_to_wait  # type: ignore[union-attr]
        for event in result.all_events
        if event.event_type_value == "STEP_UP_FOR_RETRY"
    ]


@contextmanager
def once_triggered(sim: FivetranSimulator, action: Callable[[], None]) -> Iterator[None]:
    """Run `action` in the background as soon as the run has triggered its sync."""

    def watch() -> None:
        deadline = time.monotonic() + 10
        while sim.count("POST", "/v1/connections/*/sync") == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join(timeout=10)


# --- success, failure, not syncable


def test_success_reports_every_table_with_the_specs_metadata(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    before = sim.workspace.connections[SALESFORCE].succeeded_at
    result = run(sim, instance, SALESFORCE)
    assert result.success
    conn = sim.workspace.connections[SALESFORCE]
    assert conn.succeeded_at is not None and before is not None and conn.succeeded_at > before
    specs = {spec.key: spec for spec in specs_for(sim, SALESFORCE)}
    found = materializations(result)
    assert set(found) == set(specs) and len(found) == 3
    for key, materialization in found.items():
        metadata = materialization.metadata
        assert materialization.description is None  # a MaterializeResult, not a runtime event
        assert metadata[TABLE_NAME].value == specs[key].metadata[TABLE_NAME]
        assert metadata["dagster/storage_kind"].value == "snowflake"
        assert metadata[SYNC_COMPLETED_AT].value == conn.succeeded_at.timestamp()
    assert sim.count("POST", f"/v1/connections/{SALESFORCE}/sync") == 1
    posts = [r for r in sim.request_log if r.method == "POST"]
    assert [r.body for r in posts] == [{"force": False}]
    patches = [r for r in sim.request_log if r.method == "PATCH"]
    assert [r.body for r in patches] == [{"schedule_type": "manual", "run_setup_tests": False}]
    assert conn.schedule_type == "manual"


def test_generated_resource_shape_reads_env_credentials_and_api_url(
    sim: FivetranSimulator, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIVETRAN_API_KEY", sim.api_key)
    monkeypatch.setenv("FIVETRAN_API_SECRET", sim.api_secret)
    monkeypatch.setenv("FIVETRAN_API_URL", sim.url)
    workspace = FivetranWorkspace(
        api_key=dg.EnvVar("FIVETRAN_API_KEY"),
        api_secret=dg.EnvVar("FIVETRAN_API_SECRET"),
        **FAST_SETTINGS,
    )
    result = run(sim, instance, SALESFORCE, workspace=workspace)
    assert result.success
    assert sim.count("POST", f"/v1/connections/{SALESFORCE}/sync") == 1


@pytest.mark.parametrize(
    ("connection_id", "settings"),
    [(HUBSPOT, {}), (SALESFORCE, {"disable_schedule_on_trigger": False})],
    ids=["already-manual", "disabled"],
)
def test_schedule_patch_only_when_needed(
    sim: FivetranSimulator,
    instance: dg.DagsterInstance,
    connection_id: str,
    settings: dict[str, Any],
) -> None:
    schedule_before = sim.workspace.connections[connection_id].schedule_type
    result = run(sim, instance, connection_id, **settings)
    assert result.success
    assert sim.count("PATCH") == 0
    assert sim.workspace.connections[connection_id].schedule_type == schedule_before
    assert sim.count("POST", f"/v1/connections/{connection_id}/sync") == 1


def test_failed_sync_fails_the_step_naming_the_connection(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sim.set_next_outcome(SALESFORCE, "failure")
    result = run(sim, instance, SALESFORCE)
    assert not result.success
    text = failure_text(result)
    assert "sync failed" in text and SALESFORCE in text and "'salesforce'" in text
    assert f"https://fivetran.com/dashboard/connections/{SALESFORCE}" in text
    assert materializations(result) == {}


@pytest.mark.parametrize(
    ("connection_id", "expected"),
    [(SHEETS, "is paused"), (STRIPE, "setup_state is 'broken' (open tasks: reconnect)")],
    ids=["paused", "broken"],
)
def test_unsyncable_connection_fails_without_triggering(
    sim: FivetranSimulator, instance: dg.DagsterInstance, connection_id: str, expected: str
) -> None:
    result = run(sim, instance, connection_id)
    assert not result.success
    text = failure_text(result)
    assert expected in text and connection_id in text
    assert f"https://fivetran.com/dashboard/connections/{connection_id}" in text
    assert sim.count("POST") == 0 and sim.count("PATCH") == 0
    assert materializations(result) == {}


# --- reschedules and time limits


def test_reschedule_retries_the_step_at_rescheduled_for_and_retriggers(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sim.set_next_outcome(SALESFORCE, "reschedule", duration=0.2, rescheduled_for_in=1.0)
    result = run(sim, instance, SALESFORCE)
    assert result.success, failure_text(result)
    waits = retries(result)
    # rescheduled_for is 1 s after the sync ended, plus a 1 s margin: the wait is that, less the
    # time the run took to see the reschedule (bounded loosely: CI machines can be slow).
    assert len(waits) == 1 and 1.0 <= waits[0] <= 2.05
    # The retried step triggered again (the connection is manual now: it never resumes alone).
    assert sim.count("POST", f"/v1/connections/{SALESFORCE}/sync") == 2
    assert sim.count("PATCH") == 1
    assert len(materializations(result)) == 3


def test_a_rescheduled_resync_is_resumed_by_the_retry_not_restarted(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sim.set_next_outcome(POSTGRES, "reschedule", duration=0.1, rescheduled_for_in=0.3)
    config = {"ops": {f"fivetran_{POSTGRES}": {"config": {"resync": True}}}}
    result = run(sim, instance, POSTGRES, run_config=config)
    assert result.success, failure_text(result)
    assert len(retries(result)) == 1
    # Requested once; the retry resumes it (a second re-sync request would be refused: 409).
    assert sim.count("POST", f"/v1/connections/{POSTGRES}/resync") == 1
    assert sim.count("POST", f"/v1/connections/{POSTGRES}/sync") == 1
    assert len(sim.workspace.connections[POSTGRES].resync_requests) == 1


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"reschedule_max_wait_seconds": 60}, "reschedule_max_wait_seconds=60"),
        ({"reschedule_max_retries": 0}, "reschedule_max_retries=0"),
    ],
    ids=["wait-too-long", "no-retries-left"],
)
def test_reschedule_beyond_the_bounds_fails_clearly(
    sim: FivetranSimulator,
    instance: dg.DagsterInstance,
    settings: dict[str, Any],
    expected: str,
) -> None:
    sim.set_next_outcome(SALESFORCE, "reschedule", duration=0.1, rescheduled_for_in=3600)
    result = run(sim, instance, SALESFORCE, **settings)
    assert not result.success
    assert retries(result) == []
    text = failure_text(result)
    assert "rescheduled the sync until" in text and expected in text and SALESFORCE in text


@pytest.mark.parametrize(
    ("settings", "posts"),
    [({}, 2), ({"disable_schedule_on_trigger": False}, 1)],
    ids=["manual-retriggered-in-place", "auto-resumes-by-itself"],
)
def test_reschedule_without_retry_keeps_polling(
    sim: FivetranSimulator,
    instance: dg.DagsterInstance,
    settings: dict[str, Any],
    posts: int,
) -> None:
    sim.set_next_outcome(SALESFORCE, "reschedule", duration=0.1, rescheduled_for_in=0.5)
    result = run(sim, instance, SALESFORCE, retry_on_reschedule=False, **settings)
    assert result.success, failure_text(result)
    assert retries(result) == []
    assert sim.count("POST", f"/v1/connections/{SALESFORCE}/sync") == posts
    warnings = user_logs(instance, result.run_id, logging.WARNING)
    assert any("retry_on_reschedule is false" in message for message in warnings)


def test_poll_timeout_fails_the_step(sim: FivetranSimulator, instance: dg.DagsterInstance) -> None:
    sim.set_next_outcome(SALESFORCE, "success", duration=60)
    started = time.monotonic()
    result = run(sim, instance, SALESFORCE, poll_timeout_seconds=0.3)
    assert time.monotonic() - started < 10
    assert not result.success
    text = failure_text(result)
    assert "poll_timeout_seconds=0.3" in text and "sync_state=syncing" in text


# --- re-syncs from run config


def test_full_resync_from_run_config(sim: FivetranSimulator, instance: dg.DagsterInstance) -> None:
    config = {"ops": {f"fivetran_{POSTGRES}": {"config": {"resync": True}}}}
    result = run(sim, instance, POSTGRES, run_config=config)
    assert result.success, failure_text(result)
    assert sim.count("POST", f"/v1/connections/{POSTGRES}/resync") == 1
    assert sim.count("POST", "*/sync") == 0
    requests = sim.workspace.connections[POSTGRES].resync_requests
    assert [(r.endpoint, r.scope) for r in requests] == [("resync", None)]
    assert len(materializations(result)) == 3


def test_table_resync_from_run_config_uses_source_names(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    tables = {"public": ["orders", "OrderItems"]}
    config = {
        "ops": {f"fivetran_{POSTGRES}": {"config": {"resync": True, "resync_parameters": tables}}}
    }
    result = run(sim, instance, POSTGRES, run_config=config)
    assert result.success, failure_text(result)
    calls = [r for r in sim.request_log if r.path.endswith("/schemas/tables/resync")]
    assert [r.body for r in calls] == [tables]
    requests = sim.workspace.connections[POSTGRES].resync_requests
    assert [(r.endpoint, r.scope) for r in requests] == [("tables_resync", tables)]


def test_table_resync_with_destination_names_explains_source_names(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    config = {
        "ops": {
            f"fivetran_{POSTGRES}": {
                "config": {"resync": True, "resync_parameters": {"pg_prod_public": ["orders"]}}
            }
        }
    }
    result = run(sim, instance, POSTGRES, run_config=config)
    assert not result.success
    text = failure_text(result)
    assert "SOURCE schemas and tables" in text and POSTGRES in text


# --- events


def test_subset_run_reports_unselected_tables_as_runtime_materializations(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    account = dg.AssetKey(["salesforce", "account"])
    result = run(sim, instance, SALESFORCE, selection=[account])
    assert result.success
    found = materializations(result)
    assert len(found) == 3  # Fivetran synced the whole connection
    assert found[account].description is None
    others = [m for key, m in found.items() if key != account]
    assert all("Synced by Fivetran with the rest" in (m.description or "") for m in others)
    completed = {m.metadata[SYNC_COMPLETED_AT].value for m in found.values()}
    assert len(completed) == 1
    planned = instance.all_logs(
        result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    )
    assert [entry.dagster_event.asset_key for entry in planned if entry.dagster_event] == [account]
    notes = [m for m in user_logs(instance, result.run_id) if "syncs whole connections" in m]
    assert len(notes) == 1 and "salesforce.contact" in notes[0]


def test_column_metadata_one_call_per_table_and_a_failure_is_a_warning(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sim.add_fault(
        FaultRule(status=404, times=None, method="GET", path="*/tables/customers/columns")
    )
    result = run(sim, instance, POSTGRES, columns=True)
    assert result.success
    found = materializations(result)
    columns = {
        key.path[-1]: [c.name for c in m.metadata[COLUMN_SCHEMA].value.columns]  # type: ignore[attr-defined]
        for key, m in found.items()
    }
    # Read by SOURCE names (OrderItems), reported by destination names, disabled ones left out.
    assert columns["order_items"] == ["id", "order_id", "quantity", "sku"]
    assert columns["orders"] == ["created_at", "customer_id", "id", "total_cents"]
    assert columns["customers"] == ["snapshot_column"]  # the snapshot's, kept on failure
    assert sim.count("GET", f"/v1/connections/{POSTGRES}/schemas") == 1
    for table in ("orders", "OrderItems", "customers"):
        assert (
            sim.count("GET", f"/v1/connections/{POSTGRES}/schemas/public/tables/{table}/columns")
            == 1
        )
    warnings = [
        m
        for m in user_logs(instance, result.run_id, logging.WARNING)
        if "could not read its columns" in m
    ]
    assert len(warnings) == 1 and "pg_prod_public.customers" in warnings[0]


# --- an unreliable API


def test_429s_and_5xx_while_polling_are_survived(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sim.set_next_outcome(SALESFORCE, "success", duration=1.0)
    path = f"/v1/connections/{SALESFORCE}"

    def break_polling() -> None:
        # 3 x 429 then 5 x 503: more than one call's 4 attempts, so polls fail and are retried.
        sim.add_fault(FaultRule(status=429, times=3, method="GET", path=path, retry_after=0))
        sim.add_fault(FaultRule(status=503, times=5, method="GET", path=path))

    with once_triggered(sim, break_polling):
        result = run(sim, instance, SALESFORCE)
    assert result.success, failure_text(result)
    statuses = [r.status for r in sim.request_log if r.method == "GET" and r.path == path]
    assert statuses.count(429) == 3 and statuses.count(503) == 5 and statuses[-1] == 200
    assert len(materializations(result)) == 3
    warnings = user_logs(instance, result.run_id, logging.WARNING)
    assert any("polling failed" in message for message in warnings)


def test_connection_deleted_mid_run_fails_clearly(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sim.set_next_outcome(SALESFORCE, "success", duration=30)

    def delete() -> None:
        with sim.lock:
            del sim.workspace.connections[SALESFORCE]

    started = time.monotonic()
    with once_triggered(sim, delete):
        result = run(sim, instance, SALESFORCE)
    assert time.monotonic() - started < 10
    assert not result.success
    text = failure_text(result)
    assert "no longer exists in Fivetran" in text and SALESFORCE in text
    assert materializations(result) == {}


def test_a_partitioned_connection_reports_every_table_for_the_runs_partition(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    # A translator may give a connection's tables one partitions definition; a sync still syncs
    # them all, and every table's materialization, selected or not, is the run's partition.
    partitions = dg.StaticPartitionsDefinition(["eu", "us"])
    specs = specs_for(sim, SALESFORCE)
    account = dg.AssetKey(["salesforce", "account"])
    for partition, selection in (("eu", None), ("us", [account])):
        result = run(
            sim,
            instance,
            SALESFORCE,
            partitions_def=partitions,
            partition_key=partition,
            selection=selection,
        )
        assert result.success, failure_text(result)
        events = result.get_asset_materialization_events()
        assert len(events) == 3
        assert {e.partition for e in events} == {partition}
    # A backfill of both keys in one run: each unselected table, once per key.
    both = {"dagster/asset_partition_range_start": "eu", "dagster/asset_partition_range_end": "us"}
    result = run(
        sim, instance, SALESFORCE, partitions_def=partitions, tags=both, selection=[account]
    )
    assert result.success, failure_text(result)
    found = [(e.asset_key, e.partition) for e in result.get_asset_materialization_events()]
    assert sorted(found) == sorted((s.key, p) for s in specs for p in ("eu", "us"))
    assert sim.count("POST", f"/v1/connections/{SALESFORCE}/sync") == 3
    for spec in specs:
        assert instance.get_materialized_partitions(spec.key) == {"eu", "us"}


def test_an_unpartitioned_connection_in_a_partitioned_run_stays_unpartitioned(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    # The run's partition key belongs to the partitioned asset beside the connection: the
    # tables, selected or not, are materialized without a partition.
    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(["eu", "us"]))
    def daily() -> None:
        pass

    account = dg.AssetKey(["salesforce", "account"])
    result = run(
        sim,
        instance,
        SALESFORCE,
        beside=(daily,),
        partition_key="eu",
        selection=[account, daily.key],
    )
    assert result.success, failure_text(result)
    found = {e.asset_key: e.partition for e in result.get_asset_materialization_events()}
    assert len(found) == 4 and found.pop(daily.key) == "eu"
    assert set(found.values()) == {None}


def test_a_multi_partitioned_connection_tags_each_dimension(sim: FivetranSimulator) -> None:
    partitions = dg.MultiPartitionsDefinition(
        {
            "region": dg.StaticPartitionsDefinition(["eu", "us"]),
            "tier": dg.StaticPartitionsDefinition(["gold", "free"]),
        }
    )
    specs = specs_for(sim, SALESFORCE)
    key = dg.MultiPartitionKey({"region": "eu", "tier": "gold"})
    with dg.instance_for_test() as instance:  # its own: the other tests' partitions are "eu"
        result = run(
            sim,
            instance,
            SALESFORCE,
            partitions_def=partitions,
            partition_key=key,
            selection=[dg.AssetKey(["salesforce", "account"])],
        )
        assert result.success, failure_text(result)
        for spec in specs:  # read back by dimension: the unselected tables' keys too
            assert instance.get_materialized_partitions(spec.key) == {key}
            record = instance.fetch_materializations(spec.key, limit=1).records[0]
            event = record.event_log_entry.dagster_event
            assert event is not None and event.partition == key
            tags = instance.get_event_tags_for_asset(
                spec.key, filter_tags={"dagster/partition/region": "eu"}
            )
            assert tags, spec.key
