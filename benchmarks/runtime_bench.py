"""Runtime benchmark: API calls of a Dagster-triggered sync and of a polling-sensor tick.

Ours (the generated package on fivetran_codegen_runtime) against dagster-fivetran 0.29.27 (its
own virtualenv), in the same run, each subject in a fresh child process against a fresh
simulator holding the same synthetic workspace. Calls are counted from the simulator's request
log, per endpoint, and split by phase: the child stops after each phase (see _phases.py).

  sync    one connection (on Fivetran's schedule, like most) materialized through Dagster, same
          sync duration and poll interval for both (dagster-fivetran's interval is patched, it
          is not configurable). Ours: the generated asset, `FivetranWorkspace(api_url=...,
          poll_interval_seconds=...)`. Theirs: `@fivetran_assets` + `dg.materialize`; its load
          fetches the whole workspace, so calls are reported for the load and for the run.
  sensor  three ticks over N connections (default 1,000 x 3 tables): tick1 (theirs also fetches
          the workspace), then one connection syncs outside Dagster (ending just then), tick2
          must report it (steady state), tick3 must report nothing. Wall time per tick, in the
          child. Both must report the same asset keys on tick2.

Defaults: sync of 2.5 s polled every 1 s, no added latency, children on two CPUs (taskset),
medians of 3 runs. A failed check of ours exits 1; one of dagster-fivetran's is reported (with
`--latency 0.05` its sensor hits its 40 s loop budget and never reaches the last connections).
Results: benchmarks/results/runtime.json (or --results).

    .venv/bin/python benchmarks/runtime_bench.py [--connections N --tables M] [--repeat K]
        [--sync-duration S] [--poll-interval P] [--latency L] [--results FILE.json]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _harness import (
    CLI,
    HERE,
    WORK,
    anchor_python,
    checked,
    cpu_pin,
    measure,
    median,
    pinning_note,
    print_table,
    take_snapshot,
    write_results,
)
from _phases import Phase, run_phased
from fivetran_codegen_runtime.testing import (
    FivetranSimulator,
    RequestRecord,
    SimConnection,
    Workspace,
    synthetic_workspace,
)

SUBJECTS = ("ours", "dagster_fivetran")
# The sync also with our schema-drift checks off (`schema_checks = false`): they cost one call.
SYNC_SUBJECTS = ("ours", "ours_no_checks", "dagster_fivetran")
TICKS = ("tick1", "tick2", "tick3")
EXTERNAL_SYNC_ENDED_SECONDS_AGO = 0.0  # just now: both sensors must report it on the next tick
SENSOR_TARGET_RATIO = 50.0
Action = Callable[[FivetranSimulator], None]


@dataclass(frozen=True)
class Settings:
    connections: int
    tables: int
    groups: int
    sync_connections: int
    sync_tables: int
    sync_groups: int
    sync_duration: float
    poll_interval: float
    latency: float
    repeat: int
    prefix: list[str]
    results: str

    def sensor_workspace(self) -> Workspace:
        return synthetic_workspace(
            connections=self.connections, tables=self.tables, groups=self.groups, columns=3
        )

    def sync_workspace(self) -> Workspace:
        return synthetic_workspace(
            connections=self.sync_connections,
            tables=self.sync_tables,
            groups=self.sync_groups,
            columns=3,
        )


@dataclass
class PhaseCalls:
    """One phase of one child: what it reported and the requests it made."""

    data: dict[str, Any]
    records: list[RequestRecord] = field(default_factory=list)


# --- running one subject


def run_subject(
    settings: Settings,
    workspace: Workspace,
    command: list[str],
    actions: Mapping[str, Action] | None = None,
) -> dict[str, PhaseCalls]:
    """Run a phased child against a fresh simulator; each phase's data and requests.

    `actions[name]` runs on the simulator after phase `name`, before the child goes on.
    """
    phases: dict[str, PhaseCalls] = {}
    with FivetranSimulator(
        workspace, sync_duration=settings.sync_duration, legacy_paths=True
    ) as sim:
        sim.latency = settings.latency
        env = {"FIVETRAN_API_KEY": sim.api_key, "FIVETRAN_API_SECRET": sim.api_secret}
        seen = 0

        def on_phase(current: Phase) -> None:
            nonlocal seen
            log = sim.request_log
            phases[current.name] = PhaseCalls(current.data, log[seen:])
            seen = len(log)
            if actions and current.name in actions:
                actions[current.name](sim)

        run_phased([*settings.prefix, *_url_in(command, sim.url)], on_phase, env)
    return phases


def _url_in(command: list[str], url: str) -> list[str]:
    return [url if part == "{url}" else part for part in command]


def ours_command(mode: str, package: Path, settings: Settings, *extra: str) -> list[str]:
    script = str(HERE / "_runtime_ours.py")
    interval = str(settings.poll_interval)
    return [sys.executable, script, mode, str(package), "{url}", interval, *extra]


def anchor_command(mode: str, settings: Settings, *extra: str) -> list[str]:
    script = str(HERE / "_runtime_anchor.py")
    interval = str(settings.poll_interval)
    return [str(anchor_python()), script, mode, "{url}", interval, *extra]


# --- our generated package


def generate_package(workspace: Workspace, root: Path, settings: str = "") -> tuple[Path, int]:
    """Snapshot `workspace` with our CLI and generate the package; its path and the snapshot's
    API calls (made once, at development time, not by the runs measured here)."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        "[tool.fivetran-codegen]\n"
        'snapshot = "fivetran_snapshot.json"\n'
        'output = "fivetran_defs"\n'
        "polling_sensor = true\n" + settings
    )
    with FivetranSimulator(workspace) as sim:
        take_snapshot(sim, root / "fivetran_snapshot.json")
        calls = sim.count()
    checked(measure([str(CLI), "generate"], cwd=root), "fivetran-codegen generate")
    return root / "fivetran_defs", calls


