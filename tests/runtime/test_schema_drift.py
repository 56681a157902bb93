"""Schema drift, checked on every run: the real pipeline (snapshot of the simulator, generate,
the generated module loaded), then the simulator changes its workspace, then a real
materialization, whose check results and run log must name what changed and the fix."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from fivetran_codegen_runtime import (
    FivetranConnection,
    FivetranEvent,
    FivetranWorkspace,
    fivetran_assets,
    schema_check_specs,
)
from fivetran_codegen_runtime.testing import (
    FaultRule,
    FivetranSimulator,
    SimColumn,
    SimTable,
)

from tests.conftest import imported, run_cli
from tests.runtime_support import make_workspace, user_logs

SALESFORCE = "speak_inexpensive"
SCHEMAS = f"/v1/connections/{SALESFORCE}/schemas"
FIX = "fivetran-codegen snapshot && fivetran-codegen generate"


def generated(root: Path, sim: FivetranSimulator, settings: str = "") -> Path:
    """The sample workspace, snapshotted with full column lists and generated."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f"[tool.fivetran-codegen]\n{settings}")
    assert run_cli("snapshot", "--columns", cwd=root, sim=sim).code == 0
    result = run_cli("generate", cwd=root)
    assert result.code == 0, result.stderr
    return root


def materialize(
    root: Path, sim: FivetranSimulator, instance: dg.DagsterInstance, module: str = "salesforce"
) -> dg.ExecuteInProcessResult:
    with imported(root, "fivetran_defs"):
        assets = getattr(importlib.import_module(f"fivetran_defs.connections.{module}"), module)
        return dg.materialize(
            [assets],
            resources={"fivetran": make_workspace(sim)},
            instance=instance,
            raise_on_error=False,
        )


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}


