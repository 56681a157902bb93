"""`fivetran-codegen migrate`: dagster-fivetran code rewritten to the generated package.

Before/after cases run the planner in-process against a package generated from the sample
snapshot; the command's contract (dry run, --write, exit codes, the report) runs the CLI in
process, and the end-to-end migration the installed console script, as a user runs it.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import fivetran_codegen_runtime
import pytest
from fivetran_codegen import config
from fivetran_codegen.migrate import run
from fivetran_codegen.migrate.names import WORKSPACE_FIELDS
from fivetran_codegen.migrate.report import Note
from fivetran_codegen.render.generated_file import default_body

from tests.conftest import dagster_validate, run_cli, run_console_script

SAMPLE_SNAPSHOT = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"
GITHUB = "quiet_lantern"  # connection ids of the sample workspace
SALESFORCE = "speak_inexpensive"
STRIPE = "wobbly_pancake"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the sample snapshot and its generated `fivetran_defs` (made once)."""
    root = tmp_path_factory.mktemp("generated")
    shutil.copy(SAMPLE_SNAPSHOT, root / "fivetran_snapshot.json")
    (root / "pyproject.toml").write_text("[tool.fivetran-codegen]\n")
    done = run_cli("generate", cwd=root)
    assert done.code == 0, done.stderr
    return root


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    work = tmp_path / "project"
    shutil.copytree(generated, work)
    (work / "app").mkdir()
    (work / "app" / "__init__.py").write_text("")
    return work


DEFAULT_BODY = default_body("fivetran")


def write(project: Path, source: str, name: str = "defs.py") -> Path:
    path = project / "app" / name
    path.write_text(textwrap.dedent(source))
    return path


def plan(path: Path, package_name: str | None = None) -> run.Plan:
    """What `migrate PATH` plans, with the config it finds there (no profiles here)."""
    settings = config.load(None, cwd=run.project_dir(path))
    return run.plan(path, settings=settings, package_name=package_name)


def migrated(project: Path, source: str) -> tuple[str, run.Plan]:
    """The new text of app/defs.py holding `source`, and the whole plan."""
    path = write(project, source)
    planned = plan(project / "app")
    after = {c.path: c.after for c in planned.changes}
    return after.get(path, path.read_text()), planned


def messages(planned: run.Plan, *, manual: bool) -> list[str]:
    return [n.message for n in planned.notes if n.manual == manual]


def connection_module(project: Path, name: str) -> Path:
    return project / "fivetran_defs" / "connections" / f"{name}.py"


# --- before/after -----------------------------------------------------------------------------

WORKSPACE_AND_LOADERS = (
    '''
    """Fivetran assets."""

    import dagster   as dg  # odd spacing stays
    from dagster_fivetran import FivetranWorkspace, build_fivetran_assets_definitions, load_fivetran_asset_specs

    # The workspace.
    workspace = FivetranWorkspace(
        account_id="acct",
        api_key=dg.EnvVar("FIVETRAN_API_KEY"),
        api_secret=dg.EnvVar("FIVETRAN_API_SECRET"),
        disable_schedule_on_trigger=False,
        request_max_retries=2,
        request_retry_delay=0.5,
    )

    def   untouched( a,b ):   # keep me
        return a+b   # and me

    specs = load_fivetran_asset_specs(workspace)
    assets = build_fivetran_assets_definitions(workspace=workspace)
    defs = dg.Definitions(assets=[*assets], resources={"fivetran": workspace})
    ''',
    '''
    """Fivetran assets."""

    import dagster   as dg  # odd spacing stays
    from fivetran_codegen_runtime import FivetranWorkspace
    from fivetran_defs import ALL_SPECS, ASSETS

    # The workspace.
    workspace = FivetranWorkspace(
        api_key=dg.EnvVar("FIVETRAN_API_KEY"),
        api_secret=dg.EnvVar("FIVETRAN_API_SECRET"),
        disable_schedule_on_trigger=False,
        request_max_attempts=3,
        request_backoff_seconds=0.5,
    )

    def   untouched( a,b ):   # keep me
        return a+b   # and me

    specs = ALL_SPECS
    assets = ASSETS
    defs = dg.Definitions(assets=[*assets], resources={"fivetran": workspace})
    ''',
)

