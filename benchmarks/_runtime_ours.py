"""Child of runtime_bench.py in our virtualenv: a Dagster-triggered sync, or sensor ticks.

    python _runtime_ours.py sync   PACKAGE_DIR API_URL POLL_INTERVAL CONNECTION_ID
    python _runtime_ours.py sensor PACKAGE_DIR API_URL POLL_INTERVAL

PACKAGE_DIR is a package `fivetran-codegen generate` wrote; credentials come from
FIVETRAN_API_KEY/SECRET. Phases (see _phases.py): `loaded` after importing the package, then
`ran` after materializing the connection's generated asset, or `tick1`..`tick3`.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType

import dagster as dg
from _phases import phase
from fivetran_codegen_runtime import FivetranWorkspace

TICKS = ("tick1", "tick2", "tick3")
CONNECTOR_ID = "dagster-fivetran/connector_id"


def load(package_dir: Path) -> ModuleType:
    sys.path.insert(0, str(package_dir.parent))
    package = importlib.import_module(package_dir.name)
    package.defs.resolve_asset_graph()
    return package


def workspace(api_url: str, poll_interval: float) -> FivetranWorkspace:
    return FivetranWorkspace(
        api_key=os.environ["FIVETRAN_API_KEY"],
        api_secret=os.environ["FIVETRAN_API_SECRET"],
        api_url=api_url,
        poll_interval_seconds=poll_interval,
    )


def assets_of(package: ModuleType, connection_id: str) -> dg.AssetsDefinition:
    for assets_def in package.ASSETS:
        if any(spec.metadata.get(CONNECTOR_ID) == connection_id for spec in assets_def.specs):
            return assets_def  # type: ignore[no-any-return]
    raise SystemExit(f"no generated asset for connection {connection_id!r}")


def sync(package_dir: Path, resource: FivetranWorkspace, connection_id: str) -> None:
    started = time.perf_counter()
    assets_def = assets_of(load(package_dir), connection_id)
    # Made before the run is timed: the first instance imports Dagster's storage modules
    # (about 0.4 s), which dagster-fivetran's load happens to import already.
    instance = dg.DagsterInstance.ephemeral()
    phase("loaded", seconds=time.perf_counter() - started)
    started = time.perf_counter()
    result = dg.materialize(
        [assets_def], resources={"fivetran": resource}, instance=instance, raise_on_error=False
    )
    events = result.get_asset_materialization_events()
    keys = [event.asset_key.to_user_string() for event in events if event.asset_key]
    checks = [e.passed for e in result.get_asset_check_evaluations()]
    phase(
        "ran",
        seconds=time.perf_counter() - started,
        success=result.success,
        keys=keys,
        checks_passed=sum(checks),
        checks_failed=len(checks) - sum(checks),
    )


def sensor(package_dir: Path, resource: FivetranWorkspace) -> None:
    started = time.perf_counter()
    definition: dg.SensorDefinition = load(package_dir).defs.sensors[0]
    instance = dg.DagsterInstance.ephemeral()
    phase("loaded", seconds=time.perf_counter() - started)
    cursor: str | None = None
    for name in TICKS:
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"fivetran": resource}
        )
        started = time.perf_counter()
        result = definition(context)
        seconds = time.perf_counter() - started
        assert isinstance(result, dg.SensorResult), result
        cursor = result.cursor
        keys = [event.asset_key.to_user_string() for event in result.asset_events or []]
        covered = len(json.loads(cursor)) if cursor else 0
        phase(name, seconds=seconds, keys=keys, covered=covered)


def main() -> None:
    mode, package_dir, api_url, poll_interval, *rest = sys.argv[1:]
    resource = workspace(api_url, float(poll_interval))
    if mode == "sync":
        sync(Path(package_dir), resource, rest[0])
    else:
        sensor(Path(package_dir), resource)


if __name__ == "__main__":
    main()