# --- reading the request log


def endpoint_counts(records: Iterable[RequestRecord], workspace: Workspace) -> dict[str, int]:
    """Calls per `METHOD /path`, ids replaced by {connection_id} / {group_id}."""
    names = {cid: "{connection_id}" for cid in workspace.connections}
    names.update({gid: "{group_id}" for gid in workspace.groups})
    counts = Counter(
        f"{r.method} " + "/".join(names.get(part, part) for part in r.path.split("/"))
        for r in records
    )
    return dict(sorted(counts.items()))


def table_keys(connection: SimConnection) -> list[str]:
    """The default asset keys of a connection's enabled tables, as `schema/table`."""
    return sorted(
        f"{schema.name_in_destination}/{table.name_in_destination}"
        for schema in (connection.schema_config or {}).values()
        if schema.enabled
        for table in schema.tables.values()
        if table.enabled
    )


def statuses(records: Iterable[RequestRecord]) -> dict[str, int]:
    return dict(sorted(Counter(str(r.status) for r in records).items()))


# --- the sync benchmark


def scheduled_connection(workspace: Workspace) -> SimConnection:
    """The first connected, unpaused connection on Fivetran's schedule (`auto`)."""
    for connection in workspace.connections.values():
        syncable = connection.setup_state == "connected" and not connection.paused
        if syncable and connection.schedule_type == "auto":
            return connection
    raise SystemExit("the sync workspace has no connection on Fivetran's schedule")


def sync_runs(
    settings: Settings, package: Path, without_checks: Path
) -> dict[str, list[dict[str, PhaseCalls]]]:
    connection = scheduled_connection(settings.sync_workspace())
    commands = {
        "ours": ours_command("sync", package, settings, connection.id),
        "ours_no_checks": ours_command("sync", without_checks, settings, connection.id),
        "dagster_fivetran": anchor_command("sync", settings, connection.id),
    }
    runs: dict[str, list[dict[str, PhaseCalls]]] = {name: [] for name in SYNC_SUBJECTS}
    for index in range(settings.repeat):
        for name in SYNC_SUBJECTS:
            phases = run_subject(settings, settings.sync_workspace(), commands[name])
            runs[name].append(phases)
            calls = len(phases["loaded"].records) + len(phases["ran"].records)
            print(f"sync {index + 1}/{settings.repeat} {name}: {calls} calls", file=sys.stderr)
    return runs


