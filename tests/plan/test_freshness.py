"""`freshness_policy`: "from_schedule" mapped from every schedule shape to the exact policy, the
policy written once per connection module, what it refuses, and what a schedule change shows."""

from __future__ import annotations

import datetime
import difflib
import json
from pathlib import Path

import dagster as dg
import pytest
from fivetran_codegen.config.settings import (
    CronFreshness,
    ScheduleFreshness,
    TimeWindowFreshness,
)
from fivetran_codegen.plan.freshness import Schedule, describe, policy
from fivetran_codegen_runtime.testing import FivetranSimulator

from tests.conftest import ruff_format_check, run_cli
from tests.output.test_generate import tree
from tests.plan.test_translate import HAS_FRESHNESS, project, specs


def auto(minutes: int, daily: str | None = None, offset: int | None = 0) -> Schedule:
    return Schedule("auto", False, minutes, daily, offset)


# -- the mapping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "fail", "warn"),
    [
        (1, 120, 90),
        (5, 600, 450),
        (15, 1800, 1350),
        (60, 7200, 5400),
        (360, 43200, 32400),
        (1440, 172800, 129600),
    ],
)
def test_a_scheduled_connection_fails_after_two_intervals_and_warns_after_one_and_a_half(
    minutes: int, fail: int, warn: int
) -> None:
    assert policy(ScheduleFreshness(), auto(minutes)) == TimeWindowFreshness(fail, warn)


@pytest.mark.parametrize(
    ("daily", "offset", "cron"),
    [
        ("02:00", -300, "0 10 * * *"),  # 02:00 at UTC-5 is 07:00 UTC; due three hours later
        ("03:00", 0, "0 6 * * *"),
        ("23:00", 0, "0 2 * * *"),  # past midnight: the next day's 02:00
        ("01:00", 600, "0 18 * * *"),  # UTC+10: 15:00 UTC the day before, due at 18:00
        ("00:00", 330, "30 21 * * *"),  # UTC+5:30
    ],
)
def test_a_daily_sync_time_is_a_cron_deadline_three_hours_later_in_utc(
    daily: str, offset: int, cron: str
) -> None:
    expected = CronFreshness(cron=cron, lower_bound_seconds=86400, timezone="UTC")
    assert policy(ScheduleFreshness(), auto(1440, daily, offset)) == expected


def test_the_daily_deadline_and_the_multipliers_are_settings() -> None:
    setting = ScheduleFreshness(warn=1.25, fail=3.0, daily_deadline_seconds=5400)
    assert policy(setting, auto(1440, "04:00", 60)) == CronFreshness("30 4 * * *", 86400)
    assert policy(setting, auto(60)) == TimeWindowFreshness(10800, 4500)


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule("manual", False, 360, None, 0),  # Dagster decides when it syncs
        Schedule("auto", True, 360, None, 0),  # paused: nothing syncs
        Schedule("auto", False, None, None, 0),  # no frequency in the snapshot
        Schedule(None, False, 360, None, 0),
    ],
)
def test_manual_paused_and_unknown_schedules_get_no_policy(schedule: Schedule) -> None:
    assert policy(ScheduleFreshness(), schedule) is None


def test_a_daily_time_in_an_unknown_time_zone_keeps_the_time_window() -> None:
    """A snapshot written before destinations kept their offset: no guessed deadline."""
    assert policy(ScheduleFreshness(), auto(1440, "02:00", None)) == TimeWindowFreshness(
        172800, 129600
    )
    assert policy(ScheduleFreshness(), auto(360, "02:00", 0)) == TimeWindowFreshness(43200, 32400)


def test_fixed_policies_ignore_the_schedule() -> None:
    fixed = TimeWindowFreshness(90000, 46800)
    assert policy(fixed, Schedule("manual", True, None, None, None)) == fixed
    assert policy(None, auto(60)) is None


def test_diff_describes_policies_as_the_config_writes_durations() -> None:
    assert describe(TimeWindowFreshness(5400, 90)) == "fail after 1h30m, warn after 1m30s"
    assert describe(CronFreshness("0 10 * * *", 86400)) == (
        "due at cron '0 10 * * *' (UTC), materialized in the 1d before"
    )
    assert describe(None) == "none"


# -- generate -----------------------------------------------------------------------------------


