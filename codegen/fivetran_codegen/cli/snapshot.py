"""`fivetran-codegen snapshot`: the workspace, through the Fivetran API, into a snapshot file."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from fivetran_codegen_runtime.rest.client import DEFAULT_API_URL, FivetranClient
from fivetran_codegen_runtime.rest.credentials import KEY_VARS, SECRET_VARS, Credentials
from fivetran_codegen_runtime.rest.errors import CredentialsError
from fivetran_codegen_runtime.rest.retry import RetryPolicy

from fivetran_codegen import config
from fivetran_codegen.cli.exit_codes import FIX, OUT_OF_DATE, reported_errors
from fivetran_codegen.cli.options import (
    config_option,
    one_workspace,
    profile_option,
    selection_options,
)
from fivetran_codegen.diff import compare, report
from fivetran_codegen.errors import SnapshotFileError
from fivetran_codegen.output import atomic
from fivetran_codegen.snapshot import codec
from fivetran_codegen.snapshot.crawl import CrawlOptions, CrawlReport, crawl
from fivetran_codegen.snapshot.model import Selection, Snapshot
from fivetran_codegen.snapshot.progress import reporter
from fivetran_codegen.snapshot.selection import check


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the snapshot [default: [tool.fivetran-codegen].snapshot, else "
    "fivetran_snapshot.json].",
)
@profile_option(
    "Only this workspace profile ([tool.fivetran-codegen.profiles.NAME]) [default: every "
    "profile, when the config defines some]."
)
@config_option()
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
@selection_options
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
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing: exit 0 when the snapshot file is what this crawl would write, 1 (with "
    "the summary `diff` prints) when it differs, 2 on error.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.option(
    "--no-progress", is_flag=True, help="No progress bars (they only show on a terminal anyway)."
)
def snapshot(
    output: Path | None,
    profile: str | None,
    config_path: Path | None,
    api_url: str,
    concurrency: int,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    columns: bool,
    columns_budget: int,
    max_attempts: int,
    request_timeout: float,
    check_only: bool,
    as_json: bool,
    no_progress: bool,
) -> None:
    """Read the workspace through the Fivetran API into a reviewable snapshot file.

    The snapshot path, include/exclude and credential variables come from
    [tool.fivetran-codegen] (FIVETRAN_API_KEY and FIVETRAN_API_SECRET by default); with
    profiles, every profile's workspace is read into its own file. Each file is written
    atomically: a failed run leaves the previous snapshot as it was. With --check nothing is
    written: the exit code says whether the file is current (for a nightly job).
    """
    # With --check, 1 says "differs": every error is 2 then, a failing API too.
    with reported_errors(code=FIX if check_only else None, as_json=as_json):
        chosen = config.load_workspaces(config_path, cwd=Path.cwd(), profile=profile).chosen
        if output is not None:
            one_workspace(chosen, "-o/--output name one workspace's files")
            chosen = [config.with_paths(chosen[0], snapshot=output, output=None)]
        # Every workspace's credentials are read before the first call: a missing variable
        # for the second profile must not surface after the first snapshot was taken.
        targets = [(settings, _credentials(settings)) for settings in chosen]
        summaries: dict[str, dict[str, Any]] = {}
        for settings, credentials in targets:
            if len(targets) > 1:
                click.echo(f"Profile {settings.profile}:", err=True)
            selection = Selection(
                include=include or settings.selection.include,
                exclude=exclude or settings.selection.exclude,
            )
            options = CrawlOptions(check(selection), concurrency, columns, columns_budget)
            client = FivetranClient(
                credentials,
                api_url=api_url,
                pool_size=concurrency,
                timeout=request_timeout,
                retry=RetryPolicy(max_attempts=max_attempts),
            )
            summaries[str(settings.profile)] = _take_snapshot(
                client,
                options,
                settings,
                check_only=check_only,
                as_json=as_json,
                progress=not no_progress,
            )
        if as_json:
            several = {"profiles": summaries} if len(summaries) > 1 else None
            document = several or next(iter(summaries.values()))
            click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    if check_only and not all(summary["current"] for summary in summaries.values()):
        sys.exit(OUT_OF_DATE)


def _credentials(settings: config.Config) -> Credentials:
    """A workspace's key and secret from its variables; the default names keep the Terraform
    provider's spellings as fallbacks."""
    default = settings.api_key_env == KEY_VARS[0] and settings.api_secret_env == SECRET_VARS[0]
    try:
        if default:
            return Credentials.from_env()
        return Credentials.from_env(
            key_vars=(settings.api_key_env,), secret_vars=(settings.api_secret_env,)
        )
    except CredentialsError as exc:
        if settings.profile is not None:
            exc.where = f"{exc.where} (profile {settings.profile!r})"
        raise


def _take_snapshot(
    client: FivetranClient,
    options: CrawlOptions,
    settings: config.Config,
    *,
    check_only: bool,
    as_json: bool,
    progress: bool,
) -> dict[str, Any]:
    """Crawl, write (or with `check_only` compare) the file, print the human summary; the machine
    one is returned."""
    output = settings.snapshot
    if not check_only:
        _check_writable(output)  # before the crawl, which can take minutes
    with client:
        result = crawl(client, options, reporter(progress))
    text = codec.dumps(result.snapshot)
    if check_only:
        current = _holds(output, text)
        summary = _print_summary(result, output, "current" if current else "differs")
        if not current:
            # stdout is the JSON document's with --json
            click.echo(_changes(output, result.snapshot, settings), nl=False, err=as_json)
        return {**summary, "current": current}
    try:
        written = atomic.write_text(output, text)
    except OSError as exc:
        raise _unwritable(output, exc) from None
    return _print_summary(result, output, "written" if written else "unchanged")


def _holds(output: Path, text: str) -> bool:
    try:
        return atomic.holds(output, text.encode("utf-8"))
    except OSError as exc:
        raise SnapshotFileError(
            f"cannot read the snapshot: {exc.strerror or exc}", where=str(output)
        ) from None


def _changes(output: Path, fresh: Snapshot, settings: config.Config) -> str:
    """What `diff` would print between the file (none yet: everything is new) and `fresh`."""
    old = codec.load(output) if output.exists() else replace(fresh, groups=(), connections=())
    return report.render(compare.compare(old, fresh, settings), "text")


def _check_writable(output: Path) -> None:
    folder = next((p for p in (output.parent, *output.parent.parents) if p.exists()), Path("."))
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        reason = "not a folder" if not folder.is_dir() else "not writable"
        raise _unwritable(output, OSError(f"{folder} is {reason}"))


def _unwritable(output: Path, exc: OSError) -> SnapshotFileError:
    return SnapshotFileError(
        f"cannot write the snapshot: {exc.strerror or exc}",
        where=str(output),
        hint="make that folder writable, or name another file with -o/--output",
    )


def _print_summary(result: CrawlReport, output: Path, state: str) -> dict[str, Any]:
    snap = result.snapshot
    summary = {
        "output": str(output),
        "written": state == "written",
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
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
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
    return summary
