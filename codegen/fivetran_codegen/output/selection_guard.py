"""Refuse a write that include/exclude would turn into deleting most of the package.

A glob that matches nothing (a typo, a renamed connection) would otherwise delete every connection
module and report success. Removing modules because Fivetran deleted connections is fine; removing
more than half of them (or all) because of the selection needs --force.
"""

from __future__ import annotations

import json

from fivetran_codegen.config import Config
from fivetran_codegen.errors import GenerateError
from fivetran_codegen.output.assemble import Output
from fivetran_codegen.plan.render_plan import RenderPlan
from fivetran_codegen.render import generated_file

MOST = 0.5  # the share of existing connection modules a selection may not remove unforced


def check(plan: RenderPlan, output: Output, config: Config) -> None:
    existing = [p for p in output.on_disk if generated_file.is_connection_module(p)]
    deselected = {s.id for s in plan.skipped if s.by_selection}
    removed = [
        p
        for p in output.removed
        if generated_file.is_connection_module(p) and output.connection_ids.get(p) in deselected
    ]
    nothing_left = not plan.connections and bool(deselected)
    if not (nothing_left or (existing and len(removed) > MOST * len(existing))):
        return
    selection = config.selection
    globs = f"include = {json.dumps(list(selection.include))}, exclude = {json.dumps(list(selection.exclude))}"
    what = (
        "include/exclude leave no connection to generate"
        if nothing_left
        else f"include/exclude would remove {len(removed)} of the {len(existing)} connection modules"
    )
    raise GenerateError(
        f"{what} ({globs}); nothing was written",
        where=f"{config.source}: [tool.fivetran-codegen]",
        hint="the globs match connection ids, names, services and group names; fix them, or run "
        "with --force to remove those modules",
    )
