"""`generate` from end to end: config -> snapshot -> plan -> output -> write or check."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fivetran_codegen import generate, plan, sink, snapshot_file, workspaces
from fivetran_codegen.config import Config
from fivetran_codegen.model import Snapshot


@dataclass(frozen=True)
class Result:
    snapshot: Snapshot
    plan: plan.RenderPlan
    output: generate.Output
    changed: list[str]  # written (or, with check, differing) relative paths
    differences: list[sink.Difference]


def run(
    config: Config, *, check: bool = False, force: bool = False, use_cache: bool = True
) -> Result:
    return run_all([config], check=check, force=force, use_cache=use_cache)[0]


def run_all(
    configs: list[Config], *, check: bool = False, force: bool = False, use_cache: bool = True
) -> list[Result]:
    """Generate one package per config (per workspace profile); all are planned first, so
    asset keys that two workspaces would share stop the run before anything is written."""
    with _gc_paused():
        snapshots = [snapshot_file.load(config.snapshot) for config in configs]
        plans = [
            plan.build(snapshot, config, snapshot_name=_display_name(config))
            for snapshot, config in zip(snapshots, configs, strict=True)
        ]
    workspaces.check_distinct(configs, plans)
    return [
        _finish(config, snapshot, render_plan, check=check, force=force, use_cache=use_cache)
        for config, snapshot, render_plan in zip(configs, snapshots, plans, strict=True)
    ]


def _finish(
    config: Config,
    snapshot: Snapshot,
    render_plan: plan.RenderPlan,
    *,
    check: bool,
    force: bool,
    use_cache: bool,
) -> Result:
    package_dir = config.output
    if not check:
        sink.check_target(package_dir)
    with _gc_paused():
        output = generate.build(render_plan, package_dir, use_cache=use_cache)
    if check:
        found = sink.differences(package_dir, output)
        return Result(snapshot, render_plan, output, [d.path for d in found], found)
    if not force:
        sink.refuse_lost_code(package_dir, output)
    return Result(snapshot, render_plan, output, sink.write(package_dir, output), [])


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building millions of small records makes the cyclic GC rescan them again and again
    (close to half the run on a 100,000-table snapshot); they hold no cycles, so pause it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _display_name(config: Config) -> str:
    """The snapshot's path as headers show it: relative to the project, `/`-separated."""
    snapshot = Path(os.path.abspath(config.snapshot))
    root = Path(os.path.abspath(config.root))
    try:
        return snapshot.relative_to(root).as_posix()
    except ValueError:
        return snapshot.name
