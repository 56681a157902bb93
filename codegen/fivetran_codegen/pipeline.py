"""`generate` from end to end: config -> snapshot -> plan -> output -> write or check."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fivetran_codegen.config import Config
from fivetran_codegen.errors import GenerateError
from fivetran_codegen.output import assemble, lock, selection_guard, write_or_check
from fivetran_codegen.plan import cross_profile, render_plan
from fivetran_codegen.snapshot import codec
from fivetran_codegen.snapshot.model import Snapshot


@dataclass(frozen=True)
class Result:
    snapshot: Snapshot
    plan: render_plan.RenderPlan
    output: assemble.Output
    changed: list[str]  # written (or, with check, differing) relative paths
    differences: list[write_or_check.Difference]


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
        snapshots = [codec.load(config.snapshot) for config in configs]
        plans = [
            render_plan.build(snapshot, config, snapshot_name=_display_name(config))
            for snapshot, config in zip(snapshots, configs, strict=True)
        ]
    cross_profile.check_distinct(configs, plans)
    return [
        _finish(config, snapshot, plan, check=check, force=force, use_cache=use_cache)
        for config, snapshot, plan in zip(configs, snapshots, plans, strict=True)
    ]


def _finish(
    config: Config,
    snapshot: Snapshot,
    plan: render_plan.RenderPlan,
    *,
    check: bool,
    force: bool,
    use_cache: bool,
) -> Result:
    package_dir = config.output
    if check:
        with _gc_paused():
            output = assemble.build(plan, package_dir, use_cache=use_cache)
        found = write_or_check.differences(package_dir, output)
        return Result(snapshot, plan, output, [d.path for d in found], found)
    write_or_check.check_target(package_dir)
    try:
        with lock.exclusive(package_dir):  # from reading what is on disk to writing it back
            with _gc_paused():
                output = assemble.build(plan, package_dir, use_cache=use_cache)
            if not force:
                selection_guard.check(plan, output, config)
                write_or_check.refuse_lost_code(package_dir, output)
            written = write_or_check.write(package_dir, output)
    except OSError as exc:  # an unwritable or missing folder: the previous package is intact
        raise GenerateError(
            f"cannot write the package: {exc.strerror or exc}",
            where=str(exc.filename or package_dir),
            hint="make that folder writable, or choose another output with --out",
        ) from None
    return Result(snapshot, plan, output, written, [])


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