ALIASES_AND_SENSOR = (
    """
    import dagster_fivetran as df
    from dagster_fivetran import (
        DagsterFivetranTranslator,
        FivetranWorkspace as FW,
        build_fivetran_polling_sensor,
    )

    ws = df.FivetranWorkspace(account_id="acct", api_key="k", api_secret="s")
    other: FW = FW(api_key="k", api_secret="s", snapshot_path="snap")


    class Keys(DagsterFivetranTranslator):
        pass


    sensor = build_fivetran_polling_sensor(
        workspace=ws,
        minimum_interval_seconds=60,
    )
    """,
    """
    from fivetran_codegen.translator import (
        DagsterFivetranTranslator,
    )
    from fivetran_codegen_runtime import (
        FivetranWorkspace, FivetranWorkspace as FW,
        build_fivetran_polling_sensor,
    )
    from dagster import DefaultSensorStatus
    from fivetran_defs import ASSETS

    ws = FivetranWorkspace(api_key="k", api_secret="s")
    other: FW = FW(api_key="k", api_secret="s")


    class Keys(DagsterFivetranTranslator):
        pass


    sensor = build_fivetran_polling_sensor(
        assets=ASSETS,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.RUNNING,
        name="fivetran_acct__sync_status_sensor",
    )
    """,
)

DEFAULT_BODY_FUNCTION = (
    f"""
    from dagster_fivetran import FivetranWorkspace, fivetran_assets

    import dagster as dg

    workspace = FivetranWorkspace(account_id="acct", api_key="k", api_secret="s")


    @fivetran_assets(connector_id="{GITHUB}", workspace=workspace, name="github_sync")
    def github_assets(context: dg.AssetExecutionContext, fivetran: FivetranWorkspace):
        yield from fivetran.sync_and_poll(context=context)


    sensor = dg.SensorDefinition  # unrelated code stays as it is
    defs = dg.Definitions(assets=[github_assets], resources={{"fivetran": workspace}})
    """,
    """
    from fivetran_codegen_runtime import FivetranWorkspace

    import dagster as dg
    from fivetran_defs.connections.github import github as github_assets

    workspace = FivetranWorkspace(api_key="k", api_secret="s")


    sensor = dg.SensorDefinition  # unrelated code stays as it is
    defs = dg.Definitions(assets=[github_assets], resources={"fivetran": workspace})
    """,
)


@pytest.mark.parametrize(
    ("before", "after"),
    [WORKSPACE_AND_LOADERS, ALIASES_AND_SENSOR, DEFAULT_BODY_FUNCTION],
    ids=["workspace-and-loaders", "aliases-and-sensor", "default-body-function"],
)
def test_before_after(project: Path, before: str, after: str) -> None:
    got, planned = migrated(project, before)
    assert got == textwrap.dedent(after)
    # Migrating migrated code changes nothing more.
    again, _ = migrated(project, got)
    assert again == got
    assert not [c for c in planned.changes if c.path.parent.name == "connections"]


def test_workspace_notes_say_what_was_dropped_and_renamed(project: Path) -> None:
    _, planned = migrated(project, WORKSPACE_AND_LOADERS[0])
    changed = " | ".join(messages(planned, manual=False))
    assert "dropped account_id" in changed
    assert "request_max_retries=N became request_max_attempts=N + 1" in changed
    assert "request_retry_delay became request_backoff_seconds" in changed
    assert messages(planned, manual=True) == []


