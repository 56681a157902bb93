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
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from fivetran_codegen_runtime.rest.client import DEFAULT_API_URL, FivetranClient
from fivetran_codegen_runtime.rest.credentials import KEY_VARS, SECRET_VARS, Credentials
from fivetran_codegen_runtime.rest.errors import (
    CredentialsError,
    FivetranAuthError,
    FivetranCodegenError,
)
from fivetran_codegen_runtime.rest.retry import RetryPolicy
from fivetran_codegen_runtime.testing import (
    WORKSPACE_BUILDERS,
    FivetranSimulator,
    serve,
)

from fivetran_codegen import __version__, config, pipeline
from fivetran_codegen.diff import change_summary, compare, report, targets
from fivetran_codegen.errors import (
    ConfigError,
    GenerateError,
    SnapshotFileError,
    SnapshotNotCommittedError,
    UsageError,
    UserCodeError,
)
from fivetran_codegen.migrate.command import migrate
from fivetran_codegen.output import atomic
from fivetran_codegen.plan import cross_profile
from fivetran_codegen.snapshot import codec, git_source
from fivetran_codegen.snapshot.crawl import CrawlOptions, CrawlReport, crawl
from fivetran_codegen.snapshot.model import Selection
from fivetran_codegen.snapshot.progress import reporter
from fivetran_codegen.snapshot.selection import check

F = TypeVar("F", bound=Callable[..., Any])

USER_ERRORS = (
    CredentialsError,
    FivetranAuthError,
    UsageError,
    SnapshotFileError,
    ConfigError,
    GenerateError,
    UserCodeError,
)


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
    help="Where to write the snapshot [default: [tool.fivetran-codegen].snapshot, else "
    "fivetran_snapshot.json].",
)
@click.option(
    "--profile",
    help="Only this workspace profile ([tool.fivetran-codegen.profiles.NAME]) [default: every "
    "profile, when the config defines some].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pyproject.toml to read [default: the nearest one at or above the working directory].",
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
    as_json: bool,
    no_progress: bool,
) -> None:
    """Read the workspace through the Fivetran API into a reviewable snapshot file.

    The snapshot path, include/exclude and credential variables come from
    [tool.fivetran-codegen] (FIVETRAN_API_KEY and FIVETRAN_API_SECRET by default); with
    profiles, every profile's workspace is read into its own file. Each file is written
    atomically: a failed run leaves the previous snapshot as it was.
    """
    with _reported_errors():
        chosen = config.load_workspaces(config_path, cwd=Path.cwd(), profile=profile).chosen
        if output is not None:
            _one_workspace(chosen, "-o/--output")
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
                client, options, settings.snapshot, progress=not no_progress
            )
        if as_json:
            several = {"profiles": summaries} if len(summaries) > 1 else None
            document = several or next(iter(summaries.values()))
            click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _one_workspace(chosen: list[config.Config], options: str) -> None:
    """Options that name one file or folder need one workspace: with profiles, a --profile."""
    if len(chosen) > 1:
        names = ", ".join(str(c.profile) for c in chosen)
        raise UsageError(
            f"{options} name one workspace's files, and the config defines profiles ({names})",
            where=chosen[0].source,
            hint="add --profile NAME, or set the paths in [tool.fivetran-codegen.profiles.NAME]",
        )


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
    client: FivetranClient, options: CrawlOptions, output: Path, *, progress: bool
) -> dict[str, Any]:
    """Crawl, write the file, print the human summary; the machine one is returned."""
    with client:
        result = crawl(client, options, reporter(progress))
    written = atomic.write_text(output, codec.dumps(result.snapshot))
    return _print_summary(result, output, written)


def _print_summary(result: CrawlReport, output: Path, written: bool) -> dict[str, Any]:
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
    return summary


