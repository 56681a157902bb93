"""`fivetran-codegen diff`: what changed for Dagster between two snapshots."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from fivetran_codegen import config
from fivetran_codegen.cli.exit_codes import CHANGED, RETRY, reported_errors
from fivetran_codegen.cli.options import config_option, profile_option
from fivetran_codegen.diff import compare, report, targets
from fivetran_codegen.errors import SnapshotFileError, SnapshotNotCommittedError
from fivetran_codegen.snapshot import git_source


@click.command("diff")
@click.argument("old", required=False, default="HEAD")
@click.argument("new", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(report.FORMATS),
    default="text",
    show_default=True,
    help="markdown: for a pull-request body; json: for machines.",
)
@config_option("The pyproject.toml whose settings shape the asset keys [default: the nearest one].")
@profile_option(
    "Only this workspace profile ([tool.fivetran-codegen.profiles.NAME]) [default: every "
    "profile, or the one whose snapshot OLD or NEW names]."
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing changed, 2 when something did, 1 on error (as terraform plan).",
)
def diff(
    old: str,
    new: str | None,
    fmt: str,
    config_path: Path | None,
    profile: str | None,
    detailed_exitcode: bool,
) -> None:
    """What changed for Dagster between two snapshots (offline).

    OLD and NEW are snapshot files or git revisions (`HEAD`, `main`, `REV:path`). OLD defaults
    to HEAD, NEW to the project's snapshot file: `fivetran-codegen diff` shows what a fresh
    snapshot changes against the committed one (for every profile, when there are profiles).
    """
    with reported_errors(code=RETRY if detailed_exitcode else None):
        cwd = Path.cwd()
        loaded = config.load_workspaces(config_path, cwd=cwd, profile=profile)
        chosen = targets.choose(loaded, old, new, cwd=cwd)
        several = len(chosen) > 1
        diffs = [(w, _diff_one(w, old, new, new_profile_ok=several)) for w in chosen]
    if len(diffs) == 1:
        click.echo(report.render(diffs[0][1], fmt), nl=False)
    else:
        named = [(str(w.profile), d) for w, d in diffs]
        click.echo(report.render_several(named, fmt), nl=False)
    if detailed_exitcode and not all(d.empty for _, d in diffs):
        sys.exit(CHANGED)


def _diff_one(
    settings: config.Config, old: str, new: str | None, *, new_profile_ok: bool
) -> compare.SnapshotDiff:
    """One workspace's changes. Among several profiles, one whose snapshot is not committed at
    OLD yet (a profile added since) is new: all of it shows as added, the others as usual."""
    default = settings.snapshot
    if new is None and not default.is_file():
        raise SnapshotFileError(
            "no snapshot file to compare",
            where=str(default),
            hint="run diff in the project's directory, take a snapshot with "
            "`fivetran-codegen snapshot`, or name both: fivetran-codegen diff OLD NEW",
        )
    new_snapshot, _ = git_source.load(new or str(default), default_file=default)
    try:
        old_snapshot, _ = git_source.load(old, default_file=default)
    except SnapshotNotCommittedError:
        if not new_profile_ok:
            raise
        old_snapshot = replace(new_snapshot, groups=(), connections=())
    return compare.compare(old_snapshot, new_snapshot, settings)