def test_non_literal_retries_become_an_expression(project: Path) -> None:
    got, _ = migrated(
        project,
        """
        from dagster_fivetran import FivetranWorkspace
        n = 2
        ws = FivetranWorkspace(api_key="k", api_secret="s", request_max_retries=n or 3)
        """,
    )
    assert "request_max_attempts=(n or 3) + 1" in got


def test_unknown_workspace_arguments_are_kept_and_reported(project: Path) -> None:
    got, planned = migrated(
        project,
        """
        from dagster_fivetran import FivetranWorkspace
        ws = FivetranWorkspace(api_key="k", api_secret="s", **extra)
        """,
    )
    assert 'FivetranWorkspace(api_key="k", api_secret="s", **extra)' in got
    assert any("**extra" in m for m in messages(planned, manual=True))


def test_loader_selectors_and_translators_are_reported(project: Path) -> None:
    _, planned = migrated(
        project,
        """
        from dagster_fivetran import build_fivetran_assets_definitions
        assets = build_fivetran_assets_definitions(
            workspace=ws, connector_selector_fn=lambda c: c.id != "x", dagster_fivetran_translator=T()
        )
        """,
    )
    manual = " | ".join(messages(planned, manual=True))
    assert "connector_selector_fn no longer applies" in manual
    assert "include/exclude" in manual
    assert "dagster_fivetran_translator runs at generate time now" in manual


def test_a_name_taken_in_the_module_is_imported_under_another(project: Path) -> None:
    got, _ = migrated(
        project,
        """
        from dagster_fivetran import build_fivetran_assets_definitions
        ASSETS = ["mine"]
        assets = build_fivetran_assets_definitions(workspace=ws)
        """,
    )
    assert "from fivetran_defs import ASSETS as FIVETRAN_ASSETS" in got
    assert 'ASSETS = ["mine"]' in got
    assert "assets = FIVETRAN_ASSETS" in got


def test_sensor_without_a_literal_account_gets_a_note_about_its_name(project: Path) -> None:
    got, planned = migrated(
        project,
        """
        import dagster as dg
        from dagster_fivetran import build_fivetran_polling_sensor
        sensor = build_fivetran_polling_sensor(workspace=make_workspace(), default_sensor_status=dg.DefaultSensorStatus.STOPPED)
        """,
    )
    assert (
        "build_fivetran_polling_sensor(assets=ASSETS, default_status=dg.DefaultSensorStatus.STOPPED)"
        in got
    )
    assert any("fivetran_polling_sensor" in m for m in messages(planned, manual=False))


def test_workspace_methods_are_migrated_or_reported(project: Path) -> None:
    got, planned = migrated(
        project,
        """
        from dagster_fivetran import FivetranWorkspace
        ws = FivetranWorkspace(api_key="k", api_secret="s")
        specs = ws.load_asset_specs()
        data = ws.fetch_fivetran_workspace_data()
        """,
    )
    assert "specs = ALL_SPECS\n" in got
    assert "data = ws.fetch_fivetran_workspace_data()" in got
    (manual,) = messages(planned, manual=True)
    assert manual.startswith(
        "FivetranWorkspace.fetch_fivetran_workspace_data() is dagster-fivetran's"
    )


def test_a_workspace_from_a_relative_import_is_dropped_with_its_last_use(project: Path) -> None:
    got, _ = migrated(
        project,
        f"""
        from dagster_fivetran import build_fivetran_assets_definitions, fivetran_assets
        from .resources import workspace

        assets = build_fivetran_assets_definitions(workspace=workspace)


        @fivetran_assets(connector_id="{GITHUB}", workspace=workspace)
        def gh(context, fivetran):
            yield from fivetran.sync_and_poll(context=context)
        """,
    )
    assert got == textwrap.dedent(
        """
        from fivetran_defs.connections.github import github as gh
        from fivetran_defs import ASSETS

        assets = ASSETS
        """
    )


