"""The one path from our exception family to a message and an exit code; every command takes it.

0 success; 1 a failure worth retrying (Fivetran or the network still failing after the
retries, a malformed response); 2 something the user must fix (credentials, a 401/403, options,
a bad file or config, code that would be lost). An error prints as `error: <where>: <what>` on
stderr, with its hint on the next line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from fivetran_codegen_runtime.rest.errors import (
    FivetranAPIError,
    FivetranAuthError,
    FivetranCodegenError,
)

RETRY = 1  # an error worth retrying as it is
FIX = 2  # an error the user must fix first
OUT_OF_DATE = 1  # generate --check: the package is not what generate would write
CHANGED = 2  # diff --detailed-exitcode: the snapshots differ (errors then exit 1, as terraform's)


def exit_code(error: FivetranCodegenError) -> int:
    """RETRY for the API failing after its retries (a 401/403 is the credentials), else FIX."""
    if isinstance(error, FivetranAPIError) and not isinstance(error, FivetranAuthError):
        return RETRY
    return FIX


@contextmanager
def reported_errors(*, code: int | None = None, as_json: bool = False) -> Iterator[None]:
    """Report an error of ours and exit: with `code` when the command fixes one for every error
    (diff --detailed-exitcode), else `exit_code(error)`. `as_json`: the command promised JSON on
    stdout, so the error is printed there as well, as `{"error": {...}}`. Other exceptions are
    bugs: they stay tracebacks."""
    try:
        yield
    except FivetranCodegenError as error:
        status = code if code is not None else exit_code(error)
        click.echo(f"error: {error}", err=True)
        if as_json:
            fields = {"message": error.message, "where": error.where, "hint": error.hint}
            click.echo(json.dumps({"error": {**fields, "exit_code": status}}, indent=2))
        sys.exit(status)
