"""Jobs and schedules from config, and several Fivetran workspaces (profiles) side by side."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fivetran_codegen_runtime.testing import FivetranSimulator

from tests.conftest import dagster_validate, run_cli

GOLDEN = Path(__file__).parent / "golden"
SAMPLE = GOLDEN / "sample" / "fivetran_snapshot.json"


def load(project: Path, script: str) -> object:
    env = {**os.environ, "PYTHONPATH": str(project)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_jobs_and_schedules_from_config(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN / "configured" / "expected", tmp_path, dirs_exist_ok=True)
    loaded = load(
        tmp_path,
        "import json, warehouse_assets as p\n"
        "repo = p.defs.get_repository_def()\n"
        "jobs = {j: sorted(k.to_user_string() for k in repo.get_job(j).asset_layer.selected_asset_keys)\n"
        "        for j in ('crm_daily', 'warehouse_hourly', 'everything_on_demand')}\n"
        "schedules = {s.name: [s.job_name, s.cron_schedule, s.execution_timezone]\n"
        "             for s in repo.schedule_defs}\n"
        "print(json.dumps({'jobs': jobs, 'schedules': schedules}))\n",
    )
    assert isinstance(loaded, dict)
    jobs, schedules = loaded["jobs"], loaded["schedules"]
    # salesforce's keys are overridden to crm/<source table>; hubspot's keep their schema
    assert all(k.startswith("fivetran/crm/") or "/hubspot/" in k for k in jobs["crm_daily"])
    assert any(k.startswith("fivetran/crm/") for k in jobs["crm_daily"])
    assert any("/hubspot/" in k for k in jobs["crm_daily"])
    assert any("pg_prod_public" in k for k in jobs["warehouse_hourly"])
    assert len(jobs["everything_on_demand"]) > len(jobs["crm_daily"])
    assert sorted(schedules.values()) == [
        ["crm_daily", "0 6 * * *", "Europe/Berlin"],
        ["warehouse_hourly", "0 * * * *", None],
    ]


def project(tmp_path: Path, settings: str) -> Path:
    shutil.copy(SAMPLE, tmp_path / "fivetran_snapshot.json")
    (tmp_path / "pyproject.toml").write_text(f"[tool.fivetran-codegen]\n{settings}")
    return tmp_path


def test_a_job_that_selects_nothing_is_an_error(tmp_path: Path) -> None:
    work = project(
        tmp_path, '[[tool.fivetran-codegen.jobs]]\nname = "j"\nconnections = ["nope*"]\n'
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "job 'j' selects no generated connection" in run.stderr
    assert not (work / "fivetran_defs").exists()


def test_a_job_naming_an_unknown_group_suggests_one(tmp_path: Path) -> None:
    work = project(
        tmp_path, '[[tool.fivetran-codegen.jobs]]\nname = "j"\ngroups = ["salesforse"]\n'
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "did you mean 'salesforce'?" in run.stderr


def test_a_bad_cron_names_the_job(tmp_path: Path) -> None:
    work = project(tmp_path, '[[tool.fivetran-codegen.jobs]]\nname = "j"\ncron = "daily"\n')
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "[tool.fivetran-codegen.jobs[0]].cron" in run.stderr


def test_two_workspaces_generate_two_packages_that_load_together(tmp_path: Path) -> None:
    shutil.copytree(
        GOLDEN / "workspaces", tmp_path / "w", ignore=shutil.ignore_patterns("expected")
    )
    work = tmp_path / "w"
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert (work / "expected" / "fivetran_us" / "__init__.py").is_file()
    assert (work / "expected" / "fivetran_eu" / "__init__.py").is_file()
    assert run_cli("generate", "--check", cwd=work).code == 0
    (work / "expected" / "both.py").write_text(
        "import dagster as dg\nimport fivetran_eu\nimport fivetran_us\n\n"
        "defs = dg.Definitions.merge(fivetran_us.defs, fivetran_eu.defs)\n"
    )
    env_ok = dagster_validate(work / "expected", "both")
    assert env_ok.returncode == 0, env_ok.stdout + env_ok.stderr
    loaded = load(
        work / "expected",
        "import json, both\n"
        "repo = both.defs.get_repository_def()\n"
        "print(json.dumps({'resources': sorted(repo.get_top_level_resources()),\n"
        "  'sensors': sorted(s.name for s in repo.sensor_defs),\n"
        "  'prefixes': sorted({k.path[0] for k in repo.asset_graph.get_all_asset_keys()})}))\n",
    )
    assert isinstance(loaded, dict)
    assert {"fivetran", "fivetran_eu"} <= set(loaded["resources"])
    assert loaded["sensors"] == ["fivetran_eu_polling_sensor", "fivetran_polling_sensor"]
    assert loaded["prefixes"] == ["eu", "us"]


def test_one_profile_at_a_time_and_a_missing_profile(tmp_path: Path) -> None:
    shutil.copytree(
        GOLDEN / "workspaces", tmp_path / "w", ignore=shutil.ignore_patterns("expected")
    )
    work = tmp_path / "w"
    run = run_cli("generate", "--profile", "eu", cwd=work)
    assert run.code == 0, run.stderr
    assert (work / "expected" / "fivetran_eu").is_dir()
    assert not (work / "expected" / "fivetran_us").exists()
    missing = run_cli("generate", "--profile", "usa", cwd=work)
    assert missing.code == 2
    assert "no profile 'usa'" in missing.stderr and "did you mean 'us'?" in missing.stderr


def test_keys_shared_by_two_workspaces_are_refused(tmp_path: Path) -> None:
    shutil.copytree(
        GOLDEN / "workspaces", tmp_path / "w", ignore=shutil.ignore_patterns("expected")
    )
    work = tmp_path / "w"
    text = (
        (work / "pyproject.toml").read_text().replace('key_prefix = ["eu"]', 'key_prefix = ["us"]')
    )
    (work / "pyproject.toml").write_text(text)
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "for workspace 'eu'" in run.stderr and "workspace 'us'" in run.stderr
    assert "key_prefix" in run.stderr
    assert not (work / "expected").exists()


def test_snapshot_with_a_profile_uses_its_path_and_credentials(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    shutil.copytree(
        GOLDEN / "workspaces",
        tmp_path / "w",
        ignore=shutil.ignore_patterns("expected", "snapshots"),
    )
    work = tmp_path / "w"
    (work / "snapshots").mkdir()
    env = {
        "FIVETRAN_EU_API_KEY": sim.api_key,
        "FIVETRAN_EU_API_SECRET": sim.api_secret,
        "FIVETRAN_API_URL": sim.url,
    }
    run = run_cli("snapshot", "--profile", "eu", "--no-progress", cwd=work, env=env)
    assert run.code == 0, run.stderr
    assert (work / "snapshots" / "eu.json").is_file()
    # the profile's include applies: only salesforce and hubspot were read
    names = {
        c["name"] for c in json.loads((work / "snapshots" / "eu.json").read_text())["connections"]
    }
    assert names == {"salesforce", "hubspot"}
    missing = run_cli("snapshot", "--profile", "us", "--no-progress", cwd=work, env=env)
    assert missing.code == 2
    assert "FIVETRAN_API_KEY" in missing.stderr