def sync_summary(runs: list[dict[str, PhaseCalls]], workspace: Workspace) -> dict[str, Any]:
    load = [len(r["loaded"].records) for r in runs]
    run = [len(r["ran"].records) for r in runs]
    first = runs[0]
    return {
        "load_calls": median([float(n) for n in load]),
        "run_calls": median([float(n) for n in run]),
        "load_and_run_calls": median([float(a + b) for a, b in zip(load, run, strict=True)]),
        "run_calls_per_repeat": run,
        "load_seconds": median([r["loaded"].data["seconds"] for r in runs]),
        "run_seconds": median([r["ran"].data["seconds"] for r in runs]),
        "load_endpoints": endpoint_counts(first["loaded"].records, workspace),
        "run_endpoints": endpoint_counts(first["ran"].records, workspace),
        "statuses": statuses(first["loaded"].records + first["ran"].records),
        "all_succeeded": all(r["ran"].data["success"] for r in runs),
        "materialized": sorted(set(first["ran"].data["keys"])),
        "checks_passed": first["ran"].data.get("checks_passed"),
        "checks_failed": first["ran"].data.get("checks_failed"),
    }


# --- the sensor benchmark


def sensor_runs(settings: Settings, package: Path) -> dict[str, list[dict[str, PhaseCalls]]]:
    external = external_connection(settings.sensor_workspace())

    def sync_outside(sim: FivetranSimulator) -> None:
        ago = EXTERNAL_SYNC_ENDED_SECONDS_AGO
        sim.complete_external_sync(external.id, ended_seconds_ago=ago)

    commands = {
        "ours": ours_command("sensor", package, settings),
        "dagster_fivetran": anchor_command("sensor", settings),
    }
    runs: dict[str, list[dict[str, PhaseCalls]]] = {name: [] for name in SUBJECTS}
    for index in range(settings.repeat):
        for name in SUBJECTS:
            workspace = settings.sensor_workspace()
            phases = run_subject(settings, workspace, commands[name], {"tick1": sync_outside})
            runs[name].append(phases)
            ticks = ", ".join(f"{len(phases[t].records)}" for t in TICKS)
            print(f"sensor {index + 1}/{settings.repeat} {name}: calls {ticks}", file=sys.stderr)
    return runs


def external_connection(workspace: Workspace) -> SimConnection:
    """The connection that syncs outside Dagster: the last one, which a sensor walking the
    connections in order reaches last."""
    return list(workspace.connections.values())[-1]


def tick_summary(
    runs: list[dict[str, PhaseCalls]], tick: str, workspace: Workspace
) -> dict[str, Any]:
    first = runs[0][tick]
    return {
        "calls": median([float(len(r[tick].records)) for r in runs]),
        "calls_per_repeat": [len(r[tick].records) for r in runs],
        "seconds": median([r[tick].data["seconds"] for r in runs]),
        "min_seconds": min(r[tick].data["seconds"] for r in runs),
        "max_seconds": max(r[tick].data["seconds"] for r in runs),
        "events": len(first.data["keys"]),
        "connections_covered": first.data["covered"],
        "endpoints": endpoint_counts(first.records, workspace),
        "statuses": statuses(first.records),
    }


def sensor_summary(runs: list[dict[str, PhaseCalls]], workspace: Workspace) -> dict[str, Any]:
    summary: dict[str, Any] = {t: tick_summary(runs, t, workspace) for t in TICKS}
    summary["load_calls"] = median([float(len(r["loaded"].records)) for r in runs])
    summary["load_seconds"] = median([r["loaded"].data["seconds"] for r in runs])
    summary["tick2_keys"] = sorted(set(runs[0]["tick2"].data["keys"]))
    return summary


def sensor_checks(result: dict[str, Any], expected: list[str], connections: int) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    for name in SUBJECTS:
        subject = result[name]
        checks[f"{name}_tick2_reports_the_external_sync"] = subject["tick2_keys"] == expected
        checks[f"{name}_tick3_reports_nothing"] = subject["tick3"]["events"] == 0
        checks[f"{name}_covers_every_connection"] = all(
            subject[t]["connections_covered"] == connections for t in TICKS
        )
    return checks


