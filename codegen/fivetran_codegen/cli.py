"""The `fivetran-codegen` command line.

Exit codes: 0 success; 1 a failure worth retrying (Fivetran down, network); 2 something the
user must fix (credentials, options, a bad file). stdout carries data (`--json`), stderr the
human summary, warnings, progress and errors.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from fivetran_codegen_runtime import __version__
from fivetran_codegen_runtime.client import DEFAULT_API_URL, FivetranClient
from fivetran_codegen_runtime.credentials import Credentials
from fivetran_codegen_runtime.errors import (
    CredentialsError,
    FivetranAuthError,
    FivetranCodegenError,
)
from fivetran_codegen_runtime.retry import RetryPolicy

from fivetran_codegen import atomic, snapshot_file
from fivetran_codegen.crawl import CrawlOptions, CrawlReport, crawl
from fivetran_codegen.errors import SnapshotFileError, UsageError
from fivetran_codegen.model import Selection
from fivetran_codegen.progress import reporter
from fivetran_codegen.selection import check

F = TypeVar("F", bound=Callable[..., Any])

USER_ERRORS = (CredentialsError, FivetranAuthError, UsageError, SnapshotFileError)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="fivetran-codegen")
@click.option("-v", "--verbose", count=True, help="-v: log retries; -vv: log every API call.")
def main(verbose: int) -> None:
    """Snapshot a Fivetran workspace and generate Dagster definitions from it."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


@contextmanager
def _reported_errors() -> Iterator[None]:
    try:
        yield
    except FivetranCodegenError as exc:
        _fail(exc)


def _fail(exc: FivetranCodegenError) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, USER_ERRORS) else 1)


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("fivetran_snapshot.json"),
    show_default=True,
    help="Where to write the snapshot.",
)
@click.option(
    "--api-url",
    envvar="FIVETRAN_API_URL",
    default=DEFAULT_API_URL,
    show_default=True,
    help="Fivetran API base URL (env FIVETRAN_API_URL), e.g. a simulator's.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Parallel API calls.",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Only connections whose id, name, service or group name matches (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out connections whose id, name, service or group name matches (repeatable).",
)
@click.option(
    "--columns",
    is_flag=True,
    help="Also fetch every table's full column list (one call per table; Fivetran allows 5,000 per hour).",
)
@click.option(
    "--columns-budget",
    type=click.IntRange(0),
    default=1000,
    show_default=True,
    help="At most this many column calls with --columns.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 20),
    default=6,
    show_default=True,
    help="Tries per API call on 429, 5xx, timeouts and dropped connections.",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(1),
    default=60.0,
    show_default=True,
    help="Seconds to wait for one API response.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.option(
    "--no-progress", is_flag=True, help="No progress bars (they only show on a terminal anyway)."
)
def snapshot(
    output: Path,
    api_url: str,
    concurrency: int,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    columns: bool,
    columns_budget: int,
    max_attempts: int,
    request_timeout: float,
    as_json: bool,
    no_progress: bool,
) -> None:
    """Read the workspace through the Fivetran API into a reviewable snapshot file.

    Credentials come from FIVETRAN_API_KEY and FIVETRAN_API_SECRET. The file is written
    atomically: a failed run leaves the previous snapshot as it was.
    """
    with _reported_errors():
        options = CrawlOptions(
            selection=check(Selection(include=include, exclude=exclude)),
            concurrency=concurrency,
            columns=columns,
            columns_budget=columns_budget,
        )
        credentials = Credentials.from_env()
        client = FivetranClient(
            credentials,
            api_url=api_url,
            pool_size=concurrency,
            timeout=request_timeout,
            retry=RetryPolicy(max_attempts=max_attempts),
        )
        with client:
            result = crawl(client, options, reporter(not no_progress))
        written = atomic.write_text(output, snapshot_file.dumps(result.snapshot))
        _print_summary(result, output, written, as_json)


def _print_summary(result: CrawlReport, output: Path, written: bool, as_json: bool) -> None:
    snap = result.snapshot
    summary = {
        "output": str(output),
        "written": written,
        "account_id": snap.account.id,
        "connections": len(snap.connections),
        "tables": snap.table_count(),
        "skipped": [{"id": s.id, "name": s.name, "reason": s.reason} for s in result.skipped],
        "warnings": list(result.warnings),
        "columns_fetched": result.columns_fetched,
        "api_calls": result.api_calls,
        "retries": result.retries,
        "elapsed_seconds": round(result.elapsed_seconds, 3),
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    state = "written" if written else "unchanged"
    lines = [
        f"Snapshot of account {snap.account.name or snap.account.id}: {summary['connections']} "
        f"connections, {summary['tables']} enabled tables -> {output} ({state})"
    ]
    if result.skipped:
        lines.append(f"  skipped {len(result.skipped)} connections:")
        lines += [f"    {s.id} ({s.name}): {s.reason}" for s in result.skipped]
    if result.columns_fetched:
        lines.append(f"  full column lists fetched for {result.columns_fetched} tables")
    lines.append(
        f"  {result.api_calls} API calls, {result.retries} retries, {result.elapsed_seconds:.1f}s"
    )
    click.echo("\n".join(lines), err=True)
