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
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)  # one added with `main.add_command`
        command = getattr(importlib.import_module(f"fivetran_codegen.cli.{cmd_name}"), cmd_name)
        if not isinstance(command, click.Command):
            raise TypeError(f"fivetran_codegen.cli.{cmd_name}.{cmd_name} is not a click command")
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click 8.1 names no close match for an unknown command; newer clicks do, from the
        # commands added so far, which here are none.
        name = args[0] if args else ""
        known = self.list_commands(ctx)
        if name not in known and not name.startswith("-") and not ctx.resilient_parsing:
            hint = did_you_mean(name, known)  # as click words its own: "Did you mean ...?"
            ctx.fail(f"No such command {name!r}." + (f" {hint.capitalize()}" if hint else ""))
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
