"""Options several commands share, each declared once (flag, type, destination), and the rule
that an option naming one workspace's file or folder needs --profile when there are profiles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fivetran_codegen import config
from fivetran_codegen.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

NEAREST_CONFIG = (
    "The pyproject.toml to read [default: the nearest one at or above the working directory]."
)


def config_option(help_text: str = NEAREST_CONFIG) -> Callable[[F], F]:
    """--config PATH, passed as `config_path`."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


def profile_option(help_text: str) -> Callable[[F], F]:
    """--profile NAME: one workspace of [tool.fivetran-codegen.profiles]."""
    return click.option("--profile", help=help_text)


def selection_options(fn: F) -> F:
    """--include/--exclude GLOB (repeatable), passed as `include` and `exclude` tuples."""
    fn = click.option(
        "--exclude",
        multiple=True,
        metavar="GLOB",
        help="Leave out connections whose id, name, service or group name matches (repeatable).",
    )(fn)
    return click.option(
        "--include",
        multiple=True,
        metavar="GLOB",
        help="Only connections whose id, name, service or group name matches (repeatable).",
    )(fn)


def one_workspace(
    chosen: list[config.Config],
    needs_one: str,
    *,
    hint: str = "add --profile NAME, or set the paths in [tool.fivetran-codegen.profiles.NAME]",
) -> None:
    """Refuse several workspaces (profiles without --profile) where `needs_one` says why one."""
    if len(chosen) > 1:
        names = ", ".join(str(c.profile) for c in chosen)
        raise UsageError(
            f"{needs_one}, and the config defines profiles ({names})",
            where=chosen[0].source,
            hint=hint,
        )