@main.command()
@click.option(
    "--snapshot",
    "snapshot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The snapshot to read [default: [tool.fivetran-codegen].snapshot, else fivetran_snapshot.json].",
)
@click.option(
    "--out",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The package directory to generate [default: [tool.fivetran-codegen].output, else fivetran_defs].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pyproject.toml to read [default: the nearest one at or above the working directory].",
)
@click.option(
    "--profile",
    help="Generate only this workspace profile ([tool.fivetran-codegen.profiles.NAME]) [default: all].",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and print a diff if the package is not what generate would write.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite hand edits and delete customised functions of removed connections.",
)
@click.option(
    "--no-cache", is_flag=True, help="Render every module, even those whose inputs did not change."
)
def generate(
    snapshot_path: Path | None,
    output: Path | None,
    config_path: Path | None,
    profile: str | None,
    check: bool,
    force: bool,
    no_cache: bool,
) -> None:
    """Generate the Dagster package from the snapshot (offline: no API call, no credentials).

    Exit codes: 0 done (with --check: up to date); 1 with --check: out of date; 2 an error.
    """
    try:
        loaded = config.load_workspaces(config_path, cwd=Path.cwd(), profile=profile)
        chosen = loaded.chosen
        if snapshot_path is not None or output is not None:
            _one_workspace(chosen, "--snapshot/--out")
        chosen = [config.with_paths(c, snapshot=snapshot_path, output=output) for c in chosen]
        orphaned = cross_profile.orphaned_base_package(loaded) if profile is None else None
        if orphaned:
            click.echo(f"warning: {orphaned}", err=True)
        results = pipeline.run_all(chosen, check=check, force=force, use_cache=not no_cache)
    except FivetranCodegenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for settings, result in zip(chosen, results, strict=True):
        if len(chosen) > 1:
            click.echo(f"Profile {settings.profile}:", err=True)
        _report_generate(settings, result, check=check)
    if check and any(result.differences for result in results):
        sys.exit(1)


@main.command("diff")
@click.argument("old", required=False, default="HEAD")
@click.argument("new", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(report.FORMATS),
    default="text",
    show_default=True,
    help="markdown: for a pull-request body; json: for machines.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pyproject.toml whose settings shape the asset keys [default: the nearest one].",
)
@click.option(
    "--profile",
    help="Only this workspace profile ([tool.fivetran-codegen.profiles.NAME]) [default: every "
    "profile, or the one whose snapshot OLD or NEW names].",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing changed, 2 when something did, 1 on error (as terraform plan).",
)
def diff_command(
    old: str,
    new: str | None,
    fmt: str,
    config_path: Path | None,
    profile: str | None,
    detailed_exitcode: bool,
) -> None:
    """What changed for Dagster between two snapshots (offline).

    OLD and NEW are snapshot files or git revisions (`HEAD`, `main`, `REV:path`). OLD defaults
    to HEAD, NEW to the project's snapshot file: `fivetran-codegen diff` shows what a fresh
    snapshot changes against the committed one (for every profile, when there are profiles).
    """
    try:
        cwd = Path.cwd()
        loaded = config.load_workspaces(config_path, cwd=cwd, profile=profile)
        chosen = targets.choose(loaded, old, new, cwd=cwd)
        several = len(chosen) > 1
        diffs = [(w, _diff_one(w, old, new, new_profile_ok=several)) for w in chosen]
    except FivetranCodegenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1 if detailed_exitcode else 2)
    if len(diffs) == 1:
        click.echo(report.render(diffs[0][1], fmt), nl=False)
    else:
        named = [(str(w.profile), d) for w, d in diffs]
        click.echo(report.render_several(named, fmt), nl=False)
    if detailed_exitcode and not all(d.empty for _, d in diffs):
        sys.exit(2)


def _diff_one(
    settings: config.Config, old: str, new: str | None, *, new_profile_ok: bool
) -> compare.SnapshotDiff:
    """One workspace's changes. Among several profiles, one whose snapshot is not committed at
    OLD yet (a profile added since) is new: all of it shows as added, the others as usual."""
    default = settings.snapshot
    if new is None and not default.is_file():
        raise SnapshotFileError(
            "no snapshot file to compare",
            where=str(default),
            hint="run diff in the project's directory, take a snapshot with "
            "`fivetran-codegen snapshot`, or name both: fivetran-codegen diff OLD NEW",
        )
    new_snapshot, _ = git_source.load(new or str(default), default_file=default)
    try:
        old_snapshot, _ = git_source.load(old, default_file=default)
    except SnapshotNotCommittedError:
        if not new_profile_ok:
            raise
        old_snapshot = replace(new_snapshot, groups=(), connections=())
    return compare.compare(old_snapshot, new_snapshot, settings)