def test_a_long_sensor_call_is_laid_out_one_argument_per_line(project: Path) -> None:
    got, _ = migrated(
        project,
        """
        from dagster_fivetran import build_fivetran_polling_sensor


        def make(ws):
            if ws:
                return build_fivetran_polling_sensor(workspace=ws, minimum_interval_seconds=120)
        """,
    )
    assert got.endswith(
        "    if ws:\n"
        "        return build_fivetran_polling_sensor(\n"
        "            assets=ASSETS,\n"
        "            minimum_interval_seconds=120,\n"
        "            default_status=DefaultSensorStatus.RUNNING,\n"
        "        )\n"
    )
    assert "from dagster import DefaultSensorStatus\n" in got


def test_legacy_api_is_left_and_reported(project: Path) -> None:
    source = """
        from dagster_fivetran import FivetranResource, load_assets_from_fivetran_instance
        assets = load_assets_from_fivetran_instance(FivetranResource(api_key="k", api_secret="s"))
        """
    got, planned = migrated(project, source)
    assert got == textwrap.dedent(source)
    manual = messages(planned, manual=True)
    assert len(manual) == 2
    assert all("deprecated dagster-fivetran API" in m for m in manual)


# --- moving custom bodies into the generated package ------------------------------------------

CUSTOM = f'''
import json
import logging

import dagster as dg
from dagster_fivetran import FivetranSyncConfig, FivetranWorkspace, fivetran_assets

workspace = FivetranWorkspace(account_id="acct", api_key="k", api_secret="s")


@fivetran_assets(connector_id="{SALESFORCE}", workspace=workspace)
def salesforce_assets(ctx: dg.AssetExecutionContext, ws: FivetranWorkspace):  # audited
  """Sync Salesforce and say so."""
  logging.getLogger("sync").info(json.dumps({{"connection": "salesforce"}}))
  for event in ws.sync_and_poll(context=ctx):
    yield event  # each table
  ctx.log.info("done")


@fivetran_assets(connector_id="{STRIPE}", workspace=workspace)
def stripe_resync(context, fivetran):
    yield from fivetran.sync_and_poll(context, FivetranSyncConfig(resync=True))


defs = dg.Definitions(assets=[salesforce_assets, stripe_resync], resources={{"ws": workspace}})
'''

SALESFORCE_BODY = '''\
    # audited
    """Sync Salesforce and say so."""
    import json
    import logging
    logging.getLogger("sync").info(json.dumps({"connection": "salesforce"}))
    for event in fivetran.sync_and_poll(context=context, config=config):
        yield event  # each table
    context.log.info("done")
'''

STRIPE_BODY = """\
    yield from fivetran.sync_and_poll(context, FivetranSyncConfig(resync=True))
"""


def test_custom_bodies_move_into_their_generated_functions(project: Path) -> None:
    got, planned = migrated(project, CUSTOM)
    new = {c.path: c.after for c in planned.changes}
    salesforce = new[connection_module(project, "salesforce")]
    stripe = new[connection_module(project, "stripe")]
    assert salesforce.endswith(") -> Iterator[FivetranEvent]:\n" + SALESFORCE_BODY)
    assert stripe.endswith(") -> Iterator[FivetranEvent]:\n" + STRIPE_BODY)
    # Only the body changed: the generated head is byte for byte what generate wrote.
    before = connection_module(project, "salesforce").read_text()
    assert salesforce.removesuffix(SALESFORCE_BODY) == before.removesuffix(DEFAULT_BODY)
    assert "from fivetran_defs.connections.salesforce import salesforce as salesforce_assets" in got
    assert "from fivetran_defs.connections.stripe import stripe as stripe_resync" in got
    assert "def salesforce_assets" not in got and "dagster_fivetran" not in got
    assert "import json" not in got and "import logging" not in got  # only the moved body used them
    manual = " | ".join(messages(planned, manual=True))
    assert "as the 'fivetran' resource (this function named it 'ws')" in manual


