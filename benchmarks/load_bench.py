"""Load benchmark: the generated code location vs hand-written code vs dagster-fivetran 0.29.27.

Each run is a fresh process (limited to two CPUs with taskset) that loads one subject's
`Definitions` and resolves its asset graph (`defs.resolve_asset_graph()`, i.e.
`defs.get_repository_def().asset_graph`); wall time and peak RSS of the whole process, median
of K runs, subjects interleaved. On the same simulated workspace, in the same run:

  ours          the package `fivetran-codegen generate` writes (import it, `.defs`)
  ours_no_checks  the same, generated with `schema_checks = false`: what the checks cost
  handwritten   the same AssetSpecs and schema checks in one dg.multi_asset(specs=...,
                check_specs=..., can_subset=True) per connection, one module per connection,
                written by _handwritten.py
  plainlist     the same specs in a plain list, dg.Definitions(assets=specs): the floor
  df_build      dagster-fivetran: build_fivetran_assets_definitions(workspace=FivetranWorkspace(
                ..., snapshot_path=its snapshot)) (its own virtualenv)
  df_specs      dagster-fivetran: load_fivetran_asset_specs(...) from the same snapshot file

Package subjects run warm (bytecode written by a priming run) and cold (`__pycache__` deleted,
PYTHONDONTWRITEBYTECODE=1; the child checks that none of the package's modules had bytecode).
dagster's own bytecode stays warm in both. dagster-fivetran's build is quadratic in connections,
so it runs at a smaller size (default 100 x 100 = 10,000 tables) where the others run too; the
others also run at the full size (default 1,000 x 100 = 100,000 tables). The snapshots are taken
from the simulator by each tool's own CLI (`dagster-fivetran snapshot` with legacy API paths).
A fingerprint run per subject checks they all build the same assets (keys, groups, kinds; and
the same metadata for ours/handwritten/plainlist). Results: benchmarks/results/load.json.

    .venv/bin/python benchmarks/load_bench.py [--connections N --tables M]
        [--anchor-connections n --anchor-tables m] [--repeat K] [--no-anchor]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _handwritten import write_packages
from _harness import (
    ANCHOR_VENV,
    CLI,
    HERE,
    WORK,
    Measured,
    anchor_python,
    checked,
    cpu_pin,
    measure,
    median,
    pinning_note,
    print_table,
    summary,
    take_snapshot,
    write_results,
)
from fivetran_codegen_runtime.testing import FivetranSimulator, synthetic_workspace

CHILD = HERE / "_load_subject.py"
PACKAGES = {
    "ours": "fivetran_defs",
    "ours_no_checks": "fivetran_defs",  # generated with schema_checks = false
    "handwritten": "handwritten_defs",
    "plainlist": "plainlist_defs",
}
# What must be equal between subjects: everything for ours' peers; dagster-fivetran's metadata
# differs by design (no primary-key constraints, its translator object, no table name where it
# misreads the database), so only keys, groups and kinds there.
SAME = {"handwritten": "full", "plainlist": "full", "df_build": "keys_groups_kinds"}
SAME["ours_no_checks"] = "full"
SAME["df_specs"] = SAME["df_build"]


@dataclass(frozen=True)
class Subject:
    name: str
    command: list[str]
    package: Path | None  # the package on disk, for the cold runs; None for dagster-fivetran


@dataclass(frozen=True)
class Sample:
    measured: Measured
    child: dict[str, Any]  # the child's JSON line


def prepare_size(
    connections: int, tables: int, args: argparse.Namespace, anchor: bool
) -> list[Subject]:
    """Snapshot, generate, write the baselines; the subjects of this size."""
    root = WORK / f"load-{connections}x{tables}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    workspace = synthetic_workspace(
        connections=connections, tables=tables, groups=args.groups, columns=args.columns
    )
    print(f"{connections} x {tables}: snapshots ...", file=sys.stderr)
    with FivetranSimulator(workspace, legacy_paths=True) as sim:
        take_snapshot(sim, root / "fivetran_snapshot.json")
        if anchor:
            anchor_snapshot(sim, root / "dagster_fivetran_snapshot.json")
    print(f"{connections} x {tables}: generate, hand-written packages ...", file=sys.stderr)
    generate = [str(CLI), "generate", "--snapshot", "fivetran_snapshot.json"]
    checked(measure([*generate, "--out", "ours/fivetran_defs"], cwd=root), "generate")
    (root / "ours_no_checks").mkdir()
    (root / "ours_no_checks" / "pyproject.toml").write_text(
        "[tool.fivetran-codegen]\nschema_checks = false\n"
    )
    no_checks = [
        str(CLI),
        "generate",
        "--snapshot",
        "../fivetran_snapshot.json",
        "--out",
        "fivetran_defs",
    ]
    checked(measure(no_checks, cwd=root / "ours_no_checks"), "generate, no schema checks")
    write_packages(root / "fivetran_snapshot.json", root / "baselines")
    subjects = [
        package_subject("ours", root / "ours"),
        package_subject("ours_no_checks", root / "ours_no_checks"),
        package_subject("handwritten", root / "baselines"),
        package_subject("plainlist", root / "baselines"),
    ]
    if anchor:
        snapshot = str(root / "dagster_fivetran_snapshot.json")
        python = str(anchor_python())
        for name, mode in (("df_build", "df-build"), ("df_specs", "df-specs")):
            subjects.append(Subject(name, [python, str(CHILD), mode, snapshot], None))
    return subjects


def package_subject(name: str, parent: Path) -> Subject:
    command = [sys.executable, str(CHILD), "package", str(parent), PACKAGES[name]]
    return Subject(name, command, parent / PACKAGES[name])


def anchor_snapshot(sim: FivetranSimulator, out: Path) -> None:
    """dagster-fivetran's own snapshot file, by its own CLI, against the simulator."""
    env = {
        "BENCH_FIVETRAN_API_URL": sim.url,
        "FIVETRAN_API_KEY": sim.api_key,
        "FIVETRAN_API_SECRET": sim.api_secret,
    }
    cli = ANCHOR_VENV / "bin" / "dagster-fivetran"
    command = [str(cli), "snapshot", "-o", str(out), "-f", str(HERE / "_anchor_defs.py")]
    checked(measure(command, env=env), "dagster-fivetran snapshot")


