"""The `fivetran-codegen migrate` command: a dry run with a diff by default, --write applies."""

from __future__ import annotations

from pathlib import Path

import click

from fivetran_codegen import config
from fivetran_codegen.cli.exit_codes import reported_errors
from fivetran_codegen.cli.options import config_option, one_workspace, profile_option
from fivetran_codegen.migrate import run
from fivetran_codegen.migrate.report import Note, location, render


@click.command("migrate")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option("--write", is_flag=True, help="Apply the changes (default: print them as a diff).")
@click.option(
    "--package",
    "package_name",
    metavar="NAME",
    help="Import name of the generated package [default: the name of [tool.fivetran-codegen].output].",
)
@config_option("The pyproject.toml to read [default: the nearest one at or above PATH].")
@profile_option(
    "The workspace profile ([tool.fivetran-codegen.profiles.NAME]) whose package the code "
    "moves to; needed when the config defines several."
)
def migrate(
    path: Path,
    write: bool,
    package_name: str | None,
    config_path: Path | None,
    profile: str | None,
) -> None:
    """Rewrite code using dagster-fivetran to use the generated package and its runtime.

    PATH is a file or a directory (its *.py files that mention dagster_fivetran; virtualenvs,
    hidden directories and the generated package are skipped). Generate the package first:
    `@fivetran_assets` functions move into their connection's generated module. Prints a diff
    and what needs manual work; writes nothing unless --write.

    Exit codes: 0 done (changes or not); 2 an error, such as a file that does not parse
    (then nothing is written).
    """
    with reported_errors():
        settings = _workspace(path, config_path, profile)
        planned = run.plan(path, settings=settings, package_name=package_name)
        written = run.apply(planned) if write else []
    cwd = Path.cwd()
    if not write:
        for change in planned.changes:
            click.echo(change.diff(cwd), nl=False)
    report = render(_notes(planned), cwd=cwd)
    if report:
        click.echo(report, err=True)
    click.echo(_summary(planned, written, write=write, cwd=cwd), err=True)


def _workspace(path: Path, config_path: Path | None, profile: str | None) -> config.Config:
    """The one workspace whose package the code moves to: its output and resource key."""
    cwd = run.project_dir(path)
    chosen = config.load_workspaces(config_path, cwd=cwd, profile=profile).chosen
    one_workspace(
        chosen,
        "migrate moves code into one workspace's package",
        hint="add --profile NAME: migrate the code of one workspace at a time",
    )
    return chosen[0]


def _notes(planned: run.Plan) -> list[Note]:
    notes = list(planned.notes)
    package = planned.package
    if package.directory is None and (planned.changes or notes):
        notes.append(
            Note(
                None,
                0,
                0,
                f"the generated package {package.name} was not found: the rewritten code imports "
                "it; run `fivetran-codegen snapshot` and `fivetran-codegen generate` (or pass "
                "--package)",
                manual=True,
            )
        )
    return notes


def _summary(planned: run.Plan, written: list[Path], *, write: bool, cwd: Path) -> str:
    manual = sum(1 for n in _notes(planned) if n.manual)
    todo = f"; {manual} item(s) need manual work" if manual else ""
    if write:
        names = "".join(f"\n  {location(p, cwd)}" for p in written)
        return f"migrate: {len(written)} file(s) written{todo}.{names}"
    if not planned.changes:
        return f"migrate: nothing to change in {planned.files_read} file(s){todo}."
    return (
        f"migrate: {len(planned.changes)} file(s) would change{todo}; "
        "run again with --write to apply."
    )
