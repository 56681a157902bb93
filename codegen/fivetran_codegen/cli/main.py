"""The `fivetran-codegen` group: global options, and every command registered on it.

stdout carries data (`--json`, diffs), stderr the human summary, warnings, progress and errors;
exit codes are in `exit_codes`.
"""

from __future__ import annotations

import logging
import sys

import click

from fivetran_codegen import __version__
from fivetran_codegen.cli.demo import demo
from fivetran_codegen.cli.diff import diff
from fivetran_codegen.cli.generate import generate
from fivetran_codegen.cli.migrate import migrate
from fivetran_codegen.cli.simulate import simulate
from fivetran_codegen.cli.snapshot import snapshot


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="fivetran-codegen")
@click.option("-v", "--verbose", count=True, help="-v: log retries; -vv: log every API call.")
def main(verbose: int) -> None:
    """Snapshot a Fivetran workspace and generate Dagster definitions from it."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


for command in (snapshot, generate, diff, simulate, demo, migrate):
    main.add_command(command)
