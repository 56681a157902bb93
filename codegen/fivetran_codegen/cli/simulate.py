"""`fivetran-codegen simulate`: serve the Fivetran API simulator until Ctrl-C."""

from __future__ import annotations

import click
from fivetran_codegen_runtime.testing import WORKSPACE_BUILDERS, FivetranSimulator, serve

from fivetran_codegen.cli.exit_codes import reported_errors
from fivetran_codegen.errors import UsageError


@click.command()
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

    with reported_errors():
        try:
            serve(port, workspace, latency=latency, legacy_paths=legacy_paths, on_ready=ready)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
                where="--port",
                hint="pick another --port, or 0 for any free one",
            ) from None
