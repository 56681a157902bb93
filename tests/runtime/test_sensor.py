"""`build_fivetran_polling_sensor`, ticked for real against the simulator over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import dagster as dg
import pytest
from fivetran_codegen_runtime import FivetranWorkspace, build_fivetran_polling_sensor, ownership
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
    # The run claimed the connection in the instance before it triggered the sync.
    recorded_run = instance.get_run_by_id(run.run_id)
    assert recorded_run is not None
    assert recorded_run.tags[ownership.tag(SALESFORCE)] == ownership.CLAIMED
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


def test_a_fresh_external_sync_is_reported_on_the_first_tick_that_sees_it() -> None:
    # The simulator's clock near real time: the sync ended 5 s ago, no Dagster run owns the
    # connection, so nothing is left for a later tick.
    start = datetime.now(timezone.utc) - timedelta(seconds=5)
    with FivetranSimulator(sample_workspace(), clock=ManualClock(start)) as sim:
        with dg.instance_for_test() as instance:
            sensor, workspace = make_sensor(sim), make_workspace(sim)
            baseline = tick(sensor, instance, workspace, None).cursor
            sim.complete_external_sync(SALESFORCE)
            result = tick(sensor, instance, workspace, baseline)
            assert {key.path[0] for key in events_by_key(result)} == {"salesforce"}
            again = tick(sensor, instance, workspace, result.cursor)
            assert again.asset_events == [] and again.cursor == result.cursor


# -- a Dagster run that owns the sync ----------------------------------------------------------


def run_in_progress(instance: dg.DagsterInstance, connection_id: str) -> dg.DagsterRun:
    """A run held between its trigger and its events: in progress, the connection claimed,
    in the instance the daemon and the run worker share."""
    run = dg.DagsterRun(job_name="__ASSET_JOB", status=dg.DagsterRunStatus.STARTED)
    instance.add_run(run)
    ownership.claim(instance, run.run_id, connection_id)
    return run


def record_as_the_run_does(
    instance: dg.DagsterInstance, sim: FivetranSimulator, connection_id: str
) -> None:
    for spec in specs_for(sim, connection_id):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                asset_key=spec.key,
                metadata={SYNC_COMPLETED_AT: completed_at(sim, connection_id)},
            )
        )


def test_a_completion_a_run_in_progress_owns_is_left_to_that_run(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    baseline = tick(sensor, instance, workspace, None).cursor
    run_in_progress(instance, SALESFORCE)
    sim.advance(600)
    sim.complete_external_sync(SALESFORCE)  # the sync the run triggered
    sim.complete_external_sync(HUBSPOT)  # and one nobody in Dagster owns
    during = tick(sensor, instance, workspace, baseline)
    assert {key.path[0] for key in events_by_key(during)} == {"hubspot"}  # at once
    cursor = json.loads(during.cursor or "")
    assert cursor[SALESFORCE] == json.loads(baseline or "")[SALESFORCE]  # decided later
    record_as_the_run_does(instance, sim, SALESFORCE)
    after = tick(sensor, instance, workspace, during.cursor)
    assert after.asset_events == []
    assert json.loads(after.cursor or "")[SALESFORCE] == completed_at(sim, SALESFORCE)


def test_a_run_that_dies_before_recording_has_its_sync_reported_once(
    sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    baseline = tick(sensor, instance, workspace, None).cursor
    run = run_in_progress(instance, SALESFORCE)
    sim.advance(600)
    sim.complete_external_sync(SALESFORCE)
    during = tick(sensor, instance, workspace, baseline)
    assert during.asset_events == []
    # The sensor restarts (a new definition, the stored cursor) while the run still holds it.
    restarted = make_sensor(sim)
    still = tick(restarted, instance, workspace, during.cursor)
    assert still.asset_events == [] and still.cursor == during.cursor
    instance.report_run_failed(run)  # a killed worker: the run ends without its events
    reported = tick(restarted, instance, workspace, still.cursor)
    assert len(reported.asset_events) == len(specs_for(sim, SALESFORCE))
    assert tick(restarted, instance, workspace, reported.cursor).asset_events == []


def test_a_reschedule_is_logged_once_while_it_lasts(
    sim: FivetranSimulator, instance: dg.DagsterInstance, capfd: pytest.CaptureFixture[str]
) -> None:
    sensor, workspace = make_sensor(sim), make_workspace(sim)
    cursor = tick(sensor, instance, workspace, None).cursor
    conn = sim.workspace.connections[HUBSPOT]
    conn.rescheduled_for = sim.clock.now() + timedelta(hours=1)  # the state follows from it
    capfd.readouterr()
    for _ in range(3):
        cursor = tick(sensor, instance, workspace, cursor).cursor
    logged = [line for line in capfd.readouterr().err.splitlines() if "rescheduled until" in line]
    assert len(logged) == 1, logged
    conn.rescheduled_for = sim.clock.now() + timedelta(hours=2)  # a new reschedule: logged again
    cursor = tick(sensor, instance, workspace, cursor).cursor
    conn.rescheduled_for = None
    cursor = tick(sensor, instance, workspace, cursor).cursor
    logged = [line for line in capfd.readouterr().err.splitlines() if "rescheduled until" in line]
    assert len(logged) == 1, logged
    assert not any(key.startswith("rescheduled:") for key in json.loads(cursor or ""))


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