def test_moved_bodies_survive_generate_and_check(project: Path) -> None:
    write(project, CUSTOM)
    done = run_cli("migrate", "--write", "app", cwd=project)
    assert done.code == 0, done.stderr
    regenerated = run_cli("generate", cwd=project)
    assert regenerated.code == 0, regenerated.stderr
    assert connection_module(project, "salesforce").read_text().endswith(SALESFORCE_BODY)
    assert run_cli("generate", "--check", cwd=project).code == 0


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (
            """
            HELPER = 3
            @fivetran_assets(connector_id="{id}", workspace=ws)
            def f(context, fivetran):
                yield from fivetran.sync_and_poll(context=context)
                print(HELPER)
            """,
            "its body uses 'HELPER', defined in this module",
        ),
        (
            """
            from .helpers import helper
            @fivetran_assets(connector_id="{id}", workspace=ws)
            def f(context, fivetran):
                helper()
                yield from fivetran.sync_and_poll(context=context)
            """,
            "from a relative import",
        ),
        (
            """
            @fivetran_assets(connector_id="{id}", workspace=ws)
            def f(context, fivetran, snowflake):
                yield from fivetran.sync_and_poll(context=context)
            """,
            "its parameter 'snowflake' has no place in the generated function",
        ),
        (
            """
            config = {{"a": 1}}
            @fivetran_assets(connector_id="{id}", workspace=ws)
            def f(context, fivetran):
                yield from fivetran.sync_and_poll(context=context)
                print(config)
            """,
            "reads a global 'config'",
        ),
        (
            """
            @fivetran_assets(connector_id=CONNECTOR, workspace=ws)
            def f(context, fivetran):
                yield from fivetran.sync_and_poll(context=context)
            """,
            "connector_id is not a string literal",
        ),
        (
            """
            if True:
                @fivetran_assets(connector_id="{id}", workspace=ws)
                def f(context, fivetran):
                    yield from fivetran.sync_and_poll(context=context)
            """,
            "not defined at the top level of the module",
        ),
        (
            """
            @fivetran_assets(connector_id="no_such_connection", workspace=ws)
            def f(context, fivetran):
                yield from fivetran.sync_and_poll(context=context)
            """,
            "has no connection 'no_such_connection'",
        ),
    ],
    ids=[
        "module-helper",
        "relative-import",
        "extra-resource",
        "global-config",
        "id-variable",
        "nested",
        "unknown-id",
    ],
)
def test_bodies_that_cannot_move_are_left_and_reported(
    project: Path, source: str, reason: str
) -> None:
    header = "from dagster_fivetran import fivetran_assets\nws = None\n"
    before = header + textwrap.dedent(source.format(id=SALESFORCE))
    got, planned = migrated(project, before)
    assert got == before
    assert planned.changes == ()
    manual = messages(planned, manual=True)
    assert len(manual) == 1, manual
    assert "@fivetran_assets function f left unchanged" in manual[0]
    assert reason in manual[0]


def test_a_generated_function_customised_already_is_not_overwritten(project: Path) -> None:
    module = connection_module(project, "salesforce")
    module.write_text(module.read_text().removesuffix(DEFAULT_BODY) + "    yield from []\n")
    got, planned = migrated(project, CUSTOM)
    assert "def salesforce_assets" in got  # left as it was
    assert "def stripe_resync" not in got  # the other one still moved
    assert any("already has a custom body" in m for m in messages(planned, manual=True))


def test_without_the_generated_package_functions_stay_and_the_report_says_why(
    project: Path,
) -> None:
    shutil.rmtree(project / "fivetran_defs")
    write(project, CUSTOM)
    done = run_cli("migrate", "app", cwd=project)
    assert done.code == 0, done.stderr
    assert "does not exist yet" in done.stderr
    assert "run `fivetran-codegen snapshot` and `fivetran-codegen generate`" in done.stderr
    assert "-def salesforce_assets" not in done.stdout
    assert "+workspace = FivetranWorkspace(api_key" in done.stdout  # the rest still migrates


