"""Jobs and schedules from config, and several Fivetran workspaces (profiles) side by side."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
from fivetran_codegen_runtime.testing import FivetranSimulator

from tests.conftest import commit_all, imported, run_cli

GOLDEN = Path(__file__).parents[1] / "golden"
SAMPLE = GOLDEN / "sample" / "fivetran_snapshot.json"


def test_jobs_and_schedules_from_config(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN / "configured" / "expected", tmp_path, dirs_exist_ok=True)
    with imported(tmp_path, "warehouse_assets") as package:
        repo = package.defs.get_repository_def()
        # Public API only (AssetSelection.resolve): the support range loads this on dagster 1.10.
        jobs = {
            j.name: sorted(k.to_user_string() for k in j.selection.resolve(repo.asset_graph))
            for j in package.defs.jobs
        }
        schedules = {
            s.name: [s.job_name, s.cron_schedule, s.execution_timezone] for s in repo.schedule_defs
        }
    assert sorted(jobs) == ["crm_daily", "everything_on_demand", "warehouse_hourly"]
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
    with imported(work / "expected", "both") as both:
        dg.Definitions.validate_loadable(both.defs)  # as `dagster definitions validate` does
        repo = both.defs.get_repository_def()
        resources = set(repo.get_top_level_resources())
        sensors = sorted(s.name for s in repo.sensor_defs)
        prefixes = sorted({k.path[0] for k in repo.asset_graph.get_all_asset_keys()})
    assert {"fivetran", "fivetran_eu"} <= resources
    assert sensors == ["fivetran_eu_polling_sensor", "fivetran_polling_sensor"]
    assert prefixes == ["eu", "us"]


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


def workspaces_project(tmp_path: Path, extra: str = "") -> Path:
    """The golden two-profile project (us, eu) without its generated packages; `extra` is
    appended to its pyproject.toml."""
    work = tmp_path / "w"
    shutil.copytree(GOLDEN / "workspaces", work, ignore=shutil.ignore_patterns("expected"))
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + extra)
    return work


def test_jobs_belong_to_profiles_and_their_names_to_one_profile(tmp_path: Path) -> None:
    job = 'name = "crm_daily"\nconnections = ["salesforce"]\ncron = "0 6 * * *"\n'
    work = workspaces_project(tmp_path, f"\n[[tool.fivetran-codegen.jobs]]\n{job}")
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "[tool.fivetran-codegen].jobs: jobs in the base table" in run.stderr
    assert "[[tool.fivetran-codegen.profiles.<name>.jobs]]" in run.stderr
    assert not (work / "expected").exists()

    both = workspaces_project(
        tmp_path / "both",
        f"\n[[tool.fivetran-codegen.profiles.us.jobs]]\n{job}"
        f"\n[[tool.fivetran-codegen.profiles.eu.jobs]]\n{job}",
    )
    run = run_cli("generate", cwd=both)
    assert run.code == 2
    assert "the job 'crm_daily' is generated for workspace 'eu' and for workspace 'us'" in (
        run.stderr
    )
    assert "names of their own" in run.stderr
    assert not (both / "expected").exists()

    fixed = workspaces_project(
        tmp_path / "fixed",
        f"\n[[tool.fivetran-codegen.profiles.us.jobs]]\n{job.replace('crm_daily', 'us_crm')}"
        f"\n[[tool.fivetran-codegen.profiles.eu.jobs]]\n{job.replace('crm_daily', 'eu_crm')}",
    )
    assert run_cli("generate", cwd=fixed).code == 0
    eu_init = (fixed / "expected" / "fivetran_eu" / "__init__.py").read_text()
    assert "eu_crm" in eu_init and "us_crm" not in eu_init


def test_a_job_that_selects_no_connection_names_its_profile(tmp_path: Path) -> None:
    work = workspaces_project(
        tmp_path,
        '\n[[tool.fivetran-codegen.profiles.eu.jobs]]\nname = "j"\nconnections = ["nope*"]\n',
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert (
        "[tool.fivetran-codegen.profiles.eu.jobs[0]]: job 'j' selects no generated connection"
        in (run.stderr)
    )


def test_two_profiles_on_one_resource_key_are_refused(tmp_path: Path) -> None:
    work = workspaces_project(tmp_path)
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('resource_key = "fivetran_eu"\n', ""))
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "the resource key 'fivetran' is generated for workspace 'eu' and" in run.stderr
    assert "resource_key" in run.stderr.split("hint:", 1)[1]


def test_two_profiles_writing_one_package_are_refused(tmp_path: Path) -> None:
    work = workspaces_project(tmp_path)
    pyproject = work / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'output = "expected/fivetran_eu"', 'output = "expected/fivetran_us"'
        )
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "the package directory" in run.stderr and "its own output" in run.stderr


def test_an_error_in_the_base_table_is_reported_where_it_was_written(tmp_path: Path) -> None:
    work = workspaces_project(
        tmp_path, '\n[[tool.fivetran-codegen.jobs]]\nname = "j"\ncorn = "0 6 * * *"\n'
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "[tool.fivetran-codegen.jobs[0]].corn" in run.stderr
    assert "profiles" not in run.stderr.split("hint:", 1)[0]


def test_a_timezone_that_does_not_exist_is_refused_at_generate_time(tmp_path: Path) -> None:
    work = project(
        tmp_path,
        '[[tool.fivetran-codegen.jobs]]\nname = "j"\ncron = "0 6 * * *"\n'
        'timezone = "Europe/Berlinn"\n',
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "timezone 'Europe/Berlinn' is not a time zone name" in run.stderr
    assert "[tool.fivetran-codegen.jobs[0]].timezone" in run.stderr
    assert "did you mean 'Europe/Berlin'?" in run.stderr
    assert not (work / "fivetran_defs").exists()


def profile_env(sim: FivetranSimulator) -> dict[str, str]:
    return {
        "FIVETRAN_API_KEY": sim.api_key,
        "FIVETRAN_API_SECRET": sim.api_secret,
        "FIVETRAN_EU_API_KEY": sim.api_key,
        "FIVETRAN_EU_API_SECRET": sim.api_secret,
        "FIVETRAN_API_URL": sim.url,
    }


def test_snapshot_without_a_profile_takes_every_profiles_snapshot(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    work = workspaces_project(tmp_path)
    shutil.rmtree(work / "snapshots")
    env = profile_env(sim)
    missing = run_cli(
        "snapshot", "--no-progress", cwd=work, env={**env, "FIVETRAN_EU_API_SECRET": ""}
    )
    assert missing.code == 2
    assert "FIVETRAN_EU_API_SECRET" in missing.stderr
    assert not (work / "snapshots").exists()  # checked before the first workspace was read

    run = run_cli("snapshot", "--no-progress", "--json", cwd=work, env=env)
    assert run.code == 0, run.stderr
    assert "Profile eu:" in run.stderr and "Profile us:" in run.stderr
    summary = json.loads(run.stdout)
    assert sorted(summary["profiles"]) == ["eu", "us"]
    assert summary["profiles"]["eu"]["output"].endswith("eu.json")
    for name in ("us", "eu"):
        names = {
            c["name"]
            for c in json.loads((work / "snapshots" / f"{name}.json").read_text())["connections"]
        }
        assert names == {"salesforce", "hubspot"}  # the shared include applies to both
    assert run_cli("generate", cwd=work).code == 0


def test_snapshot_reads_the_snapshot_path_and_selection_from_the_config(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fivetran-codegen]\nsnapshot = "fivetran/prod.json"\nexclude = ["github"]\n'
    )
    run = run_cli("snapshot", "--no-progress", cwd=tmp_path, sim=sim)
    assert run.code == 0, run.stderr
    assert not (tmp_path / "fivetran_snapshot.json").exists()
    names = {
        c["name"]
        for c in json.loads((tmp_path / "fivetran" / "prod.json").read_text())["connections"]
    }
    assert "github" not in names and "salesforce" in names
    assert run_cli("generate", cwd=tmp_path).code == 0  # reads the same file


def test_the_terraform_variable_names_still_work_with_a_config(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.fivetran-codegen]\n")
    env = {
        "FIVETRAN_APIKEY": sim.api_key,
        "FIVETRAN_APISECRET": sim.api_secret,
        "FIVETRAN_API_URL": sim.url,
    }
    run = run_cli("snapshot", "--no-progress", cwd=tmp_path, env=env)
    assert run.code == 0, run.stderr
    # The same workspace as with Dagster's names, byte for byte, and every call authenticated.
    dagster_names = tmp_path / "dagster-names"
    dagster_names.mkdir()
    (dagster_names / "pyproject.toml").write_text("[tool.fivetran-codegen]\n")
    assert run_cli("snapshot", "--no-progress", cwd=dagster_names, sim=sim).code == 0
    written = (tmp_path / "fivetran_snapshot.json").read_bytes()
    assert written == (dagster_names / "fivetran_snapshot.json").read_bytes()
    names = {c["name"] for c in json.loads(written)["connections"]}
    assert names == {c.schema for c in sim.workspace.connections.values()}
    assert sim.request_log and not {401, 403} & {r.status for r in sim.request_log}


def committed_workspaces(tmp_path: Path) -> Path:
    """The two-profile project generated and committed in a git repository."""
    work = workspaces_project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    commit_all(work, "generated", init=True)
    return work


def rename_table(snapshot: Path, old: str, new: str) -> None:
    text = snapshot.read_text()
    assert f'"name_in_destination": "{old}"' in text
    snapshot.write_text(
        text.replace(f'"name_in_destination": "{old}"', f'"name_in_destination": "{new}"', 1)
    )


def test_diff_covers_every_profile_with_its_own_keys(tmp_path: Path) -> None:
    work = committed_workspaces(tmp_path)
    rename_table(work / "snapshots" / "eu.json", "opportunity", "opps")

    text = run_cli("diff", cwd=work)
    assert text.code == 0, text.stderr
    assert "eu: 1 asset key change(s)" in text.stdout
    assert "us: no changes for Dagster" in text.stdout
    assert "eu/salesforce/opportunity -> eu/salesforce/opps" in text.stdout  # eu's key_prefix

    markdown = run_cli("diff", "--format", "markdown", cwd=work).stdout
    assert "### Fivetran changes for Dagster: `eu`" in markdown
    assert "### Fivetran changes for Dagster: `us`" in markdown

    as_json = run_cli("diff", "--format", "json", "--detailed-exitcode", cwd=work)
    assert as_json.code == 2
    profiles = json.loads(as_json.stdout)["profiles"]
    assert profiles["eu"]["summary"] == "1 asset key change(s)"
    assert profiles["us"]["summary"] == "no changes for Dagster"

    one = run_cli("diff", "--profile", "us", "--detailed-exitcode", cwd=work)
    assert one.code == 0 and one.stdout == "no changes for Dagster\n"
    by_file = run_cli("diff", "HEAD:snapshots/eu.json", "snapshots/eu.json", cwd=work)
    assert by_file.stdout.startswith("1 asset key change(s)")
    assert "eu/salesforce/opportunity -> eu/salesforce/opps" in by_file.stdout
    missing = run_cli("diff", "--profile", "uk", cwd=work)
    assert missing.code == 2 and "no profile 'uk'" in missing.stderr


def test_generate_names_the_profile_whose_snapshot_changed(tmp_path: Path) -> None:
    work = committed_workspaces(tmp_path)
    rename_table(work / "snapshots" / "eu.json", "opportunity", "opps")
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert (
        "Fivetran changes since HEAD: 1 asset key change(s) "
        "(`fivetran-codegen diff --profile eu` lists them)."
    ) in run.stderr
    assert run.stderr.count("Fivetran changes") == 1


def test_a_base_package_left_behind_by_profiles_is_pointed_out(tmp_path: Path) -> None:
    work = workspaces_project(tmp_path)
    profiles = (work / "pyproject.toml").read_text()
    shutil.copy(work / "snapshots" / "us.json", work / "fivetran_snapshot.json")
    (work / "pyproject.toml").write_text("[tool.fivetran-codegen]\n")  # before profiles
    assert run_cli("generate", cwd=work).code == 0
    assert (work / "fivetran_defs" / "_manifest.json").is_file()
    (work / "pyproject.toml").write_text(profiles)
    run = run_cli("generate", "--check", cwd=work)
    assert "warning: " in run.stderr and "fivetran_defs was generated from the base table" in (
        run.stderr
    )
    shutil.rmtree(work / "fivetran_defs")
    assert "base table" not in run_cli("generate", cwd=work).stderr


def test_paths_on_the_command_line_need_a_profile_when_there_are_profiles(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    work = workspaces_project(tmp_path)
    for args in (("generate", "--out", "elsewhere"), ("snapshot", "-o", "x.json")):
        run = run_cli(*args, cwd=work, sim=sim)
        assert run.code == 2, run.stderr
        assert "the config defines profiles (eu, us)" in run.stderr
        assert "add --profile NAME" in run.stderr
    assert not (work / "elsewhere").exists() and not (work / "x.json").exists()
    one = run_cli("generate", "--profile", "us", "--out", "elsewhere", cwd=work)
    assert one.code == 0, one.stderr
    assert (work / "elsewhere" / "__init__.py").is_file()


def test_generate_heads_each_profiles_report(tmp_path: Path) -> None:
    run = run_cli("generate", cwd=workspaces_project(tmp_path))
    assert run.code == 0, run.stderr
    lines = run.stderr.splitlines()
    eu, us = lines.index("Profile eu:"), lines.index("Profile us:")
    assert eu < us
    assert "fivetran_eu" in "\n".join(lines[eu:us]) and "fivetran_us" in "\n".join(lines[us:])


def test_missing_credentials_name_the_profile(sim: FivetranSimulator, tmp_path: Path) -> None:
    work = workspaces_project(tmp_path)
    env = {**profile_env(sim), "FIVETRAN_EU_API_KEY": ""}
    run = run_cli("snapshot", "--no-progress", cwd=work, env=env)
    assert run.code == 2
    assert "environment (profile 'eu'): no Fivetran credentials: FIVETRAN_EU_API_KEY" in run.stderr


def test_diff_shows_a_profile_added_since_as_all_new(tmp_path: Path) -> None:
    work = committed_workspaces(tmp_path)
    pyproject = work / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.fivetran-codegen.profiles.apac]\nsnapshot = "snapshots/apac.json"\n'
        'output = "expected/fivetran_apac"\nkey_prefix = ["apac"]\nresource_key = "fivetran_apac"\n'
    )
    shutil.copy(work / "snapshots" / "us.json", work / "snapshots" / "apac.json")
    run = run_cli("diff", "--detailed-exitcode", cwd=work)
    assert run.code == 2, run.stderr
    assert "apac: 7 connection(s) added" in run.stdout  # all of its snapshot is new
    assert "eu: no changes for Dagster" in run.stdout
    alone = run_cli("diff", "--profile", "apac", cwd=work)
    assert alone.code == 2 and "snapshots/apac.json is not committed at HEAD" in alone.stderr


def test_a_job_without_connections_or_groups_is_a_config_error(tmp_path: Path) -> None:
    work = project(
        tmp_path, '[[tool.fivetran-codegen.jobs]]\nname = "nightly"\ncron = "0 2 * * *"\n'
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "job 'nightly' selects nothing" in run.stderr
    assert "[tool.fivetran-codegen.jobs[0]]" in run.stderr and 'connections = ["*"]' in run.stderr
    assert not (work / "fivetran_defs").exists()
