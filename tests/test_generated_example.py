"""`generated_example/` loads, and the README's walk-through works end to end.

That it is what `generate` writes is a golden case (tests/test_generate.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fivetran_codegen_runtime.testing import FivetranSimulator
from fivetran_codegen_runtime.testing.workspace import SimTable

from tests.conftest import dagster_validate, run_console_script

EXAMPLE = Path(__file__).resolve().parents[1] / "generated_example"
DAGSTER = Path(sys.executable).parent / "dagster"
DEFAULT_BODY = "    yield from fivetran.sync_and_poll(context=context, config=config)\n"


@pytest.mark.e2e
def test_the_example_loads_with_dagster_definitions_validate() -> None:
    done = dagster_validate(EXAMPLE, "example_project.definitions")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_example_shows_a_customised_function_and_a_downstream_asset() -> None:
    salesforce = (EXAMPLE / "fivetran_defs" / "connections" / "salesforce.py").read_text()
    assert not salesforce.endswith(DEFAULT_BODY)
    assert ".fetch_column_metadata()" in salesforce
    user_module = (EXAMPLE / "example_project" / "definitions.py").read_text()
    assert 'dg.AssetKey(["salesforce", "account"])' in user_module


@pytest.mark.e2e
def test_readme_walkthrough_snapshot_generate_validate_edit_regenerate(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    assert run_console_script("snapshot", cwd=tmp_path, sim=sim).code == 0
    generated = run_console_script("generate", cwd=tmp_path)
    assert generated.code == 0, generated.stderr
    done = dagster_validate(tmp_path, "fivetran_defs")
    assert done.returncode == 0, done.stdout + done.stderr

    module = tmp_path / "fivetran_defs" / "connections" / "hubspot.py"
    edited = module.read_text().removesuffix(DEFAULT_BODY) + (
        "    context.log.info('hubspot, my way')\n" + DEFAULT_BODY
    )
    module.write_text(edited)
    # Fivetran changes: a table is added to hubspot; snapshot and regenerate.
    connection = sim.workspace.connections["macaroni_unwieldy"]
    assert connection.schema_config is not None
    schema = next(iter(connection.schema_config.values()))
    schema.tables["ticket"] = SimTable(name="ticket", name_in_destination="ticket")
    assert run_console_script("snapshot", cwd=tmp_path, sim=sim).code == 0
    regenerated = run_console_script("generate", cwd=tmp_path)
    assert regenerated.code == 0, regenerated.stderr
    text = module.read_text()
    assert 'dg.AssetKey(["hubspot", "ticket"])' in text
    assert text.endswith("    context.log.info('hubspot, my way')\n" + DEFAULT_BODY)
    assert dagster_validate(tmp_path, "fivetran_defs").returncode == 0