def test_package_option_names_another_generated_package(project: Path) -> None:
    assert run_cli("generate", "--out", "warehouse", cwd=project).code == 0
    write(project, CUSTOM)
    planned = plan(project / "app", package_name="warehouse")
    after = {c.path.relative_to(project).as_posix(): c.after for c in planned.changes}
    assert (
        "from warehouse.connections.stripe import stripe as stripe_resync" in after["app/defs.py"]
    )
    assert "warehouse/connections/salesforce.py" in after


# --- translators --------------------------------------------------------------------------------

TRANSLATORS = """
import dagster as dg
from dagster_fivetran import DagsterFivetranTranslator, FivetranConnectorTableProps


class MyTranslator(DagsterFivetranTranslator):
    '''Prefix keys, one group.'''

    def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
        spec = super().get_asset_spec(props)
        return spec.replace_attributes(
            key=spec.key.with_prefix("fivetran"), group_name="ingest", owners=["team:data"]
        )

    def helper(self) -> None:
        pass


class Described(MyTranslator):
    def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
        return super().get_asset_spec(props).replace_attributes(description="from Fivetran")
"""


def test_translator_subclasses_move_to_our_contract_and_the_config_names_one(
    project: Path,
) -> None:
    got, planned = migrated(project, TRANSLATORS)
    assert got == TRANSLATORS.replace(
        "from dagster_fivetran import", "from fivetran_codegen.translator import"
    )
    assert not messages(planned, manual=True)
    moved = sorted((n for n in planned.notes if not n.manual), key=lambda n: n.line)
    assert [n.line for n in moved] == [6, 19]
    assert moved[0].message.startswith(
        "class MyTranslator(DagsterFivetranTranslator): its base is now fivetran_codegen.translator's"
    )
    # Described extends MyTranslator, so it is the one generate should run.
    pyproject = {c.path.name: c for c in planned.changes}["pyproject.toml"]
    assert 'translator = "app.defs:Described"' in pyproject.after
    assert pyproject.after.replace('translator = "app.defs:Described"\n', "") == pyproject.before


def test_a_translator_given_to_a_loader_is_the_one_named(project: Path) -> None:
    source = TRANSLATORS + textwrap.dedent(
        """
        from dagster_fivetran import FivetranWorkspace, load_fivetran_asset_specs

        specs = load_fivetran_asset_specs(
            FivetranWorkspace(account_id="a", api_key="k", api_secret="s"),
            dagster_fivetran_translator=MyTranslator(),
        )
        """
    )
    _, planned = migrated(project, source)
    pyproject = {c.path.name: c for c in planned.changes}["pyproject.toml"]
    assert 'translator = "app.defs:MyTranslator"' in pyproject.after


def test_a_translator_reading_connector_config_is_reported(project: Path) -> None:
    source = TRANSLATORS.replace(
        "spec = super().get_asset_spec(props)\n",
        "spec = super().get_asset_spec(props)\n        _ = props.connector_config\n",
        1,
    )
    _, planned = migrated(project, source)
    (manual,) = messages(planned, manual=True)
    assert manual.startswith("class MyTranslator reads props.connector_config: it is None")


def test_a_migrated_translator_is_what_generate_runs(project: Path) -> None:
    write(project, TRANSLATORS)
    assert run_cli("migrate", "--write", "app", cwd=project).code == 0
    assert 'translator = "app.defs:Described"' in (project / "pyproject.toml").read_text()
    done = run_cli("generate", cwd=project)
    assert done.code == 0, done.stderr
    account = connection_module(project, "salesforce").read_text()
    assert 'key=dg.AssetKey(["fivetran", "salesforce", "account"])' in account
    assert 'description="from Fivetran"' in account and 'owners=["team:data"]' in account