# --- report


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator; None (shown as "-") when the denominator is 0."""
    return numerator / denominator if denominator else None


def shown(value: object) -> object:
    """A table cell: whole numbers without decimals, None as "-"."""
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def report_sync(result: dict[str, Any]) -> None:
    ours, off, theirs = (result[name] for name in SYNC_SUBJECTS)
    print("\nDagster-triggered sync of one connection (API calls, median)")
    rows = [
        [what, ours[key], off[key], theirs[key], ratio(theirs[key], ours[key])]
        for what, key in (
            ("load", "load_calls"),
            ("run", "run_calls"),
            ("load + run", "load_and_run_calls"),
        )
    ]
    rows.append(["run seconds", ours["run_seconds"], off["run_seconds"], theirs["run_seconds"], ""])
    headers = ["", "ours", "ours, no schema checks", "dagster-fivetran", "theirs/ours"]
    print_table(headers, [[shown(v) for v in r] for r in rows])
    print("\nCalls of the run, per endpoint")
    print_table(["subject", "endpoint", "calls"], endpoint_rows(result, "run_endpoints"))
    print("\nCalls of the load, per endpoint")
    print_table(["subject", "endpoint", "calls"], endpoint_rows(result, "load_endpoints"))


def endpoint_rows(result: dict[str, Any], key: str) -> list[list[object]]:
    return [
        [name, endpoint, count]
        for name in SYNC_SUBJECTS
        for endpoint, count in result[name][key].items()
    ] or [["-", "-", 0]]


def report_sensor(result: dict[str, Any]) -> None:
    ours, theirs = result["ours"], result["dagster_fivetran"]
    print(f"\nPolling sensor over {result['connections']} connections (median per tick)")
    rows = []
    for tick in TICKS:
        a, b = ours[tick], theirs[tick]
        rows.append(
            [
                tick,
                a["calls"],
                b["calls"],
                ratio(b["calls"], a["calls"]),
                a["seconds"],
                b["seconds"],
                ratio(b["seconds"], a["seconds"]),
                f"{a['events']} / {b['events']}",
            ]
        )
    headers = ["tick", "calls ours", "calls theirs", "ratio", "s ours", "s theirs", "ratio"]
    print_table([*headers, "events ours / theirs"], [[shown(v) for v in r] for r in rows])
    print("\nSensor calls per endpoint")
    print_table(["subject", "tick", "endpoint", "calls"], sensor_endpoint_rows(result))


def sensor_endpoint_rows(result: dict[str, Any]) -> list[list[object]]:
    return [
        [name, tick, endpoint, count]
        for name in SUBJECTS
        for tick in TICKS
        for endpoint, count in result[name][tick]["endpoints"].items()
    ]


# --- main


def parse_settings() -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000, help="sensor workspace")
    parser.add_argument("--tables", type=int, default=3, help="tables per sensor connection")
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--sync-connections", type=int, default=10)
    parser.add_argument("--sync-tables", type=int, default=5)
    parser.add_argument("--sync-groups", type=int, default=2)
    parser.add_argument("--sync-duration", type=float, default=2.5, help="seconds")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds, both")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pin", action="store_true", help="do not limit children to 2 CPUs")
    parser.add_argument("--results", default="runtime.json", help="file in benchmarks/results")
    args = parser.parse_args()
    return Settings(
        connections=args.connections,
        tables=args.tables,
        groups=args.groups,
        sync_connections=args.sync_connections,
        sync_tables=args.sync_tables,
        sync_groups=args.sync_groups,
        sync_duration=args.sync_duration,
        poll_interval=args.poll_interval,
        latency=args.latency,
        repeat=args.repeat,
        prefix=[] if args.no_pin else cpu_pin(2),
        results=args.results,
    )


def sync_result(settings: Settings) -> dict[str, Any]:
    workspace = settings.sync_workspace()
    name = f"runtime-sync-{settings.sync_connections}x{settings.sync_tables}"
    package, snapshot_calls = generate_package(workspace, WORK / name)
    without_checks, _ = generate_package(
        workspace, WORK / f"{name}-no-checks", "schema_checks = false\n"
    )
    runs = sync_runs(settings, package, without_checks)
    result: dict[str, Any] = {name: sync_summary(runs[name], workspace) for name in SYNC_SUBJECTS}
    connection = scheduled_connection(workspace)
    result["connection"] = {"id": connection.id, "schedule_type": connection.schedule_type}
    result["our_snapshot_calls_once"] = snapshot_calls
    expected = table_keys(connection)
    result["checks"] = {
        f"{name}_succeeded_with_every_table": result[name]["all_succeeded"]
        and result[name]["materialized"] == expected
        for name in SYNC_SUBJECTS
    }
    # An unchanged workspace: every table's schema check ran and passed; none without checks.
    result["checks"]["ours_schema_checks_passed_on_every_table"] = (
        result["ours"]["checks_passed"] == len(expected)
        and result["ours_no_checks"]["checks_passed"] == 0
    )
    ours, theirs = result["ours"], result["dagster_fivetran"]
    result["ratios"] = {
        "run_calls_theirs_over_ours": ratio(theirs["run_calls"], ours["run_calls"]),
        "run_calls_theirs_over_ours_without_checks": ratio(
            theirs["run_calls"], result["ours_no_checks"]["run_calls"]
        ),
        "load_and_run_calls_theirs_over_ours": ratio(
            theirs["load_and_run_calls"], ours["load_and_run_calls"]
        ),
    }
    return result


def sensor_result(settings: Settings) -> dict[str, Any]:
    workspace = settings.sensor_workspace()
    name = f"runtime-sensor-{settings.connections}x{settings.tables}"
    package, _ = generate_package(workspace, WORK / name)
    runs = sensor_runs(settings, package)
    result: dict[str, Any] = {name: sensor_summary(runs[name], workspace) for name in SUBJECTS}
    result["connections"] = settings.connections
    result["external_sync"] = external_connection(workspace).id
    expected = table_keys(external_connection(workspace))
    result["checks"] = sensor_checks(result, expected, settings.connections)
    ours, theirs = result["ours"], result["dagster_fivetran"]
    result["ratios"] = {
        f"{tick}_{what}_theirs_over_ours": ratio(theirs[tick][what], ours[tick][what])
        for tick in TICKS
        for what in ("calls", "seconds")
    }
    return result


def targets_of(sync: dict[str, Any], sensor: dict[str, Any]) -> dict[str, bool]:
    steady = sensor["ratios"]["tick2_calls_theirs_over_ours"] or 0.0
    return {
        "sync_run_calls_ours_at_most_theirs": sync["ours"]["run_calls"]
        <= sync["dagster_fivetran"]["run_calls"],
        "sensor_steady_tick_calls_at_least_50x_fewer": steady >= SENSOR_TARGET_RATIO,
    }


def described(settings: Settings) -> dict[str, Any]:
    return {
        "sync_workspace": f"{settings.sync_connections} connections x {settings.sync_tables}"
        f" tables, {settings.sync_groups} groups",
        "sensor_workspace": f"{settings.connections} connections x {settings.tables}"
        f" tables, {settings.groups} groups",
        "sync_duration_s": settings.sync_duration,
        "poll_interval_s": settings.poll_interval,
        "latency_s": settings.latency,
        "repeat": settings.repeat,
        "cpus": pinning_note(settings.prefix),
    }


def main() -> None:
    settings = parse_settings()
    anchor_python()  # create the dagster-fivetran virtualenv before timing anything
    sync = sync_result(settings)
    sensor = sensor_result(settings)
    targets = targets_of(sync, sensor)
    result = {"settings": described(settings), "sync": sync, "sensor": sensor, "targets": targets}
    path = write_results(settings.results, result)
    report_sync(sync)
    report_sensor(sensor)
    print(f"\ntargets: {targets}\nresults: {path}")
    checks = {**sync["checks"], **sensor["checks"]}
    failed = sorted(name for name, passed in checks.items() if not passed)
    print(f"checks failed: {', '.join(failed)}" if failed else "checks: all passed")
    if any(name.startswith("ours_") for name in failed):
        raise SystemExit("our runtime did not do what the benchmark expects (see checks)")


if __name__ == "__main__":
    main()