def generated(root: Path) -> bool:
    """True once generate wrote the package. Dagster before 1.11 cannot state a policy: there
    generate must refuse, say why and write nothing (the support range's lowest leg sees it)."""
    result = run_cli("generate", cwd=root)
    if not HAS_FRESHNESS:
        assert result.code == 2, result.stderr
        assert "needs a Dagster with dg.FreshnessPolicy.time_window" in result.stderr
        assert "the freshness_policy of connection" in result.stderr  # which one
        assert "upgrade dagster (1.11 or newer)" in result.stderr
        assert not (root / "fivetran_defs").exists()
        return False
    assert result.code == 0, result.stderr
    return True


def serialized(spec: dg.AssetSpec) -> str | None:
    found = spec.freshness_policy
    return None if found is None else dg.serialize_value(found)


def time_window(fail: datetime.timedelta, warn: datetime.timedelta) -> str:
    return dg.serialize_value(dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn))


def test_every_table_gets_its_connections_policy_from_a_real_snapshot(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    root = project(tmp_path, 'freshness_policy = "from_schedule"\n')
    assert run_cli("snapshot", cwd=root, sim=sim).code == 0  # in place of the sample's
    if not generated(root):
        return
    hour = datetime.timedelta(hours=1)
    expected = {
        "github": time_window(2 * hour, 1.5 * hour),  # every 60 minutes
        "salesforce": time_window(12 * hour, 9 * hour),  # every 360
        "stripe": time_window(12 * hour, 9 * hour),  # broken setup: the schedule still holds
        "hubspot": None,  # manual
        "sheets.budget_2025": None,  # paused
        "pg_prod": dg.serialize_value(  # daily at 02:00 in a UTC-5 destination
            dg.FreshnessPolicy.cron(
                deadline_cron="0 10 * * *", lower_bound_delta=datetime.timedelta(days=1)
            )
        ),
    }
    by_connection: dict[str, set[str | None]] = {}
    for spec in specs(root).values():
        name = str(spec.metadata["dagster-fivetran/connector_name"])
        by_connection.setdefault(name, set()).add(serialized(spec))
    assert by_connection.keys() == expected.keys()
    for name, policy_json in expected.items():
        assert by_connection[name] == {policy_json}, name
    modules = root / "fivetran_defs" / "connections"
    assert (modules / "github.py").read_text().count("FRESHNESS_POLICY = ") == 1
    assert "FRESHNESS_POLICY" not in (modules / "hubspot.py").read_text()
    assert ruff_format_check(root / "fivetran_defs").returncode == 0


def test_connections_and_tables_override_the_top_level_policy(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'freshness_policy = "from_schedule"\n\n'
        '[tool.fivetran-codegen.connections.github]\nfreshness_policy = "none"\n\n'
        "[tool.fivetran-codegen.connections.hubspot]\n"
        'freshness_policy = { fail_window = "25h", warn_window = "13h" }\n\n'
        '[[tool.fivetran-codegen.tables]]\nmatch = "salesforce:salesforce.account"\n'
        'freshness_policy = "none"\n\n'
        '[[tool.fivetran-codegen.tables]]\nmatch = "salesforce:salesforce.contact"\n'
        "freshness_policy = { from_schedule = true, warn = 2, fail = 4 }\n",
    )
    if not generated(root):
        return
    found = specs(root)
    hour = datetime.timedelta(hours=1)
    assert serialized(found[("github", "commit")]) is None
    assert serialized(found[("hubspot", "contact")]) == time_window(25 * hour, 13 * hour)
    assert serialized(found[("salesforce", "account")]) is None
    assert serialized(found[("salesforce", "contact")]) == time_window(24 * hour, 12 * hour)
    others = [
        s for k, s in found.items() if k[0] == "salesforce" and k[1] not in ("account", "contact")
    ]
    assert others and {serialized(s) for s in others} == {time_window(12 * hour, 9 * hour)}
    salesforce = (root / "fivetran_defs" / "connections" / "salesforce.py").read_text()
    assert (
        "freshness_policy=None," in salesforce
        and "freshness_policy=FRESHNESS_POLICY," in salesforce
    )


def test_a_translator_returning_defaults_keeps_the_schedule_policy(tmp_path: Path) -> None:
    """super().get_asset_spec(props) carries the policy, so the translator changes nothing."""
    plain = project(tmp_path / "plain", 'freshness_policy = "from_schedule"\n')
    if not generated(plain):
        return
    hooked = project(
        tmp_path / "hooked",
        'freshness_policy = "from_schedule"\n',
        translator="return super().get_asset_spec(props)\n",
    )
    assert generated(hooked)
    assert tree(hooked / "fivetran_defs") == tree(plain / "fivetran_defs")


def test_a_schedule_change_is_one_changed_line_of_freshness_and_a_line_in_diff(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, 'freshness_policy = "from_schedule"\n')
    if not generated(root):
        return
    module = root / "fivetran_defs" / "connections" / "github.py"
    before = module.read_text().splitlines()
    document = json.loads((root / "fivetran_snapshot.json").read_text())
    github = next(c for c in document["connections"] if c["name"] == "github")
    github["sync_frequency"] = 15
    (root / "old_snapshot.json").write_text((root / "fivetran_snapshot.json").read_text())
    (root / "fivetran_snapshot.json").write_text(
        json.dumps(document, indent=2, sort_keys=True) + "\n"
    )

    shown = run_cli("diff", "old_snapshot.json", "fivetran_snapshot.json", cwd=root)
    assert shown.code == 0, shown.stderr
    assert (
        "github: fail after 2h, warn after 1h30m -> fail after 30m, warn after 22m30s"
        in shown.stdout
    )
    assert "1 freshness policy change(s)" in shown.stdout

    assert generated(root)
    changed = [
        line
        for line in difflib.unified_diff(before, module.read_text().splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        "-    sync_frequency=60,",
        "+    sync_frequency=15,",
        "-    fail_window=datetime.timedelta(hours=2), warn_window=datetime.timedelta(minutes=90)",
        "+    fail_window=datetime.timedelta(minutes=30), warn_window=datetime.timedelta(seconds=1350)",
    ]


def test_from_schedule_with_only_manual_connections_needs_no_newer_dagster(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'freshness_policy = "none"\n\n[tool.fivetran-codegen.connections.hubspot]\n'
        'freshness_policy = "from_schedule"\n',
    )
    result = run_cli("generate", cwd=root)
    assert result.code == 0, result.stderr
    assert (
        "FRESHNESS_POLICY"
        not in (root / "fivetran_defs" / "connections" / "hubspot.py").read_text()
    )


@pytest.mark.parametrize(
    ("settings", "where", "message"),
    [
        ('freshness_policy = "sometimes"\n', "].freshness_policy", "is not a freshness policy"),
        (
            "freshness_policy = { from_schedule = true, warn = 2.0, fail = 2.0 }\n",
            "freshness_policy].warn",
            "must be smaller than fail",
        ),
        (
            "freshness_policy = { from_schedule = true, warn = 0.5 }\n",
            "freshness_policy].warn",
            "at least 1",
        ),
        (
            'freshness_policy = { from_schedule = true, fail = "2x" }\n',
            "freshness_policy].fail",
            "must be a number of sync intervals",
        ),
        (
            "freshness_policy = { from_schedule = true, warm = 1.2 }\n",
            "freshness_policy",
            "did you mean 'warn'",
        ),
        (
            "freshness_policy = { from_schedule = false }\n",
            "freshness_policy].from_schedule",
            "must be true",
        ),
        (
            'freshness_policy = { from_schedule = true, daily_deadline = "1d" }\n',
            "freshness_policy].daily_deadline",
            "a day or more after the sync time",
        ),
        (
            'freshness_policy = { fail_window = "50s" }\n',
            "freshness_policy].fail_window",
            "shorter than a minute",
        ),
        (
            'freshness_policy = { fail_window = "2h", warn_window = "2h" }\n',
            "freshness_policy].warn_window",
            "must be shorter than fail_window",
        ),
        (
            '[tool.fivetran-codegen.connections.github]\nfreshness_policy = { fail_window = "1h", warn_window = "3h" }\n',
            "connections.github.freshness_policy].warn_window",
            "must be shorter than fail_window",
        ),
    ],
)
def test_bad_freshness_settings_name_the_key(
    settings: str, where: str, message: str, tmp_path: Path
) -> None:
    root = project(tmp_path, settings)
    result = run_cli("generate", cwd=root)
    output = result.stdout + result.stderr
    assert result.code == 2 and message in output and where in output, output
    assert not (root / "fivetran_defs").exists()
