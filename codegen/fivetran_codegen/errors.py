"""Errors of the generator side; all belong to the runtime's one family."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from fivetran_codegen_runtime.rest.errors import FivetranCodegenError


class SnapshotFileError(FivetranCodegenError):
    """The snapshot file is missing, not JSON, or does not follow the snapshot schema."""


class SnapshotNotCommittedError(SnapshotFileError):
    """The snapshot file exists, but not at the git revision asked for (a first snapshot)."""


class UsageError(FivetranCodegenError):
    """An option or argument is wrong (bad glob, bad budget...)."""


class ConfigError(FivetranCodegenError):
    """`[tool.fivetran-codegen]` has an unknown key or a bad value."""


class GenerateError(FivetranCodegenError):
    """The snapshot and config cannot be turned into code (e.g. two tables share an asset key)."""


class UserCodeError(FivetranCodegenError):
    """Regenerating would lose code a user wrote; refused unless --force."""


def did_you_mean(
    word: str,
    choices: Iterable[str],
    *,
    otherwise: str | None = None,
    shown: Callable[[str], str] = repr,
) -> str | None:
    """A hint naming the closest of `choices` ("did you mean 'output'?"), else `otherwise`."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {shown(close[0])}?" if close else otherwise