def test_the_cli_report_names_file_line_and_column(project: Path) -> None:
    write(project, TRANSLATORS)
    done = run_cli("migrate", "app", cwd=project)
    assert done.code == 0, done.stderr
    assert "+from fivetran_codegen.translator import" in done.stdout
    assert "app/defs.py:6:1: class MyTranslator(DagsterFivetranTranslator)" in done.stderr


# --- the command: dry run, --write, errors, which files -------------------------------------------


def test_dry_run_prints_a_diff_and_writes_nothing(project: Path) -> None:
    path = write(project, CUSTOM)
    generated_module = connection_module(project, "salesforce").read_text()
    done = run_cli("migrate", cwd=project)
    assert done.code == 0, done.stderr
    assert "--- a/app/defs.py\n+++ b/app/defs.py\n" in done.stdout
    assert "--- a/fivetran_defs/connections/salesforce.py" in done.stdout
    assert '+    context.log.info("done")' in done.stdout
    assert "3 file(s) would change" in done.stderr and "--write" in done.stderr
    assert path.read_text() == CUSTOM
    assert connection_module(project, "salesforce").read_text() == generated_module


def test_write_applies_and_a_second_run_has_nothing_to_do(project: Path) -> None:
    path = write(project, CUSTOM)
    done = run_cli("migrate", "--write", cwd=project)
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    assert "3 file(s) written" in done.stderr
    assert "app/defs.py" in done.stderr
    assert "dagster_fivetran" not in path.read_text()
    assert connection_module(project, "stripe").read_text().endswith(STRIPE_BODY)
    again = run_cli("migrate", "--write", cwd=project)
    assert again.code == 0, again.stderr
    assert "0 file(s) written" in again.stderr


def test_a_file_that_does_not_parse_stops_everything(project: Path) -> None:
    good = write(project, CUSTOM, "a_good.py")
    write(project, "from dagster_fivetran import FivetranWorkspace\ndef broken(:\n", "b_bad.py")
    done = run_cli("migrate", "--write", cwd=project)
    assert done.code == 2
    assert done.stdout == ""
    assert "error: app/b_bad.py:2:1: cannot parse it: parser error: " in done.stderr
    assert "\n    def broken(:\n" in done.stderr
    assert "nothing was written" in done.stderr
    assert good.read_text() == CUSTOM
    assert connection_module(project, "salesforce").read_text().endswith(DEFAULT_BODY)


def test_the_command_is_registered(project: Path) -> None:
    done = run_cli("--help", cwd=project)
    assert "migrate" in done.stdout
    usage = run_cli("migrate", "--help", cwd=project)
    assert "--write" in usage.stdout and "--package" in usage.stdout


def test_a_missing_path_is_an_error(project: Path) -> None:
    done = run_cli("migrate", "nowhere", cwd=project)
    assert done.code == 2
    assert "nowhere: no such file or directory" in done.stderr


def test_directories_skip_venvs_caches_the_package_and_unrelated_files(project: Path) -> None:
    bad = "import dagster_fivetran\ndef broken(:\n"
    for skipped in (".venv/lib", "venv", "__pycache__", "node_modules", "env_py/x"):
        (project / skipped).mkdir(parents=True)
        (project / skipped / "m.py").write_text(bad)
    (project / "env_py" / "pyvenv.cfg").write_text("")
    (project / "fivetran_defs" / "mine.py").write_text(bad)
    (project / "app" / "unrelated.py").write_text("def broken(:\n")  # never mentions it
    write(project, "import dagster_fivetran\n")
    planned = plan(project)
    assert planned.files_read == 1


def test_a_named_file_is_read_even_without_dagster_fivetran(project: Path) -> None:
    path = write(project, "def broken(:\n", "plain.py")
    done = run_cli("migrate", str(path), cwd=project)
    assert done.code == 2
    assert "plain.py:1:" in done.stderr