def warnings(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return user_logs(instance, run_id, logging.WARNING)


def edit(sim: FivetranSimulator) -> dict[str, SimTable]:
    connection = sim.workspace.connections[SALESFORCE]
    assert connection.schema_config is not None
    return connection.schema_config["salesforce"].tables


def test_an_unchanged_workspace_passes_every_check_with_one_more_call(
    tmp_path: Path, sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    root = generated(tmp_path, sim)
    sim.reset_log()
    result = materialize(root, sim, instance)
    assert result.success
    found = checks(result)
    assert set(found) == {"account", "contact", "opportunity"}
    assert all(e.passed for e in found.values())
    assert sim.count("GET", SCHEMAS) == 1
    assert not [w for w in warnings(instance, result.run_id) if FIX in w]


def test_a_disabled_table_and_a_renamed_one_warn_and_name_the_fix(
    tmp_path: Path, sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    root = generated(tmp_path, sim)
    with sim.lock:
        edit(sim)["Contact"].enabled = False
        edit(sim)["Opportunity"].name_in_destination = "opportunities"
    result = materialize(root, sim, instance)
    assert result.success  # drift warns; it never fails the run
    found = checks(result)
    contact, opportunity, account = found["contact"], found["opportunity"], found["account"]
    assert not contact.passed and contact.severity == dg.AssetCheckSeverity.WARN
    assert "Fivetran no longer syncs salesforce.contact: it is disabled" in str(contact.description)
    assert not opportunity.passed and opportunity.severity == dg.AssetCheckSeverity.WARN
    assert "removed, or renamed in the destination" in str(opportunity.description)
    # The renamed table is a table the code lacks: every check of the connection says so.
    assert not account.passed and account.severity == dg.AssetCheckSeverity.WARN
    stale = "generated code is stale: 1 new table(s) in the connection: salesforce.opportunities"
    assert all(stale in str(e.description) for e in found.values())
    assert all(FIX in str(e.description) for e in found.values())
    logged = warnings(instance, result.run_id)
    assert any("salesforce.contact" in w and FIX in w for w in logged)
    assert any("salesforce.opportunities" in w and "stale" in w for w in logged)


def test_a_new_table_in_fivetran_makes_the_code_stale(
    tmp_path: Path, sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    root = generated(tmp_path, sim)
    with sim.lock:
        edit(sim)["Lead"] = SimTable("Lead", "lead", columns=[SimColumn("Id", "id")])
    result = materialize(root, sim, instance)
    assert result.success
    found = checks(result)
    assert set(found) == {"account", "contact", "opportunity"}
    assert all(not e.passed and e.severity == dg.AssetCheckSeverity.WARN for e in found.values())
    assert all(
        "1 new table(s) in the connection: salesforce.lead" in str(e.description)
        for e in found.values()
    )


def test_columns_the_snapshot_knew_are_checked(
    tmp_path: Path, sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    root = generated(tmp_path, sim)
    with sim.lock:
        account = edit(sim)["Account"]
        name = next(c for c in account.columns if c.name == "Name")
        name.enabled, name.in_schema_config = False, True  # a user excluded it
        account.columns.append(SimColumn("Website", "website", in_schema_config=True))
    result = materialize(root, sim, instance)
    assert result.success
    found = checks(result)
    description = str(found["account"].description)
    assert not found["account"].passed
    assert "1 column(s) no longer synced: name" in description
    assert "1 column(s) the code does not have: website" in description
    assert found["contact"].passed and found["opportunity"].passed


def test_a_failed_schema_read_never_fails_the_run_and_skips_the_checks(
    tmp_path: Path, sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    root = generated(tmp_path, sim)
    sim.add_fault(FaultRule(status=500, times=None, method="GET", path=SCHEMAS))
    result = materialize(root, sim, instance)
    assert result.success
    assert checks(result) == {}  # not evaluated: Dagster shows no result for this run
    assert len(result.get_asset_materialization_events()) == 3
    logged = warnings(instance, result.run_id)
    assert any("no schema drift check (fivetran_schema skipped) this run" in w for w in logged)


def test_checks_and_column_metadata_share_one_schema_config_read(
    tmp_path: Path, sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    root = generated(tmp_path, sim)
    with imported(root, "fivetran_defs"):
        module = importlib.import_module("fivetran_defs.connections.salesforce")

        @fivetran_assets(
            connection=module.CONNECTION, specs=module.SPECS, check_specs=module.CHECK_SPECS
        )
        def with_columns(
            context: dg.AssetExecutionContext, fivetran: FivetranWorkspace
        ) -> Iterator[FivetranEvent]:
            yield from fivetran.sync_and_poll(context=context).fetch_column_metadata()

        sim.reset_log()
        result = dg.materialize(
            [with_columns], resources={"fivetran": make_workspace(sim)}, instance=instance
        )
    assert result.success and set(checks(result)) == {"account", "contact", "opportunity"}
    assert all(e.passed for e in checks(result).values())
    assert sim.count("GET", SCHEMAS) == 1
    assert sim.count("GET", f"{SCHEMAS}/*/tables/*/columns") == 3


def test_schema_checks_false_declares_none_and_reads_nothing(
    tmp_path: Path, sim: FivetranSimulator, instance: dg.DagsterInstance
) -> None:
    root = generated(tmp_path, sim, "schema_checks = false\n")
    assert (
        "CHECK_SPECS" not in (root / "fivetran_defs" / "connections" / "salesforce.py").read_text()
    )
    sim.reset_log()
    result = materialize(root, sim, instance)
    assert result.success and checks(result) == {}
    assert sim.count("GET", SCHEMAS) == 0


def test_a_key_dagster_cannot_name_a_check_output_for_gets_no_check() -> None:
    """Asset outputs of such keys are renamed (`_outs_for_unsafe_keys`); check outputs cannot be."""
    connection = FivetranConnection(id="c1", name="odd", service="s", group_id="g")
    keys = [["sales", "orders"], ["sales", "order items: 2024"], ["a-b"], ["a_b"]]
    specs = [
        dg.AssetSpec(key=key, metadata={"dagster-fivetran/connector_id": "c1"}) for key in keys
    ]

    @fivetran_assets(connection=connection, specs=specs, check_specs=schema_check_specs(specs))
    def odd(context: dg.AssetExecutionContext):  # type: ignore[no-untyped-def]
        yield from ()

    assert {key.asset_key.path[-1] for key in odd.check_keys} == {"orders"}
