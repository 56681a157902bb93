"""Generate benchmark: `fivetran-codegen generate` on a large synthetic workspace.

One snapshot of N connections x M tables (default 1,000 x 100 = 100,000 assets) is taken from
the simulator with our CLI, once. Then, each run in a fresh process limited to two CPUs (taskset),
median of K runs:

  scratch    generate into an empty directory (plan, render, write)
  one_table  regenerate after one table of one connection was renamed in the snapshot
             (alternating between the two snapshots): must rewrite one connection module;
             the project is a git repository with the base snapshot committed, so this
             includes `generate`'s summary of what changed since HEAD
  no_change  regenerate with the snapshot unchanged: must rewrite nothing
  check      `generate --check` on the up-to-date package: must exit 0
  scratch_translator
             `scratch` with a translator (the docs' seed examples together: a key prefix, one
             metadata entry, one dep): at most 1.5 times `scratch`. One more run with the
             translator timed from inside says how much of that is the translator's own code
             (its two dagster calls per table): the floor no generator can go below

Files rewritten are found by comparing each file's inode, mtime and SHA-256 before and after.
Results go to benchmarks/results/generate.json.

    .venv/bin/python benchmarks/generate_bench.py [--connections N] [--tables M] [--repeat K]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from _harness import (
    CLI,
    WORK,
    Measured,
    checked,
    cpu_pin,
    measure,
    pinning_note,
    print_table,
    summary,
    take_snapshot,
    write_results,
)
from fivetran_codegen_runtime.testing import FivetranSimulator, synthetic_workspace

TARGETS = {"scratch": 30.0, "one_table": 5.0}  # seconds, median, on two cores
TRANSLATOR_OVERHEAD = 1.5  # scratch_translator / scratch, at most
SEED_TRANSLATOR = """\
import dagster as dg
from fivetran_codegen.translator import DagsterFivetranTranslator, FivetranConnectorTableProps


class SeedTranslator(DagsterFivetranTranslator):
    def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
        default_spec = super().get_asset_spec(props)
        return default_spec.replace_attributes(
            key=default_spec.key.with_prefix("prefix"),
            deps=["my_upstream_asset_key"],
        ).merge_attributes(metadata={"custom": "metadata"})


class Timed(SeedTranslator):
    \"\"\"The same, adding up the seconds spent in it; printed when generate exits.\"\"\"

    def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
        start = time.perf_counter()
        try:
            return super().get_asset_spec(props)
        finally:
            SPENT[0] += time.perf_counter() - start


SPENT = [0.0]
atexit.register(lambda: print(f"translator seconds: {SPENT[0]:.3f}", file=sys.stderr))
"""
TRANSLATOR_IMPORTS = "import atexit\nimport sys\nimport time\n\n"
FileState = tuple[int, int, str]  # inode, mtime_ns, sha256


@dataclass(frozen=True)
class Bench:
    root: Path  # the project directory: pyproject.toml, the snapshot, the package
    base: Path  # the snapshot as taken
    changed: Path  # the same with one table renamed
    prefix: list[str]  # taskset, or nothing
    repeat: int

    @property
    def snapshot(self) -> Path:
        return self.root / "fivetran_snapshot.json"

    @property
    def package(self) -> Path:
        return self.root / "fivetran_defs"


@dataclass(frozen=True)
class Run:
    measured: Measured
    rewritten: list[str]


def package_state(package: Path) -> dict[str, FileState]:
    """Every file of the package but bytecode: inode, mtime and content hash."""
    state = {}
    for path in sorted(package.rglob("*")) if package.is_dir() else []:
        if path.is_file() and "__pycache__" not in path.parts:
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[path.relative_to(package).as_posix()] = (stat.st_ino, stat.st_mtime_ns, digest)
    return state


def rewritten(before: dict[str, FileState], after: dict[str, FileState]) -> list[str]:
    """Files created, removed, or whose inode, mtime or content changed."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def timed(bench: Bench, *extra: str) -> Run:
    before = package_state(bench.package)
    command = [*bench.prefix, str(CLI), "generate", *extra]
    measured = checked(measure(command, cwd=bench.root), " ".join(command))
    return Run(measured, rewritten(before, package_state(bench.package)))


