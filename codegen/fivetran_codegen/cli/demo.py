"""`fivetran-codegen demo`: the whole job on the bundled sample workspace."""

from __future__ import annotations

from pathlib import Path

import click

from fivetran_codegen.cli.exit_codes import reported_errors


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("fivetran_demo"),
    show_default=True,
    help="Where the demo writes its files.",
)
def demo(directory: Path) -> None:
    """Run the whole job on the bundled sample workspace, with no account and no network.

    Starts the simulator, takes a snapshot through the REST API, generates the Dagster package,
    loads its Definitions, materializes one connection (a real sync against the simulator) and
    ticks the polling sensor over a sync Fivetran ran on its own.
    """
    from fivetran_codegen.demo import tour  # loaded when the demo runs, not for every command

    with reported_errors():
        tour.run(directory, lambda line: click.echo(line, err=True))
