"""The polling sensor and a queued run in a real `dagster-daemon`, on an instance in sqlite files.

The processes share only the instance, as in production: the daemon ticks the sensor and
dequeues runs, a run worker process syncs, this test process reads the instance. The simulator
runs here, over HTTP, on real time (a sync takes 1 s; the run polls every 10 s, so the sensor
sees the sync's completion long before the run records it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
from fivetran_codegen_runtime.testing import FivetranSimulator, sample_workspace

from tests.conftest import run_cli
from tests.output.test_generate import SAMPLE_SNAPSHOT

BIN = Path(sys.executable).parent
SALESFORCE = "speak_inexpensive"
HUBSPOT = "macaroni_unwieldy"
SETTINGS = """\
[tool.fivetran-codegen]
polling_sensor = { enabled = true, minimum_interval_seconds = 1, default_status = "running" }

[[tool.fivetran-codegen.jobs]]
name = "salesforce_job"
connections = ["salesforce"]
"""
DEADLINE_SECONDS = 120


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE_SNAPSHOT, tmp_path / "fivetran_snapshot.json")
    (tmp_path / "pyproject.toml").write_text(SETTINGS)
    assert run_cli("generate", cwd=tmp_path).code == 0
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    # Create and migrate the sqlite storages once, before any process starts: the daemon, its
    # code server and the launcher opening a fresh DAGSTER_HOME together race to create them
    # (alembic: "Version table 'alembic_version' has more than one head present").
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
        instance.get_latest_materialization_events([dg.AssetKey("warm_up")])
        instance.all_instigator_state()
    return tmp_path


@pytest.fixture
def sim() -> Iterator[FivetranSimulator]:
    with FivetranSimulator(sample_workspace(), sync_duration=1) as simulator:
        yield simulator


def environment(project: Path, sim: FivetranSimulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIVETRAN_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(project / "home"),
        FIVETRAN_API_KEY=sim.api_key,
        FIVETRAN_API_SECRET=sim.api_secret,
        FIVETRAN_API_URL=sim.url,
        PYTHONPATH=str(project),
    )
    return env


@pytest.fixture
def daemon(project: Path, sim: FivetranSimulator) -> Iterator[subprocess.Popen[bytes]]:
    """`dagster-daemon run` on the generated package, stopped (its whole group) afterwards,
    whatever the test did."""
    log = (project / "daemon.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "fivetran_defs"],
        cwd=project,
        env=environment(project, sim),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        with_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with_group(process, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def with_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def wait_for(what: str, condition: Callable[[], bool], project: Path) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            log = (project / "daemon.log").read_text(errors="replace")[-4000:]
            raise AssertionError(f"timed out waiting for {what}; the daemon's log ends:\n{log}")
        time.sleep(0.25)


def ticks_after(sim: FivetranSimulator, count: int) -> Callable[[], bool]:
    """True once `count` more sensor ticks have listed the connections (each tick lists once)."""
    start = sim.count("GET", "/v1/connections")
    return lambda: sim.count("GET", "/v1/connections") >= start + count


def materializations(instance: dg.DagsterInstance, key: dg.AssetKey) -> int:
    return len(instance.fetch_materializations(key, limit=100).records)


@pytest.mark.e2e
@pytest.mark.daemon
def test_the_daemon_records_each_sync_exactly_once(
    project: Path, sim: FivetranSimulator, daemon: subprocess.Popen[bytes]
) -> None:
    instance = dg.DagsterInstance.from_config(str(project / "home"))
    hubspot = [dg.AssetKey(["hubspot", t]) for t in ("company", "contact", "deal")]
    salesforce = [dg.AssetKey(["salesforce", t]) for t in ("account", "contact", "opportunity")]

    # The first tick records the baseline; the second starts after it stored its cursor.
    wait_for("two sensor ticks", ticks_after(sim, 2), project)

    # A sync Fivetran ran on its own: recorded within two ticks, and only once.
    sim.complete_external_sync(HUBSPOT)
    within_two_ticks = ticks_after(sim, 3)  # the tick under way may have listed already
    wait_for(
        "the external sync's events", lambda: materializations(instance, hubspot[0]) > 0, project
    )
    assert not within_two_ticks(), "reported later than two ticks after the sync"
    wait_for("two more ticks", ticks_after(sim, 2), project)
    assert [materializations(instance, key) for key in hubspot] == [1, 1, 1]

    # A run launched through the daemon's run queue: it syncs; the sensor duplicates nothing,
    # though it sees the sync complete some 9 s before the run records it.
    launch = subprocess.run(
        [str(BIN / "dagster"), "job", "launch", "-m", "fivetran_defs", "-j", "salesforce_job"],
        cwd=project,
        env=environment(project, sim),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert launch.returncode == 0, launch.stderr
    (run,) = instance.get_runs()

    def finished() -> bool:
        record = instance.get_run_by_id(run.run_id)
        return record is not None and record.is_finished

    wait_for("the queued run to finish", finished, project)
    final = instance.get_run_by_id(run.run_id)
    assert final is not None and final.status == dg.DagsterRunStatus.SUCCESS
    assert sim.count("POST", f"/v1/connections/{SALESFORCE}/sync") == 1
    wait_for("two ticks after the run", ticks_after(sim, 2), project)
    assert [materializations(instance, key) for key in salesforce] == [1, 1, 1]
    assert [materializations(instance, key) for key in hubspot] == [1, 1, 1]
    assert daemon.poll() is None, "the daemon exited"