def repeated(bench: Bench, prepare: Callable[[int], None], *extra: str) -> list[Run]:
    runs = []
    for index in range(bench.repeat):
        prepare(index)
        runs.append(timed(bench, *extra))
        print(f"  run {index + 1}: {runs[-1].measured.seconds:.2f}s", file=sys.stderr)
    return runs


def rename_one_table(base: Path, out: Path) -> str:
    """Rename one table of the middle connection; the file differs from `base` in one line."""
    document = orjson.loads(base.read_bytes())
    connection = document["connections"][len(document["connections"]) // 2]
    schema_name, schema = next(
        (n, s) for n, s in sorted(connection["schema_config"]["schemas"].items()) if s["enabled"]
    )
    table_name, table = next((n, t) for n, t in sorted(schema["tables"].items()) if t["enabled"])
    table["name_in_destination"] += "_renamed"
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    out.write_bytes(text)
    before, after = base.read_bytes().splitlines(), text.splitlines()
    differing = (
        sum(a != b for a, b in zip(before, after, strict=True)) if len(before) == len(after) else -1
    )
    if differing != 1:
        raise SystemExit(f"the edited snapshot differs in {differing} lines, not 1")
    return f"{connection['id']} ({connection['name']}): {schema_name}.{table_name} renamed"


def commit_snapshot(root: Path) -> None:
    """Commit the base snapshot, as a user's project has it: `generate` then summarises what
    changed since HEAD, and that reading of the committed file is part of what is timed."""
    (root / ".gitignore").write_text("base.json\nchanged.json\n__pycache__/\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base snapshot"]):
        subprocess.run(
            ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", *args],
            cwd=root,
            check=True,
        )


def prepare_project(args: argparse.Namespace) -> tuple[Bench, str]:
    root = WORK / f"generate-{args.connections}x{args.tables}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    settings = (
        '[tool.fivetran-codegen]\nsnapshot = "fivetran_snapshot.json"\noutput = "fivetran_defs"\n'
    )
    (root / "pyproject.toml").write_text(settings)
    (root / "translated.toml").write_text(
        settings + 'translator = "seed_translator:SeedTranslator"\n'
    )
    (root / "timed.toml").write_text(settings + 'translator = "seed_translator:Timed"\n')
    (root / "seed_translator.py").write_text(TRANSLATOR_IMPORTS + SEED_TRANSLATOR)
    workspace = synthetic_workspace(
        connections=args.connections, tables=args.tables, groups=args.groups, columns=args.columns
    )
    base = root / "base.json"
    print(f"snapshot of {args.connections} x {args.tables} tables ...", file=sys.stderr)
    with FivetranSimulator(workspace) as sim:
        take_snapshot(sim, base)
    changed = root / "changed.json"
    change = rename_one_table(base, changed)
    shutil.copyfile(base, root / "fivetran_snapshot.json")
    commit_snapshot(root)
    prefix = [] if args.no_pin else cpu_pin(2)
    return Bench(root, base, changed, prefix, args.repeat), change


def run_phases(bench: Bench) -> dict[str, list[Run]]:
    def use(index: int) -> None:  # alternate: changed, base, changed, ...
        shutil.copyfile(bench.changed if index % 2 == 0 else bench.base, bench.snapshot)

    def nothing(_: int) -> None:
        pass

    def empty(_: int) -> None:
        shutil.rmtree(bench.package, ignore_errors=True)
        shutil.copyfile(bench.base, bench.snapshot)  # the committed one: no change summary

    phases: dict[str, list[Run]] = {}
    for name, prepare, extra in (
        ("scratch", empty, ()),
        ("one_table", use, ()),
        ("no_change", nothing, ()),
        ("check", nothing, ("--check",)),
        ("scratch_translator", empty, ("--config", "translated.toml")),
    ):
        print(f"{name}:", file=sys.stderr)
        phases[name] = repeated(bench, prepare, *extra)
    empty(0)
    phases["translator_alone"] = [timed(bench, "--config", "timed.toml")]
    return phases


