"""`build_fivetran_polling_sensor`, ticked for real against the simulator over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import dagster as dg
import pytest
from fivetran_codegen_runtime import FivetranWorkspace, build_fivetran_polling_sensor
from fivetran_codegen_runtime.metadata import SYNC_COMPLETED_AT, TABLE_NAME
from fivetran_codegen_runtime.testing import FivetranSimulator, ManualClock, sample_workspace

from tests.runtime_support import build_assets, make_workspace, specs_for

SALESFORCE = "speak_inexpensive"
POSTGRES = "dialectical_remindful"
HUBSPOT = "macaroni_unwieldy"
SHEETS = "fractious_obelisk"
WATCHED = (SALESFORCE, POSTGRES, HUBSPOT, SHEETS)


@pytest.fixture
def sim() -> Iterator[FivetranSimulator]:
    # Timestamps from 2025: long settled, so only the cursor and the event log decide.
    with FivetranSimulator(sample_workspace(), clock=ManualClock(), sync_duration=10) as simulator:
        yield simulator


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as dagster_instance:
        yield dagster_instance


def read_warnings(capfd: pytest.CaptureFixture[str]) -> list[str]:
    """Warnings logged so far: a sensor's Dagster logger writes to the console only."""
    err = capfd.readouterr().err
    return [
        line.split(" - WARNING - ", 1)[1] for line in err.splitlines() if " - WARNING - " in line
    ]


def make_sensor(sim: FivetranSimulator) -> dg.SensorDefinition:
    return build_fivetran_polling_sensor(assets=[build_assets(sim, c) for c in WATCHED])


def tick(
    sensor: dg.SensorDefinition,
    instance: dg.DagsterInstance,
    workspace: FivetranWorkspace,
    cursor: str | None,
) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"fivetran": workspace}
    )
    result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def events_by_key(result: dg.SensorResult) -> dict[dg.AssetKey, dg.AssetMaterialization]:
    events = {}
    for event in result.asset_events:
        assert isinstance(event, dg.AssetMaterialization)
        events[event.asset_key] = event
    return events


def completed_at(sim: FivetranSimulator, connection_id: str) -> float:
    conn = sim.workspace.connections[connection_id]
    ends = [when for when in (conn.succeeded_at, conn.failed_at) if when is not None]
    return max(ends).timestamp()


def test_defaults_are_deliberate(sim: FivetranSimulator) -> None:
    sensor = make_sensor(sim)
    assert sensor.name == "fivetran_polling_sensor"
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert sensor.minimum_interval_seconds == 30
    assert sensor.required_resource_keys == {"fivetran"}


