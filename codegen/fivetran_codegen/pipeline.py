"""`generate` from end to end: config -> snapshot -> plan -> output -> write or check."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fivetran_codegen import generate, plan, sink, snapshot_file
from fivetran_codegen.config import Config


@dataclass(frozen=True)
class Result:
    plan: plan.RenderPlan
    output: generate.Output
    changed: list[str]  # written (or, with check, differing) relative paths
    differences: list[sink.Difference]


def run(
    config: Config, *, check: bool = False, force: bool = False, use_cache: bool = True
) -> Result:
    package_dir = config.output
    if not check:
        sink.check_target(package_dir)
    with _gc_paused():
        snapshot = snapshot_file.load(config.snapshot)
        render_plan = plan.build(snapshot, config, snapshot_name=_display_name(config))
        output = generate.build(render_plan, package_dir, use_cache=use_cache)
    if check:
        found = sink.differences(package_dir, output)
        return Result(render_plan, output, [d.path for d in found], found)
    if not force:
        sink.refuse_lost_code(package_dir, output)
    return Result(render_plan, output, sink.write(package_dir, output), [])


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
