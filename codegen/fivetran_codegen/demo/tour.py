"""`fivetran-codegen demo`: the whole job on the bundled sample workspace, with no account.

simulator -> snapshot -> generate -> load the Definitions -> materialize one connection ->
an external sync seen by the sensor. Everything talks HTTP to the simulator on 127.0.0.1.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.rest.credentials import Credentials
from fivetran_codegen_runtime.rest.status import iso
from fivetran_codegen_runtime.testing import FivetranSimulator, sample_workspace

from fivetran_codegen import config, pipeline
from fivetran_codegen.output import atomic
from fivetran_codegen.snapshot import codec
from fivetran_codegen.snapshot.connections_table import overview
from fivetran_codegen.snapshot.crawl import CrawlOptions, crawl
from fivetran_codegen.snapshot.progress import reporter

if TYPE_CHECKING:  # dagster loads only when the demo reaches it: `snapshot` stays quick
    import dagster as dg
    from fivetran_codegen_runtime import FivetranWorkspace

Echo = Callable[[str], None]

PACKAGE = "fivetran_demo_defs"
MATERIALIZED = "salesforce"  # the connection the demo syncs (by module name)
EXTERNAL = "hubspot"  # the connection that "syncs on its own schedule" for the sensor


def run(directory: Path, echo: Echo) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with FivetranSimulator(sample_workspace(), sync_duration=1.0) as sim:
        echo(f"1. Simulated Fivetran API at {sim.url} (sample workspace; no account needed)")
        snapshot_path = directory / "fivetran_snapshot.json"
        _snapshot(sim, snapshot_path, echo)
        package_dir = directory / PACKAGE
        _generate(snapshot_path, package_dir, echo)
        package = _load(package_dir, sim, echo)
        workspace = _workspace(sim)
        _materialize(package, workspace, echo)
        _sensor(package, workspace, sim, echo)
    echo(
        f"\nNext: edit the function body at the end of {package_dir}/connections/{MATERIALIZED}.py,"
        f" then `cd {directory} && {_command('fivetran-codegen')} generate`: your edit is kept."
        f" `{_command('dagster')} dev -m {PACKAGE}` (with FIVETRAN_API_KEY/SECRET set) shows"
        " the assets."
    )


def _command(name: str) -> str:
    """How to run one of this environment's scripts from anywhere: its bare name when the
    shell finds this one, else its full path (a virtualenv that is not activated)."""
    ours = Path(sys.executable).parent / name
    found = shutil.which(name)
    if found is not None and Path(found).resolve() == ours.resolve():
        return name
    return str(ours) if ours.exists() else name


def _snapshot(sim: FivetranSimulator, path: Path, echo: Echo) -> None:
    echo(f"2. fivetran-codegen snapshot -> {path}")
    with FivetranClient(Credentials(sim.api_key, sim.api_secret), api_url=sim.url) as client:
        report = crawl(client, CrawlOptions(), reporter(False))
    atomic.write_text(path, codec.dumps(report.snapshot))
    echo(f"   {report.api_calls} API calls; the snapshot holds:")
    echo(overview(report.snapshot))


PYPROJECT = f"""\
# Written by `fivetran-codegen demo`: run `fivetran-codegen generate` here to regenerate.
[tool.fivetran-codegen]
snapshot = "fivetran_snapshot.json"
output = "{PACKAGE}"
polling_sensor = true
"""


def _generate(snapshot_path: Path, package_dir: Path, echo: Echo) -> None:
    echo(f"3. fivetran-codegen generate -> {package_dir}/")
    pyproject = package_dir.parent / "pyproject.toml"
    if not pyproject.exists():
        pyproject.write_text(PYPROJECT, encoding="utf-8")
    settings = config.load(pyproject, cwd=package_dir.parent)
    result = pipeline.run(settings)
    for skipped in result.plan.skipped:
        echo(f"   skipped {skipped.name!r}: {skipped.reason}")
    echo(
        f"   {len(result.plan.connections)} connection modules, {result.plan.spec_count()} asset "
        f"specs; {len(result.changed)} files written"
    )


def _load(package_dir: Path, sim: FivetranSimulator, echo: Echo) -> ModuleType:
    calls_before = len(sim.request_log)
    sys.path.insert(0, str(package_dir.parent.resolve()))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]  # a second demo run in one process loads the new code
    package = importlib.import_module(PACKAGE)
    # Not `defs.resolve_asset_graph()`: that is dagster 1.11+, and the demo runs on 1.10.
    graph = package.defs.get_repository_def().asset_graph
    echo(
        f"4. Loaded {PACKAGE}.defs: {len(list(graph.get_all_asset_keys()))} assets in "
        f"{len(package.ASSETS)} multi-assets, {len(sim.request_log) - calls_before} API calls"
    )
    return package


def _workspace(sim: FivetranSimulator) -> FivetranWorkspace:
    from fivetran_codegen_runtime import FivetranWorkspace

    return FivetranWorkspace(
        api_key=sim.api_key, api_secret=sim.api_secret, api_url=sim.url, poll_interval_seconds=0.25
    )


def _materialize(package: ModuleType, workspace: FivetranWorkspace, echo: Echo) -> None:
    import dagster as dg

    module = importlib.import_module(f"{PACKAGE}.connections.{MATERIALIZED}")
    assets_def = getattr(module, MATERIALIZED)
    echo(f"5. Materializing {MATERIALIZED!r}: trigger a sync, poll until it completes")
    quiet = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    result = dg.materialize(
        [assets_def], resources={"fivetran": workspace}, run_config=quiet, raise_on_error=False
    )
    if not result.success:
        raise RuntimeError(f"the demo run failed: {result.get_step_failure_events()}")
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        completed = materialization.metadata.get("dagster-fivetran/sync_completed_at")
        echo(
            f"   materialized {materialization.asset_key.to_user_string()}"
            f" (sync completed at {_iso(getattr(completed, 'value', completed))})"
        )
    for check in result.get_asset_check_evaluations():
        verdict = "passed" if check.passed else f"{check.severity.value}: {check.description}"
        echo(f"   schema check of {check.asset_key.to_user_string()}: {verdict}")


def _iso(value: object) -> str:
    """Epoch seconds as ISO-8601 UTC, as people read times (`2026-12-03T13:05:09Z`)."""
    if not isinstance(value, (int, float)):
        return str(value)
    return iso(datetime.fromtimestamp(value, tz=timezone.utc).replace(microsecond=0))


def _sensor(
    package: ModuleType, workspace: FivetranWorkspace, sim: FivetranSimulator, echo: Echo
) -> None:
    import dagster as dg

    sensor: dg.SensorDefinition = package.defs.sensors[0]
    instance = dg.DagsterInstance.ephemeral()
    echo(f"6. Sensor {sensor.name!r}: first tick records where each connection stands")
    first = _tick(sensor, instance, workspace, None)
    connection_id = importlib.import_module(f"{PACKAGE}.connections.{EXTERNAL}").CONNECTION.id
    sim.complete_external_sync(connection_id)  # just now: the next tick reports it
    echo(f"   Fivetran syncs {EXTERNAL!r} on its own schedule; next tick:")
    calls_before = len(sim.request_log)
    second = _tick(sensor, instance, workspace, first.cursor)
    for event in second.asset_events:
        echo(f"   recorded {event.asset_key.to_user_string()} (synced outside Dagster)")
    echo(f"   {len(sim.request_log) - calls_before} API call(s) for the tick")


def _tick(
    sensor: dg.SensorDefinition,
    instance: dg.DagsterInstance,
    workspace: FivetranWorkspace,
    cursor: str | None,
) -> dg.SensorResult:
    import dagster as dg

    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"fivetran": workspace}
    )
    result = sensor(context)
    assert isinstance(result, dg.SensorResult), result
    return result