def test_crlf_files_keep_their_line_endings(project: Path) -> None:
    path = project / "app" / "defs.py"
    source = "from dagster_fivetran import FivetranWorkspace\r\nws = FivetranWorkspace(account_id='a', api_key='k', api_secret='s')  # c\r\n"
    path.write_bytes(source.encode())
    planned = plan(path)
    (change,) = planned.changes
    assert change.after == (
        "from fivetran_codegen_runtime import FivetranWorkspace\r\n"
        "ws = FivetranWorkspace(api_key='k', api_secret='s')  # c\r\n"
    )


def test_report_orders_manual_work_first() -> None:
    from fivetran_codegen.migrate.report import render

    notes = [
        Note(Path("b.py"), 3, 1, "changed", manual=False),
        Note(Path("a.py"), 9, 2, "do this", manual=True),
        Note(None, 0, 0, "about everything", manual=True),
    ]
    text = render(notes, cwd=Path.cwd())
    assert text.splitlines() == [
        "Needs manual work (2; lines as they were before migrate):",
        "  about everything",
        "  a.py:9:2: do this",
        "Rewritten; check these differences (1; lines as they were before migrate):",
        "  b.py:3:1: changed",
    ]


def test_workspace_field_table_matches_both_libraries() -> None:
    # Imported here: the rest of the file runs without dagster-fivetran (on dagster 1.10).
    import dagster_fivetran

    ours = set(fivetran_codegen_runtime.FivetranWorkspace.model_fields)
    theirs = set(dagster_fivetran.FivetranWorkspace.model_fields)
    assert set(WORKSPACE_FIELDS) == theirs
    assert {v for v in WORKSPACE_FIELDS.values() if v is not None} <= ours


# --- end to end ---------------------------------------------------------------------------------

E2E = f'''
"""A dagster-fivetran project, as its documentation shows it."""

import dagster as dg
from dagster_fivetran import (
    FivetranWorkspace,
    build_fivetran_assets_definitions,
    build_fivetran_polling_sensor,
    fivetran_assets,
    load_fivetran_asset_specs,
)

fivetran_workspace = FivetranWorkspace(
    account_id="acct",
    api_key=dg.EnvVar("FIVETRAN_API_KEY"),
    api_secret=dg.EnvVar("FIVETRAN_API_SECRET"),
)


@fivetran_assets(connector_id="{SALESFORCE}", workspace=fivetran_workspace, name="salesforce_sync")
def salesforce_assets(context: dg.AssetExecutionContext, fivetran: FivetranWorkspace):
    context.log.info("syncing salesforce")
    yield from fivetran.sync_and_poll(context=context)


all_specs = load_fivetran_asset_specs(fivetran_workspace)
all_assets = build_fivetran_assets_definitions(workspace=fivetran_workspace)
sensor = build_fivetran_polling_sensor(workspace=fivetran_workspace)


@dg.asset(deps=[spec.key for spec in all_specs])
def report() -> None:
    pass


defs = dg.Definitions(
    assets=[salesforce_assets, *all_assets, report],
    resources={{"fivetran": fivetran_workspace}},
    sensors=[sensor],
)
'''


@pytest.mark.e2e
def test_end_to_end_a_dagster_fivetran_project_migrates_and_loads(project: Path) -> None:
    path = write(project, E2E)
    done = run_console_script("migrate", "--write", ".", cwd=project)
    assert done.code == 0, done.stderr
    text = path.read_text()
    assert "dagster_fivetran" not in text
    assert (
        "from fivetran_defs.connections.salesforce import salesforce as salesforce_assets" in text
    )
    validated = dagster_validate(project, "app.defs")
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_a_package_option_that_is_no_module_name_is_refused(project: Path) -> None:
    write(
        project,
        "from dagster_fivetran import load_fivetran_asset_specs\nspecs = load_fivetran_asset_specs(ws)\n",
    )
    done = run_cli("migrate", "--package", "../../evil", "app", cwd=project)
    assert done.code == 2, done.stderr
    assert "--package '../../evil' is not a module name" in done.stderr
    assert "Traceback" not in done.stderr
