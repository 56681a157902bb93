"""A `dg` project: `generate` into its defs folder; `dg check defs` and `dg list defs` work offline.

The project is scaffolded by `create-dagster project --no-uv-sync` (no virtualenv, no download)
and not installed: PYTHONPATH=src stands in for the `uv sync` / `pip install -e .` a user runs,
so this venv is left as it is. Where `unshare -rn` is allowed (as on CI here), scaffolding and
every `dg` command run without a network, which proves they need none.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

SAMPLE = Path(__file__).parent / "golden" / "sample" / "fivetran_snapshot.json"
VENV_BIN = Path(sys.executable).parent
NAME = "fivetran_dg"
DEFS_FOLDER = f"src/{NAME}/defs/fivetran"
CONFIG = f"""
[tool.fivetran-codegen]
snapshot = "fivetran_snapshot.json"
output = "{DEFS_FOLDER}"
polling_sensor = {{ enabled = true }}
"""
# A dg component that loads the package through its `defs` alone, instead of dg's autoloading of
# every module in the folder. Files of the user's own in the package are kept by `generate`.
DEFINITIONS_COMPONENT = "type: dagster.DefinitionsComponent\nattributes:\n  path: __init__.py\n"


@functools.cache
def offline() -> tuple[str, ...]:
    """A command prefix that takes the network away (only a loopback, down), if allowed here."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    return ("unshare", "-rn") if probe.returncode == 0 else ()


def environment(tmp_path: Path, project: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FIVETRAN_", "DAGSTER_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    (tmp_path / "home").mkdir(exist_ok=True)
    env.update(
        HOME=str(tmp_path / "home"),  # dg's user config and telemetry stay in the test
        PATH=os.pathsep.join([str(VENV_BIN), env.get("PATH", "/usr/bin:/bin")]),
        VIRTUAL_ENV=sys.prefix,
        PYTHONPATH=str(project / "src"),
        DAGSTER_DG_UPDATE_CHECK_ENABLED="0",  # no PyPI version check
    )
    return env


def run(
    args: Sequence[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*offline(), *(str(a) for a in args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def scaffold(tmp_path: Path) -> Path:
    project = tmp_path / NAME
    done = run(
        [VENV_BIN / "create-dagster", "project", "--no-uv-sync", NAME],
        tmp_path,
        environment(tmp_path, project),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    definitions = (project / "src" / NAME / "definitions.py").read_text()
    assert "load_from_defs_folder" in definitions  # the layout this test is about
    assert (project / "src" / NAME / "defs" / "__init__.py").is_file()
    return project


def package_view(project: Path, env: dict[str, str]) -> dict[str, Any]:
    """What the generated package itself declares, read by importing it."""
    code = (
        f"import json; from {NAME}.defs import fivetran as f; print(json.dumps({{"
        "'keys': [s.key.to_user_string() for s in f.ALL_SPECS],"
        "'sensors': [s.name for s in f.defs.sensors or []],"
        "'resources': sorted(f.defs.resources or {})}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    view: dict[str, Any] = json.loads(done.stdout)
    return view


@pytest.mark.e2e
@pytest.mark.parametrize("with_component_yaml", [False, True], ids=["as-generated", "defs-yaml"])
def test_dg_check_and_list_defs_see_the_generated_assets_once(
    tmp_path: Path, with_component_yaml: bool
) -> None:
    """dg autoloads every module of the defs folder and takes its module-level definitions,
    including lists of AssetSpec, and merges them with the package's `defs`; the same object twice
    is deduplicated. `as-generated`: the package in the folder as `generate` writes it (a
    connection module's `SPECS` must then not be a module-level list, or its tables are loaded
    twice, once as external assets: "Asset key github/commit is defined multiple times").
    `defs-yaml`: with a defs.yaml of the user's own that loads the package through `defs` only."""
    project = scaffold(tmp_path)
    env = environment(tmp_path, project)
    shutil.copy(SAMPLE, project / "fivetran_snapshot.json")
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write(CONFIG)
    generated = run_cli("generate", cwd=project)
    assert generated.code == 0, generated.stdout + generated.stderr
    package = project / DEFS_FOLDER
    if with_component_yaml:
        (package / "defs.yaml").write_text(DEFINITIONS_COMPONENT)
        still_current = run_cli("generate", "--check", cwd=project)
        assert still_current.code == 0, still_current.stdout + still_current.stderr

    expected = package_view(project, env)
    assert len(expected["keys"]) == 17
    assert {"salesforce/account", "pg_prod_public/order_items"} <= set(expected["keys"])

    checked = run([VENV_BIN / "dg", "check", "defs", "--use-active-venv"], project, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "All definitions loaded successfully." in checked.stdout + checked.stderr

    listed = run([VENV_BIN / "dg", "list", "defs", "--json"], project, env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    defs = json.loads(listed.stdout)
    assert sorted(a["asset_key"] for a in defs["assets"]) == sorted(expected["keys"])
    assert {a["asset_key"]: a["group_name"] for a in defs["assets"]}["salesforce/account"] == (
        "salesforce"
    )
    assert [r["name"] for r in defs["resources"]] == expected["resources"] == ["fivetran"]
    assert defs["resources"][0]["type"].endswith(".FivetranWorkspace")
    assert [s["name"] for s in defs["sensors"]] == expected["sensors"]
    assert expected["sensors"] == ["fivetran_polling_sensor"]