def run(subject: Subject, prefix: list[str], *, cold: bool, fingerprint: bool = False) -> Sample:
    env: dict[str, str | None] = {"PYTHONDONTWRITEBYTECODE": None}  # warm: write bytecode
    if cold:
        assert subject.package is not None
        for cache in subject.package.rglob("__pycache__"):
            shutil.rmtree(cache)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [*prefix, *subject.command, *(["--fingerprint"] if fingerprint else [])]
    measured = checked(measure(command, env=env), subject.name)
    child = json.loads(measured.stdout.strip().splitlines()[-1])
    check_bytecode(subject, child, cold=cold, priming=fingerprint)
    return Sample(measured, child)


def check_bytecode(subject: Subject, child: dict[str, Any], *, cold: bool, priming: bool) -> None:
    """Cold must compile every module of the package; warm must compile none."""
    if subject.package is None or priming:
        return
    expected = 0 if cold else child["modules"]
    if child["modules_with_pyc"] != expected:
        kind = "cold" if cold else "warm"
        raise SystemExit(
            f"{subject.name} {kind}: {child['modules_with_pyc']} of {child['modules']} "
            f"modules had bytecode, expected {expected}"
        )


def measure_size(subjects: list[Subject], prefix: list[str], repeat: int) -> dict[str, Any]:
    """Fingerprint (also priming bytecode), then K warm rounds, then K cold rounds."""
    prints = {s.name: run(s, prefix, cold=False, fingerprint=True).child for s in subjects}
    samples: dict[str, dict[str, list[Sample]]] = {
        s.name: {"warm": [], "cold": []} for s in subjects
    }
    for kind in ("warm", "cold"):
        for index in range(repeat):
            for subject in subjects:
                if kind == "cold" and subject.package is None:
                    continue
                sample = run(subject, prefix, cold=kind == "cold")
                samples[subject.name][kind].append(sample)
                print(
                    f"  {kind} {index + 1}/{repeat} {subject.name}: "
                    f"{sample.measured.seconds:.2f}s {sample.measured.peak_rss_mb:.0f} MB",
                    file=sys.stderr,
                )
    return {"samples": samples, "fingerprints": prints}