def _report_generate(settings: config.Config, result: pipeline.Result, *, check: bool) -> None:
    plan = result.plan
    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)
    for skipped in plan.skipped:
        click.echo(f"skipped {skipped.name!r} ({skipped.id}): {skipped.reason}", err=True)
    where = settings.output
    if check:
        for difference in result.differences:
            click.echo(difference.diff, nl=False)
        if result.differences:
            kinds = ", ".join(f"{d.kind} {where.name}/{d.path}" for d in result.differences)
            click.echo(f"{where} is out of date: {kinds}\n  hint: {_check_hint(result)}", err=True)
        else:
            click.echo(f"{where} is up to date ({len(plan.connections)} connections).", err=True)
        return
    if result.changed:
        changes = change_summary.summarize(result.output, result.snapshot, settings)
        if changes.fivetran:
            profile = f" --profile {settings.profile}" if settings.profile else ""
            click.echo(
                f"Fivetran changes since {change_summary.BASE_REVISION}: {changes.fivetran} "
                f"(`fivetran-codegen diff{profile}` lists them).",
                err=True,
            )
        if changes.code:
            click.echo(f"Generated code: {changes.code}.", err=True)
    click.echo(
        f"Generated {where}: {len(plan.connections)} connections, {plan.spec_count()} assets; "
        f"{len(result.changed)} files written, {len(result.output.files) - len(result.changed)} unchanged"
        + (f", {len(result.output.removed)} removed" if result.output.removed else "")
        + ".",
        err=True,
    )


def _check_hint(result: pipeline.Result) -> str:
    """What to run: `generate`, unless it would refuse (hand edits outside function bodies)."""
    problems = result.output.problems
    if not problems:
        return "run `fivetran-codegen generate`"
    edited = ", ".join(f"{result.plan.package}/{p.path}" for p in problems)
    return (
        f"{edited} was edited by hand outside the asset function bodies, so `generate` would "
        "refuse: move that code into a function body or a module of your own and run "
        "`fivetran-codegen generate`, or discard the edits with `fivetran-codegen generate --force`"
    )


@main.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--workspace",
    type=click.Choice(sorted(WORKSPACE_BUILDERS)),
    default="sample",
    show_default=True,
    help="Which simulated workspace to serve.",
)
@click.option(
    "--latency", type=click.FloatRange(0), default=0.0, help="Seconds added to every response."
)
@click.option(
    "--legacy-paths",
    is_flag=True,
    help="Also serve the deprecated /v1/connectors... paths (as dagster-fivetran calls them).",
)
def simulate(port: int, workspace: str, latency: float, legacy_paths: bool) -> None:
    """Serve a simulated Fivetran REST API on 127.0.0.1 until Ctrl-C.

    It speaks Fivetran's wire format (envelopes, paging, errors, rate limits, sync states), so
    `snapshot` and the runtime can be tried without a Fivetran account.
    """

    def ready(sim: FivetranSimulator) -> None:
        count = len(sim.workspace.connections)
        click.echo(
            f"Fivetran API simulator: workspace {workspace!r} ({count} connections) at {sim.url}\n"
            "In another shell (these are the simulator's own test credentials):\n"
            f"  export FIVETRAN_API_URL={sim.url} FIVETRAN_API_KEY={sim.api_key} "
            f"FIVETRAN_API_SECRET={sim.api_secret}\n"
            "  fivetran-codegen snapshot\n"
            "Ctrl-C stops it."
        )

    try:
        serve(port, workspace, latency=latency, legacy_paths=legacy_paths, on_ready=ready)
    except OSError as exc:
        _fail(
            UsageError(
                f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
                where="--port",
                hint="pick another --port, or 0 for any free one",
            )
        )


@main.command()
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
    from fivetran_codegen.demo import tour

    with _reported_errors():
        tour.run(directory, lambda line: click.echo(line, err=True))


main.add_command(migrate)
