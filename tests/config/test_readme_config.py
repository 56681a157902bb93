"""The README's `[tool.fivetran-codegen]` examples work as written: each TOML block, taken from
the README itself, generates a package from the sample snapshot that Dagster loads (in this
process, with the checks `dagster definitions validate` makes)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import ModuleType

import dagster as dg
import tomllib

from tests.conftest import imported, run_cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "golden" / "sample" / "fivetran_snapshot.json"


def readme_toml(first_line: str) -> str:
    """The README's ```toml block whose first line starts with `first_line`."""
    blocks = re.findall(r"```toml\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)
    found = [b for b in blocks if b.startswith(first_line)]
    assert len(found) == 1, f"the README has {len(found)} toml blocks starting {first_line!r}"
    return found[0]


def generate_ok(work: Path) -> str:
    done = run_cli("generate", cwd=work)
    assert done.code == 0, done.stderr
    return done.stderr


def repository(module: ModuleType) -> dg.RepositoryDefinition:
    """The module's `defs`, validated as Dagster validates them on loading."""
    defs = module.defs
    assert isinstance(defs, dg.Definitions)
    dg.Definitions.validate_loadable(defs)
    return defs.get_repository_def()


def test_the_settings_reference_block(tmp_path: Path) -> None:
    block = readme_toml('[tool.fivetran-codegen]\nsnapshot = "fivetran_snapshot.json"')
    # its per-connection table is written as a placeholder; name a real connection
    block = block.replace("<connection id or name>", "salesforce")
    tomllib.loads(block)
    shutil.copy(SAMPLE, tmp_path / "fivetran_snapshot.json")
    (tmp_path / "pyproject.toml").write_text(block)
    generate_ok(tmp_path)
    with imported(tmp_path, "fivetran_defs") as package:
        repository(package)
        keys = {"/".join(spec.key.path) for spec in package.ALL_SPECS}
    # the salesforce override's key_prefix replaces the global one; the others keep it
    assert {"eu/salesforce/account", "fivetran/stripe/charge"} <= keys
    assert not [key for key in keys if "google_sheets" in key]


def test_the_jobs_block(tmp_path: Path) -> None:
    block = readme_toml("[[tool.fivetran-codegen.jobs]]")
    shutil.copy(SAMPLE, tmp_path / "fivetran_snapshot.json")
    (tmp_path / "pyproject.toml").write_text(block)
    generate_ok(tmp_path)
    with imported(tmp_path, "fivetran_defs") as package:
        schedules = [
            (s.name, s.cron_schedule, s.execution_timezone)
            for s in repository(package).schedule_defs
        ]
    assert schedules == [("crm_daily_schedule", "0 6 * * *", "Europe/Berlin")]


def test_the_profiles_block(tmp_path: Path) -> None:
    block = readme_toml("[tool.fivetran-codegen]                    # what the profiles share")
    (tmp_path / "snapshots").mkdir()
    for name in ("us", "eu"):
        shutil.copy(SAMPLE, tmp_path / "snapshots" / f"{name}.json")
    (tmp_path / "pyproject.toml").write_text(block)
    generate_ok(tmp_path)
    (tmp_path / "both.py").write_text(
        "import dagster as dg\nimport fivetran_eu\nimport fivetran_us\n\n"
        "defs = dg.Definitions.merge(fivetran_us.defs, fivetran_eu.defs)\n"
    )
    with imported(tmp_path, "both") as both:
        repo = repository(both)
        names = (
            sorted(repo.get_top_level_resources()),
            sorted(s.name for s in repo.sensor_defs),
            sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        )
    assert names == (
        ["fivetran", "fivetran_eu"],
        ["fivetran_eu_polling_sensor", "fivetran_polling_sensor"],
        ["eu_daily"],
    )
