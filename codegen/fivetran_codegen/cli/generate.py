"""`fivetran-codegen generate`: the Dagster package from the snapshot, written or checked."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fivetran_codegen import config, pipeline
from fivetran_codegen.cli.exit_codes import OUT_OF_DATE, reported_errors
from fivetran_codegen.cli.options import config_option, one_workspace, profile_option
from fivetran_codegen.diff import change_summary
from fivetran_codegen.plan import cross_profile


@click.command()
@click.option(
    "--snapshot",
    "snapshot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The snapshot to read [default: [tool.fivetran-codegen].snapshot, else fivetran_snapshot.json].",
)
@click.option(
    "--out",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The package directory to generate [default: [tool.fivetran-codegen].output, else fivetran_defs].",
)
@config_option()
@profile_option(
    "Generate only this workspace profile ([tool.fivetran-codegen.profiles.NAME]) [default: all]."
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and print a diff if the package is not what generate would write.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite hand edits and delete customised functions of removed connections.",
)
@click.option(
    "--no-cache", is_flag=True, help="Render every module, even those whose inputs did not change."
)
def generate(
    snapshot_path: Path | None,
    output: Path | None,
    config_path: Path | None,
    profile: str | None,
    check: bool,
    force: bool,
    no_cache: bool,
) -> None:
    """Generate the Dagster package from the snapshot (offline: no API call, no credentials).

    Exit codes: 0 done (with --check: up to date); 1 with --check: out of date; 2 an error.
    """
    with reported_errors():
        loaded = config.load_workspaces(config_path, cwd=Path.cwd(), profile=profile)
        chosen = loaded.chosen
        if snapshot_path is not None or output is not None:
            one_workspace(chosen, "--snapshot/--out name one workspace's files")
        chosen = [config.with_paths(c, snapshot=snapshot_path, output=output) for c in chosen]
        orphaned = cross_profile.orphaned_base_package(loaded) if profile is None else None
        if orphaned:
            click.echo(f"warning: {orphaned}", err=True)
        results = pipeline.run_all(chosen, check=check, force=force, use_cache=not no_cache)
        for settings, result in zip(chosen, results, strict=True):
            if len(chosen) > 1:
                click.echo(f"Profile {settings.profile}:", err=True)
            _report(settings, result, check=check)
    if check and any(result.differences for result in results):
        sys.exit(OUT_OF_DATE)


def _report(settings: config.Config, result: pipeline.Result, *, check: bool) -> None:
    plan = result.plan
    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)
    for skipped in plan.skipped:
        click.echo(f"skipped {skipped.name!r} ({skipped.id}): {skipped.reason}", err=True)
    where = settings.output
    if check:
        for difference in result.differences:
            click.echo(difference.diff, nl=False)
        if result.differences:
            kinds = ", ".join(f"{d.kind} {where.name}/{d.path}" for d in result.differences)
            click.echo(f"{where} is out of date: {kinds}\n  hint: {_check_hint(result)}", err=True)
        else:
            click.echo(f"{where} is up to date ({len(plan.connections)} connections).", err=True)
        return
    if result.changed:
        changes = change_summary.summarize(result.output, result.snapshot, settings, result.plan)
        if changes.fivetran:
            profile = f" --profile {settings.profile}" if settings.profile else ""
            click.echo(
                f"Fivetran changes since {change_summary.BASE_REVISION}: {changes.fivetran} "
                f"(`fivetran-codegen diff{profile}` lists them).",
                err=True,
            )
        if changes.code:
            click.echo(f"Generated code: {changes.code}.", err=True)
    click.echo(
        f"Generated {where}: {len(plan.connections)} connections, {plan.spec_count()} assets; "
        f"{len(result.changed)} files written, "
        f"{sum(1 for p in result.output.files if p not in result.changed)} unchanged"
        + (f", {len(result.output.removed)} removed" if result.output.removed else "")
        + ".",
        err=True,
    )


def _check_hint(result: pipeline.Result) -> str:
    """What to run: `generate`, unless it would refuse (hand edits outside function bodies)."""
    problems = result.output.problems
    if not problems:
        return "run `fivetran-codegen generate`"
    edited = ", ".join(f"{result.plan.package}/{p.path}" for p in problems)
    return (
        f"{edited} was edited by hand outside the asset function bodies, so `generate` would "
        "refuse: move that code into a function body or a module of your own and run "
        "`fivetran-codegen generate`, or discard the edits with `fivetran-codegen generate --force`"
    )
