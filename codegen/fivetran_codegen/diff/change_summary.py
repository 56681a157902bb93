"""The short summary `generate` prints when it changes files.

Two lines, each only when it has something to say:

- what changed in Fivetran since the committed snapshot (`git show HEAD:<snapshot>`), in the
  words of `fivetran-codegen diff`, for the connections whose modules were rewritten;
- what the generated code gains and loses: connection modules and assets, read from the old
  and new modules themselves, so a config change (a new key prefix) shows as well.

Only rewritten connections are read on either side, so this costs little on a large package.
"""

from __future__ import annotations

from dataclasses import dataclass

from fivetran_codegen_runtime.rest.errors import FivetranCodegenError

from fivetran_codegen.config import Config
from fivetran_codegen.diff import compare, report
from fivetran_codegen.output.assemble import Output
from fivetran_codegen.plan.render_plan import RenderPlan
from fivetran_codegen.render import generated_file
from fivetran_codegen.snapshot import git_source, partial_read
from fivetran_codegen.snapshot.model import Snapshot

BASE_REVISION = "HEAD"


@dataclass(frozen=True)
class Summary:
    fivetran: str | None  # the `diff` summary against the committed snapshot
    code: str | None  # modules and assets added and removed


def summarize(output: Output, snapshot: Snapshot, config: Config, plan: RenderPlan) -> Summary:
    old = {p for p in output.on_disk if generated_file.is_connection_module(p)}
    new = {p for p in output.files if generated_file.is_connection_module(p)}
    changed = sorted(p for p in old | new if output.on_disk.get(p) != output.files.get(p))
    if not changed:
        return Summary(None, None)
    ids = {output.connection_ids[p] for p in changed if p in output.connection_ids}
    code = _code_changes(output, changed, added=len(new - old), removed=len(old - new))
    return Summary(_since_committed(snapshot, config, ids, plan), code)


def _since_committed(
    snapshot: Snapshot, config: Config, ids: set[str], plan: RenderPlan
) -> str | None:
    """The diff summary for these connections; None without a committed snapshot to compare
    with (no git, not committed, unreadable) or when it shows no change for them."""
    text = git_source.committed_if_changed(config.snapshot, BASE_REVISION)
    if text is None:
        return None
    try:
        old = partial_read.loads(text, ids, source=f"{BASE_REVISION}:{config.snapshot.name}")
        diff = compare.compare(old, partial_read.of(snapshot, ids), config, new_plan=plan)
    except FivetranCodegenError:
        return None  # e.g. an older format version: `diff` says why when asked
    return None if diff.empty else report.summary(diff)


def _code_changes(output: Output, changed: list[str], *, added: int, removed: int) -> str:
    old_keys = set().union(*(generated_file.asset_keys(output.on_disk.get(p, "")) for p in changed))
    new_keys = set().union(*(generated_file.asset_keys(output.files.get(p, "")) for p in changed))
    parts = [
        (added, "connection module(s) added"),
        (removed, "connection module(s) removed"),
        (len(new_keys - old_keys), "asset(s) added"),
        (len(old_keys - new_keys), "asset(s) removed"),
    ]
    counted = ", ".join(f"{n} {what}" for n, what in parts if n)
    return counted or f"{len(changed)} connection module(s) updated, same assets"
