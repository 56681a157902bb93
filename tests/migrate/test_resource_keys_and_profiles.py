"""migrate in a project whose asset functions take another resource than `fivetran`: a
`resource_key` in the config, or profiles with one each. The moved bodies must use the
parameter the generated function has, and the migrated code must load and run (in process:
the migration's own end-to-end test runs `dagster definitions validate` in tests/migrate)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from fivetran_codegen_runtime import FivetranWorkspace
from fivetran_codegen_runtime.testing import FivetranSimulator, sample_workspace

from tests.conftest import imported, run_cli

SAMPLE_SNAPSHOT = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"
SALESFORCE, STRIPE, GITHUB = "speak_inexpensive", "wobbly_pancake", "quiet_lantern"

# A dagster-fivetran project that binds its workspace as `fivetran_eu`; the Stripe function
# still names its parameter `fivetran` (as dagster-fivetran's documentation does).
USER_CODE = f'''
import dagster as dg
from dagster_fivetran import FivetranWorkspace, build_fivetran_polling_sensor, fivetran_assets

workspace = FivetranWorkspace(
    account_id="acct",
    api_key=dg.EnvVar("FIVETRAN_API_KEY"),
    api_secret=dg.EnvVar("FIVETRAN_API_SECRET"),
)


@fivetran_assets(connector_id="{SALESFORCE}", workspace=workspace)
def salesforce_assets(context: dg.AssetExecutionContext, fivetran_eu: FivetranWorkspace):
    context.log.info("syncing salesforce")
    yield from fivetran_eu.sync_and_poll(context=context)


@fivetran_assets(connector_id="{STRIPE}", workspace=workspace)
def stripe_assets(context, fivetran):
    context.log.info("syncing stripe")
    yield from fivetran.sync_and_poll(context=context)


@fivetran_assets(connector_id="{GITHUB}", workspace=workspace)
def github_assets(context, fivetran_eu: FivetranWorkspace):
    yield from fivetran_eu.sync_and_poll(context=context)


defs = dg.Definitions(
    assets=[salesforce_assets, stripe_assets, github_assets],
    resources={{"fivetran_eu": workspace}},
    sensors=[build_fivetran_polling_sensor(workspace=workspace)],
)
'''

SALESFORCE_BODY = """\
    context.log.info("syncing salesforce")
    yield from fivetran_eu.sync_and_poll(context=context, config=config)
"""
STRIPE_BODY = """\
    context.log.info("syncing stripe")
    yield from fivetran_eu.sync_and_poll(context=context, config=config)
"""
SIGNATURE = "fivetran_eu: FivetranWorkspace"  # the generated function's parameter

PROFILES = """\
[tool.fivetran-codegen.profiles.us]
snapshot = "snapshots/us.json"
output = "fivetran_us"
key_prefix = ["us"]

[tool.fivetran-codegen.profiles.eu]
snapshot = "snapshots/eu.json"
output = "fivetran_eu"
key_prefix = ["eu"]
resource_key = "fivetran_eu"
"""


@pytest.fixture
def sim() -> Iterator[FivetranSimulator]:
    # Syncs of 0.2 s: that the moved body runs is under test, not how long a sync takes.
    with FivetranSimulator(sample_workspace(), sync_duration=0.2) as simulator:
        yield simulator


def _project(root: Path, pyproject: str, snapshots: list[str]) -> Path:
    for name in snapshots:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE_SNAPSHOT, root / name)
    (root / "pyproject.toml").write_text(pyproject)
    done = run_cli("generate", cwd=root)
    assert done.code == 0, done.stderr
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "defs.py").write_text(USER_CODE)
    return root


def _module(root: Path, package: str, name: str) -> str:
    return (root / package / "connections" / f"{name}.py").read_text()


def _materialize(root: Path, sim: FivetranSimulator, asset: str) -> list[str]:
    """Validate the migrated app.defs as Dagster does on loading, and run one of its assets
    against the simulator (in this process, with a real Dagster instance): the keys it
    materialized."""
    with imported(root, "app.defs") as module, dg.instance_for_test() as instance:
        dg.Definitions.validate_loadable(module.defs)
        workspace = FivetranWorkspace(
            api_key=sim.api_key,
            api_secret=sim.api_secret,
            api_url=sim.url,
            poll_interval_seconds=0.05,
            poll_timeout_seconds=60,
        )
        result = dg.materialize(
            [getattr(module, asset)], resources={"fivetran_eu": workspace}, instance=instance
        )
        assert result.success
        logs = [e.user_message for e in instance.all_logs(result.run_id) if not e.dagster_event]
        assert "syncing salesforce" in logs  # the moved body ran
        events = result.get_asset_materialization_events()
    return sorted(e.asset_key.to_user_string() for e in events)


def test_a_resource_key_is_the_parameter_the_moved_bodies_use(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    root = _project(
        tmp_path,
        '[tool.fivetran-codegen]\nresource_key = "fivetran_eu"\n',
        ["fivetran_snapshot.json"],
    )
    done = run_cli("migrate", "--write", "app", cwd=root)
    assert done.code == 0, done.stderr
    salesforce = _module(root, "fivetran_defs", "salesforce")
    assert SIGNATURE in salesforce and salesforce.endswith(SALESFORCE_BODY)
    assert _module(root, "fivetran_defs", "stripe").endswith(STRIPE_BODY)
    # github's body was the default sync: imported, its generated function left as it was.
    assert (
        "from fivetran_defs.connections.github import github as github_assets"
        in (root / "app" / "defs.py").read_text()
    )
    assert 'resource_key="fivetran_eu"' in (root / "app" / "defs.py").read_text()  # the sensor's
    # Stripe's function took the workspace as `fivetran`: the user is told what to bind.
    assert "as the 'fivetran_eu' resource (this function named it 'fivetran')" in done.stderr
    assert "named it 'fivetran_eu'" not in done.stderr
    assert _materialize(root, sim, "salesforce_assets")
    # The moved bodies survive regeneration.
    assert run_cli("generate", "--check", cwd=root).code == 0


def test_with_profiles_migrate_needs_the_profile_and_uses_its_resource_key(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    root = _project(tmp_path, PROFILES, ["snapshots/us.json", "snapshots/eu.json"])
    refused = run_cli("migrate", "app", cwd=root)
    assert refused.code == 2
    assert "the config defines profiles (eu, us)" in refused.stderr
    assert "--profile" in refused.stderr
    assert (root / "app" / "defs.py").read_text() == USER_CODE

    done = run_cli("migrate", "--write", "--profile", "eu", "app", cwd=root)
    assert done.code == 0, done.stderr
    salesforce = _module(root, "fivetran_eu", "salesforce")
    assert SIGNATURE in salesforce and salesforce.endswith(SALESFORCE_BODY)
    migrated = (root / "app" / "defs.py").read_text()
    assert "from fivetran_eu.connections.salesforce import salesforce as salesforce_assets" in (
        migrated
    )
    assert "fivetran_us" not in migrated
    assert _module(root, "fivetran_us", "salesforce").endswith(
        "    yield from fivetran.sync_and_poll(context=context, config=config)\n"
    )
    keys = _materialize(root, sim, "salesforce_assets")
    assert keys and all(key.startswith("eu/") for key in keys), keys
    assert run_cli("generate", "--check", cwd=root).code == 0
