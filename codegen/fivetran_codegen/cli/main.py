"""The `fivetran-codegen` group: global options, and every command registered on it.

stdout carries data (`--json`, diffs), stderr the human summary, warnings, progress and errors;
exit codes are in `exit_codes`.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from fivetran_codegen import __version__
from fivetran_codegen.errors import did_you_mean

# Each command's module is imported only when that command runs (or `--help` lists them all):
# `generate` then loads neither migrate's codemods nor the snapshot client.
COMMANDS = ("demo", "diff", "generate", "migrate", "simulate", "snapshot")


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command = getattr(importlib.import_module(f"fivetran_codegen.cli.{cmd_name}"), cmd_name)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name not in COMMANDS and not name.startswith("-") and not ctx.resilient_parsing:
            hint = did_you_mean(name, COMMANDS)
            ctx.fail(f"No such command {name!r}." + (f" ({hint})" if hint else ""))
        return super().resolve_command(ctx, args)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="fivetran-codegen")
@click.option("-v", "--verbose", count=True, help="-v: log retries; -vv: log every API call.")
def main(verbose: int) -> None:
    """Snapshot a Fivetran workspace and generate Dagster definitions from it."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
