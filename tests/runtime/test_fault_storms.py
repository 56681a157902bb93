"""Seeded random fault storms from the simulator: 429 with Retry-After, 5xx, dropped connections,
truncated and malformed bodies, latency. Whatever the storm, nothing is lost or doubled:

- `snapshot` writes the clean run's bytes, or exits 1 and leaves the previous file untouched;
- `sync_and_poll` succeeds having triggered exactly one sync, or fails naming the connection,
  within its timeout;
- the sensor reports every external sync exactly once in the end, and a tick that could not list
  leaves the cursor as it was.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import dagster as dg
import pytest
from fivetran_codegen_runtime.metadata import SYNC_COMPLETED_AT
from fivetran_codegen_runtime.testing import (
    FaultRule,
    FivetranSimulator,
    ManualClock,
    sample_workspace,
)

from tests.conftest import run_cli
from tests.runtime.test_sensor import (
    WATCHED,
    completed_at,
    events_by_key,
    make_sensor,
    tick,
)
from tests.runtime_support import build_assets, make_workspace, specs_for

SEEDS = range(1, 9)
SALESFORCE = "speak_inexpensive"
HUBSPOT = "macaroni_unwieldy"


def storm(sim: FivetranSimulator, seed: int, *, paths: list[str], count: int = 3) -> list[str]:
    """`count` random faults over `paths`; returns what was injected, for the failure message."""
    rng = random.Random(seed)
    injected = []
    for _ in range(count):
        path = rng.choice(paths)
        kind = rng.choice(["429", "500", "503", "drop", "truncate", "malformed", "delay"])
        rule = {
            "429": FaultRule(status=429, retry_after=0, path=path),
            "500": FaultRule(status=500, path=path),
            "503": FaultRule(status=503, path=path),
            "drop": FaultRule(drop=True, path=path),
            "truncate": FaultRule(truncate=True, path=path),
            "malformed": FaultRule(malformed=True, path=path),
            "delay": FaultRule(delay=0.2, path=path),
        }[kind]
        rule.times = rng.randint(1, 2)
        sim.add_fault(rule)
        injected.append(f"{kind} x{rule.times} on {path}")
    return injected


# -- snapshot ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_snapshot(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    work = tmp_path_factory.mktemp("clean")
    with FivetranSimulator(sample_workspace()) as sim:
        done = run_cli("snapshot", "--no-progress", cwd=work, sim=sim)
    assert done.code == 0, done.stderr
    return (work / "fivetran_snapshot.json").read_bytes()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_snapshot_is_whole_or_not_written(
    seed: int, clean_snapshot: bytes, tmp_path: Path
) -> None:
    previous = b'{"previous": "snapshot"}\n'
    (tmp_path / "fivetran_snapshot.json").write_bytes(previous)
    with FivetranSimulator(sample_workspace()) as sim:
        injected = storm(sim, seed, paths=["/v1/connections*", "/v1/groups*", "/v1/account*"])
        done = run_cli("snapshot", "--no-progress", "--max-attempts", "4", cwd=tmp_path, sim=sim)
    written = (tmp_path / "fivetran_snapshot.json").read_bytes()
    assert done.code in (0, 1), (injected, done.stderr)
    if done.code == 0:
        assert written == clean_snapshot, injected
    else:
        assert written == previous, injected
        assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fivetran_snapshot.json"]


# -- sync_and_poll ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_a_run_triggers_one_sync_or_fails_naming_the_connection(seed: int) -> None:
    with (
        FivetranSimulator(sample_workspace(), sync_duration=0.3) as sim,
        dg.instance_for_test() as instance,
    ):
        injected = storm(sim, seed, paths=[f"/v1/connections/{SALESFORCE}*"])
        workspace = make_workspace(sim, poll_timeout_seconds=15.0)
        started = time.monotonic()
        result = dg.materialize(
            [build_assets(sim, SALESFORCE)],
            resources={"fivetran": workspace},
            instance=instance,
            raise_on_error=False,
        )
        elapsed = time.monotonic() - started
        processed = [
            r
            for r in sim.request_log
            if r.method == "POST"
            and r.path == f"/v1/connections/{SALESFORCE}/sync"
            and r.status == 200
        ]
    assert elapsed < 30, (injected, elapsed)
    if result.success:
        assert len(processed) == 1, (injected, processed)
    else:
        assert len(processed) <= 1, (injected, processed)
        (failure,) = result.get_step_failure_events()
        message = failure.event_specific_data.error.message  # type: ignore[union-attr]
        assert SALESFORCE in message or "salesforce" in message, (injected, message)


@pytest.mark.parametrize(
    "fault",
    [
        FaultRule(drop=True),
        FaultRule(truncate=True),
        FaultRule(malformed=True),
        FaultRule(status=500),
        FaultRule(status=503, times=2),
        FaultRule(status=429, retry_after=0),
    ],
    ids=["drop", "truncate", "malformed", "500", "503x2", "429"],
)
def test_a_fault_on_the_trigger_itself_never_doubles_it(fault: FaultRule) -> None:
    # The dangerous case: a trigger Fivetran may have processed, with no usable answer.
    fault.method, fault.path = "POST", f"/v1/connections/{SALESFORCE}/sync"
    with (
        FivetranSimulator(sample_workspace(), sync_duration=0.3) as sim,
        dg.instance_for_test() as instance,
    ):
        sim.add_fault(fault)
        result = dg.materialize(
            [build_assets(sim, SALESFORCE)],
            resources={"fivetran": make_workspace(sim, poll_timeout_seconds=15.0)},
            instance=instance,
            raise_on_error=False,
        )
        processed = [
            r
            for r in sim.request_log
            if r.method == "POST" and r.path.endswith("/sync") and r.status == 200
        ]
    assert len(processed) <= 1
    if result.success:
        assert len(processed) == 1
    else:
        (failure,) = result.get_step_failure_events()
        message = failure.event_specific_data.error.message  # type: ignore[union-attr]
        assert SALESFORCE in message or "salesforce" in message, message


# -- the sensor ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sensor_reports_every_external_sync_exactly_once(seed: int) -> None:
    rng = random.Random(seed)
    with (
        FivetranSimulator(sample_workspace(), clock=ManualClock(), sync_duration=10) as sim,
        dg.instance_for_test() as instance,
    ):
        sensor, workspace = make_sensor(sim), make_workspace(sim)
        cursor = tick(sensor, instance, workspace, None).cursor
        reported: list[tuple[dg.AssetKey, float]] = []
        expected: list[tuple[dg.AssetKey, float]] = []
        for round_number in range(6):
            connection_id = rng.choice(WATCHED)
            sim.advance(600)
            sim.complete_external_sync(connection_id)
            synced = completed_at(sim, connection_id)
            expected += [(spec.key, synced) for spec in specs_for(sim, connection_id)]
            injected = storm(sim, seed * 100 + round_number, paths=["/v1/connections*"], count=3)
            for _ in range(12):  # faults run out after a few requests
                try:
                    result = tick(sensor, instance, workspace, cursor)
                except dg.Failure:
                    continue  # the cursor stays as it was: nothing recorded, nothing lost
                reported += [
                    (event.asset_key, event.metadata[SYNC_COMPLETED_AT].value)
                    for event in result.asset_events
                    if isinstance(event, dg.AssetMaterialization)
                ]
                cursor = result.cursor
                break
            else:
                raise AssertionError(f"no tick got through {injected}")
        sim.clear_faults()
        for _ in range(2):
            result = tick(sensor, instance, workspace, cursor)
            assert result.asset_events == []
            cursor = result.cursor
    assert sorted(reported, key=str) == sorted(expected, key=str)
    assert len(set(reported)) == len(reported)


def test_a_tick_that_cannot_list_leaves_the_cursor_unchanged() -> None:
    with (
        FivetranSimulator(sample_workspace(), clock=ManualClock(), sync_duration=10) as sim,
        dg.instance_for_test() as instance,
    ):
        sensor, workspace = make_sensor(sim), make_workspace(sim)
        cursor = tick(sensor, instance, workspace, None).cursor
        sim.advance(600)
        sim.complete_external_sync(HUBSPOT)
        sim.add_fault(FaultRule(status=503, times=None, path="/v1/connections*"))
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"fivetran": workspace}
        )
        with pytest.raises(dg.Failure, match="nothing recorded this tick"):
            sensor(context)
        assert context.cursor == cursor
        sim.clear_faults()
        result = tick(sensor, instance, workspace, cursor)
        assert {key.path[0] for key in events_by_key(result)} == {"hubspot"}