def test_first_tick_records_a_baseline_with_one_list_walk(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    result = tick(make_sensor(sim), instance, make_workspace(sim), None)
    assert result.asset_events == []
    assert json.loads(result.cursor or "") == {c: completed_at(sim, c) for c in WATCHED}
    assert sim.count("GET", "/v1/connections") == 1
    assert sim.count("GET", "/v1/connections/*") == 0  # no call per connection
    assert len(sim.request_log) == 1


def test_external_sync_is_reported_exactly_once(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    baseline = tick(sensor, instance, workspace, None).cursor
    sim.advance(600)
    sim.complete_external_sync(HUBSPOT)
    second = tick(sensor, instance, workspace, baseline)
    events = events_by_key(second)
    specs = {spec.key: spec for spec in specs_for(sim, HUBSPOT)}
    assert set(events) == set(specs)
    synced = sim.workspace.connections[HUBSPOT].succeeded_at
    assert synced is not None
    for key, event in events.items():
        assert event.metadata[SYNC_COMPLETED_AT].value == synced.timestamp()
        assert event.metadata[TABLE_NAME].value == specs[key].metadata[TABLE_NAME]
        assert "outside Dagster" in (event.description or "")
    assert json.loads(second.cursor or "")[HUBSPOT] == synced.timestamp()
    third = tick(sensor, instance, workspace, second.cursor)
    assert third.asset_events == []
    assert third.cursor == second.cursor
    assert sim.count("GET", "/v1/connections") == 3
    assert sim.count("GET", "/v1/connections/*") == 0


def test_a_sync_a_dagster_run_materialized_is_not_reported_again(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    baseline = tick(sensor, instance, workspace, None).cursor
    stop = threading.Event()

    def run_the_clock() -> None:  # the run polls in real time; the simulator's clock follows
        while not stop.is_set():
            sim.advance(1.0)
            time.sleep(0.005)

    clock = threading.Thread(target=run_the_clock, daemon=True)
    clock.start()
    try:
        run = dg.materialize(
            [build_assets(sim, SALESFORCE)], resources={"fivetran": workspace}, instance=instance
        )
    finally:
        stop.set()
        clock.join()
    assert run.success
    synced = completed_at(sim, SALESFORCE)
    after_run = tick(sensor, instance, workspace, baseline)
    assert after_run.asset_events == []
    assert json.loads(after_run.cursor or "")[SALESFORCE] == synced
    sim.advance(600)
    sim.complete_external_sync(SALESFORCE)  # a later sync outside Dagster is still reported
    later = tick(sensor, instance, workspace, after_run.cursor)
    assert {key.path[0] for key in events_by_key(later)} == {"salesforce"}
    assert len(later.asset_events) == 3


def test_failed_external_sync_is_logged_not_reported(
    sim: FivetranSimulator, instance: dg.DagsterInstance, capfd: pytest.CaptureFixture[str]
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    baseline = tick(sensor, instance, workspace, None).cursor
    sim.advance(600)
    sim.complete_external_sync(POSTGRES, "failure")
    result = tick(sensor, instance, workspace, baseline)
    assert result.asset_events == []
    assert json.loads(result.cursor or "")[POSTGRES] == completed_at(sim, POSTGRES)
    warnings = read_warnings(capfd)
    assert any("a sync failed at" in message and POSTGRES in message for message in warnings)


def test_success_then_failure_between_ticks_still_reports_the_success(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    baseline = tick(sensor, instance, workspace, None).cursor
    sim.advance(600)
    sim.complete_external_sync(HUBSPOT, "success")
    succeeded = completed_at(sim, HUBSPOT)
    sim.advance(600)
    sim.complete_external_sync(HUBSPOT, "failure")
    result = tick(sensor, instance, workspace, baseline)
    values = {e.metadata[SYNC_COMPLETED_AT].value for e in events_by_key(result).values()}
    assert values == {succeeded} and len(result.asset_events) == 3
    assert json.loads(result.cursor or "")[HUBSPOT] == completed_at(sim, HUBSPOT) > succeeded


def test_restart_with_the_stored_cursor_loses_nothing(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    stored = tick(make_sensor(sim), instance, make_workspace(sim), None).cursor
    # The sensor is stopped; meanwhile Fivetran syncs two connections on its own schedule.
    sim.advance(600)
    sim.complete_external_sync(SALESFORCE)
    sim.advance(600)
    sim.complete_external_sync(POSTGRES)
    # A new process: new definitions, new resource, the cursor Dagster stored.
    result = tick(make_sensor(sim), instance, make_workspace(sim), stored)
    reported = {key.path[0] for key in events_by_key(result)}
    assert reported == {"salesforce", "pg_prod_public"}
    assert len(result.asset_events) == 6


def test_a_dagster_fivetran_cursor_is_carried_over(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    theirs = {
        "__class__": "FivetranPollingSensorCursor",
        "effective_timestamp_by_connector_id": {c: completed_at(sim, c) for c in WATCHED},
    }
    sim.advance(600)
    sim.complete_external_sync(HUBSPOT)
    result = tick(make_sensor(sim), instance, make_workspace(sim), json.dumps(theirs))
    assert {key.path[0] for key in events_by_key(result)} == {"hubspot"}


def test_unreadable_cursor_starts_a_new_baseline(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sim.complete_external_sync(SALESFORCE)
    result = tick(make_sensor(sim), instance, make_workspace(sim), "{not json")
    assert result.asset_events == []
    assert set(json.loads(result.cursor or "")) == set(WATCHED)


def test_a_fresh_completion_waits_for_the_next_tick() -> None:
    # The simulator's clock near real time: a sync that ended 5 s ago may belong to a Dagster
    # run that has not recorded its events yet, so the sensor leaves it for a later tick.
    start = datetime.now(timezone.utc) - timedelta(seconds=5)
    with FivetranSimulator(sample_workspace(), clock=ManualClock(start)) as sim:
        with dg.instance_for_test() as instance:
            sensor, workspace = make_sensor(sim), make_workspace(sim)
            baseline = tick(sensor, instance, workspace, None).cursor
            sim.complete_external_sync(SALESFORCE)
            result = tick(sensor, instance, workspace, baseline)
            assert result.asset_events == []
            assert result.cursor == baseline


def test_env_var_credentials_resolve_in_the_sensor(
    sim: FivetranSimulator, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIM_FIVETRAN_KEY", sim.api_key)
    monkeypatch.setenv("SIM_FIVETRAN_SECRET", sim.api_secret)
    workspace = FivetranWorkspace(
        api_key=dg.EnvVar("SIM_FIVETRAN_KEY"),
        api_secret=dg.EnvVar("SIM_FIVETRAN_SECRET"),
        api_url=sim.url,
    )
    result = tick(make_sensor(sim), instance, workspace, None)
    assert set(json.loads(result.cursor or "")) == set(WATCHED)
    assert [r.status for r in sim.request_log] == [200]  # not a 401 for the variables' names


def test_a_connection_gone_from_the_account_is_a_warning(
    sim: FivetranSimulator, instance: dg.DagsterInstance, capfd: pytest.CaptureFixture[str]
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    baseline = tick(sensor, instance, workspace, None).cursor
    with sim.lock:
        del sim.workspace.connections[SHEETS]
    sim.advance(600)
    sim.complete_external_sync(HUBSPOT)
    result = tick(sensor, instance, workspace, baseline)
    assert {key.path[0] for key in events_by_key(result)} == {"hubspot"}
    assert json.loads(result.cursor or "")[SHEETS] == json.loads(baseline or "")[SHEETS]
    warnings = read_warnings(capfd)
    assert any(
        SHEETS in message and "not in GET /v1/connections" in message for message in warnings
    )