def verdicts(phases: dict[str, list[Run]], stats: dict[str, dict[str, Any]]) -> dict[str, bool]:
    one_table_ok = all(
        len([p for p in run.rewritten if p.startswith("connections/")]) == 1
        and not [p for p in run.rewritten if p.endswith(".py") and "/" not in p]
        for run in phases["one_table"]
    )
    return {
        "scratch_within_30s": stats["scratch"]["seconds"] <= TARGETS["scratch"],
        "one_table_within_5s": stats["one_table"]["seconds"] <= TARGETS["one_table"],
        "one_table_rewrites_one_connection_module": one_table_ok,
        "one_table_summarises_the_change_since_head": all(
            "Fivetran changes since HEAD: 1 asset key change(s)" in run.measured.stderr
            for run in phases["one_table"][::2]  # the runs on the changed snapshot
        ),
        "no_change_rewrites_nothing": all(not run.rewritten for run in phases["no_change"]),
        "check_passes_and_writes_nothing": all(not run.rewritten for run in phases["check"]),
        "translator_within_1_5x_scratch": stats["scratch_translator"]["seconds"]
        <= TRANSLATOR_OVERHEAD * stats["scratch"]["seconds"],
    }


def phase_stats(runs: list[Run]) -> dict[str, Any]:
    spent = re.search(r"translator seconds: ([0-9.]+)", runs[-1].measured.stderr)
    return {
        **({"translator_seconds": float(spent.group(1))} if spent else {}),
        **summary([run.measured for run in runs]),
        "files_rewritten": [run.rewritten for run in runs],
        "last_output": (runs[-1].measured.stdout + runs[-1].measured.stderr).strip()[-500:],
    }


def report(
    bench: Bench, args: argparse.Namespace, change: str, phases: dict[str, list[Run]]
) -> None:
    stats = {name: phase_stats(runs) for name, runs in phases.items()}
    result = {
        "workspace": {
            "connections": args.connections,
            "tables_per_connection": args.tables,
            "groups": args.groups,
            "columns": args.columns,
            "assets": args.connections * args.tables,
            "snapshot_mb": round(bench.base.stat().st_size / 2**20, 1),
        },
        "cpu": pinning_note(bench.prefix),
        "repeat": args.repeat,
        "one_table_change": change,
        "phases": stats,
        "targets_s": TARGETS,
        "met": verdicts(phases, stats),
    }
    print(
        f"\n{args.connections} x {args.tables} tables, "
        f"{pinning_note(bench.prefix)}, median of {args.repeat}; change: {change}"
    )
    print_table(
        ["phase", "median s", "min s", "max s", "peak RSS MB", "files rewritten (last run)"],
        [
            [
                name,
                s["seconds"],
                s["min_seconds"],
                s["max_seconds"],
                s["peak_rss_mb"],
                _files(s["files_rewritten"][-1]),
            ]
            for name, s in stats.items()
        ],
    )
    spent = stats["translator_alone"]["translator_seconds"]
    print(
        f"translator: {stats['scratch_translator']['seconds'] / stats['scratch']['seconds']:.2f}x "
        f"scratch; its own code {spent:.2f}s, "
        f"{spent / stats['scratch']['seconds']:.2f}x scratch by itself"
    )
    for name, ok in result["met"].items():
        print(f"{'met ' if ok else 'MISSED'}  {name}")
    print(f"-> {write_results('generate.json', result)}")


def _files(paths: list[str]) -> str:
    return f"{len(paths)}: {', '.join(paths)}" if len(paths) <= 4 else f"{len(paths)} files"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--tables", type=int, default=100, help="tables per connection")
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--columns", type=int, default=5, help="columns per table")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pin", action="store_true", help="do not limit children to 2 CPUs")
    args = parser.parse_args()
    bench, change = prepare_project(args)
    report(bench, args, change, run_phases(bench))


if __name__ == "__main__":
    main()