def same_assets(prints: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours = prints["ours"]
    checks: dict[str, Any] = {}
    for name, child in prints.items():
        if name == "ours":
            continue
        level = SAME[name]
        checks[name] = {
            "compared": level,
            "equal": child["fingerprint"][level] == ours["fingerprint"][level],
            "same_metadata": child["fingerprint"]["full"] == ours["fingerprint"]["full"],
            "assets": child["assets"],
        }
    checks["ours_assets"] = ours["assets"]
    return checks


def stats(samples: list[Sample]) -> dict[str, Any]:
    if not samples:
        return {}
    phases = ("import_dagster_s", "defs_s", "resolve_s")
    uncompiled = [s.child.get("library_modules_without_pyc", 0) for s in samples]
    return {
        **summary([s.measured for s in samples]),
        **{p: median([s.child[p] for s in samples]) for p in phases},
        "library_modules_without_pyc": max(uncompiled),
    }


def ratios(table: dict[str, dict[str, dict[str, Any]]]) -> dict[str, float]:
    """ours / peers for handwritten and plainlist; dagster-fivetran / ours for the anchors."""
    out: dict[str, float] = {}
    ours = table["ours"]
    for kind in ("warm", "cold"):
        # What the schema checks cost (the hand-written baseline declares the same checks).
        out[f"ours_over_ours_no_checks_{kind}"] = (
            ours[kind]["seconds"] / table["ours_no_checks"][kind]["seconds"]
        )
        for peer in ("handwritten", "plainlist"):
            out[f"ours_over_{peer}_{kind}"] = ours[kind]["seconds"] / table[peer][kind]["seconds"]
            out[f"ours_over_{peer}_{kind}_rss"] = (
                ours[kind]["peak_rss_mb"] / table[peer][kind]["peak_rss_mb"]
            )
        for anchor in ("df_build", "df_specs"):
            if anchor in table:
                out[f"{anchor}_warm_over_ours_{kind}"] = (
                    table[anchor]["warm"]["seconds"] / ours[kind]["seconds"]
                )
    return out


def targets(sizes: dict[str, Any]) -> dict[str, bool]:
    met: dict[str, bool] = {}
    for size, result in sizes.items():
        r = result["ratios"]
        for kind in ("warm", "cold"):
            met[f"{size}: ours <= 1.3x handwritten ({kind})"] = (
                r[f"ours_over_handwritten_{kind}"] <= 1.3
            )
        for kind in ("warm", "cold") if "df_build_warm_over_ours_warm" in r else ():
            met[f"{size}: df_build >= 10x ours {kind}"] = r[f"df_build_warm_over_ours_{kind}"] >= 10
        for kind in ("warm", "cold") if "df_specs_warm_over_ours_warm" in r else ():
            met[f"{size}: ours {kind} faster than df_specs"] = (
                r[f"df_specs_warm_over_ours_{kind}"] > 1
            )
        met[f"{size}: same assets in every subject"] = all(
            c["equal"] for n, c in result["same_assets"].items() if n != "ours_assets"
        )
    return met


def summarize_size(measured: dict[str, Any]) -> dict[str, Any]:
    table = {
        name: {kind: stats(runs) for kind, runs in by_kind.items()}
        for name, by_kind in measured["samples"].items()
    }
    return {
        "subjects": table,
        "ratios": ratios(table),
        "same_assets": same_assets(measured["fingerprints"]),
    }


def print_size(size: str, result: dict[str, Any]) -> None:
    table = result["subjects"]
    ours = table["ours"]
    rows = []
    for name, by_kind in table.items():
        for kind, s in by_kind.items():
            if not s:
                continue
            versus = s["seconds"] / ours[kind if kind in ours else "warm"]["seconds"]
            rows.append(
                [name, kind, s["seconds"], s["min_seconds"], s["max_seconds"], s["peak_rss_mb"],
                 s["defs_s"], s["resolve_s"], f"{versus:.2f}x"]
            )  # fmt: skip
    print(f"\n{size} tables")
    print_table(
        ["subject", "bytecode", "median s", "min s", "max s", "peak RSS MB", "defs s",
         "resolve s", "vs ours (same bytecode)"],
        rows,
    )  # fmt: skip
    for name, check in result["same_assets"].items():
        if name != "ours_assets":
            print(
                f"  same {check['compared']} as ours: {name}: {check['equal']} ({check['assets']} assets)"
            )


def sizes_to_run(args: argparse.Namespace) -> list[tuple[int, int, bool]]:
    full = (args.connections, args.tables)
    small = (args.anchor_connections, args.anchor_tables)
    if args.no_anchor:
        return [(*full, False)]
    return [(*small, True)] if small == full else [(*full, False), (*small, True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--tables", type=int, default=100, help="tables per connection")
    parser.add_argument("--anchor-connections", type=int, default=100)
    parser.add_argument("--anchor-tables", type=int, default=100)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--columns", type=int, default=5, help="columns per table")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-anchor", action="store_true", help="skip dagster-fivetran")
    parser.add_argument("--no-pin", action="store_true", help="do not limit children to 2 CPUs")
    args = parser.parse_args()
    prefix = [] if args.no_pin else cpu_pin(2)
    sizes: dict[str, Any] = {}
    for connections, tables, anchor in sizes_to_run(args):
        subjects = prepare_size(connections, tables, args, anchor)
        size = f"{connections}x{tables}"
        sizes[size] = summarize_size(measure_size(subjects, prefix, args.repeat))
        print_size(size, sizes[size])
    result = {
        "cpu": pinning_note(prefix),
        "repeat": args.repeat,
        "resolve": "defs.resolve_asset_graph() == defs.get_repository_def().asset_graph",
        "workspace": {"groups": args.groups, "columns": args.columns},
        "sizes": sizes,
        "met": targets(sizes),
    }
    print(f"\n{pinning_note(prefix)}, median of {args.repeat}")
    for name, ok in result["met"].items():
        print(f"{'met   ' if ok else 'MISSED'}  {name}")
    print(f"-> {write_results('load.json', result)}")


if __name__ == "__main__":
    main()
