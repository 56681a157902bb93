"""The config's cron check agrees with Dagster: what it refuses, Dagster refuses too, and on
plain numeric expressions the two give the same verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster._utils.schedules import is_valid_cron_string
from fivetran_codegen.config import cron
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli

ACCEPTED = [
    "0 6 * * *",
    "*/15 * * * *",
    "0-59/15 * * * *",
    "1,2,3 * * * *",
    "5-1 * * * *",
    "*/60 * * * *",
    "0 0 29 2 *",
    "0 0 31 4 *",
    "0 6 * * 7",
    "00 06 * * *",
    "@daily",
    "@hourly",
    "@annually",
    "0 6 * * mon-fri",
    "0 0 L * *",
    "0 0 * * 5#2",
    "0 6 * JAN *",
]
REFUSED = [
    "0 25 * * *",
    "60 * * * *",
    "0 6 * * 8",
    "0 0 0 * *",
    "0 0 * 13 *",
    "0 0 30 2 *",
    # February's 30th and 31st however the numbers are written (hypothesis found the first)
    "* * 30,30 2 *",
    "0 0 31 02 *",
    "0 0 030 2,2 *",
    "* * 30 2/11 *",
    "0 0 30/40 2/12 *",
    "*/0 * * * *",
    "1,,2 * * * *",
    "0 6 * *",
    "* * * * * *",
    "@reboot",
    "",
]


@pytest.mark.parametrize("expression", ACCEPTED)
def test_what_dagster_accepts_passes(expression: str) -> None:
    assert is_valid_cron_string(expression)
    assert cron.problem(expression) is None


@pytest.mark.parametrize("expression", REFUSED)
def test_what_dagster_refuses_is_caught_with_a_reason(expression: str) -> None:
    assert not is_valid_cron_string(expression)
    assert cron.problem(expression)


def _field(low: int, high: int, *, ranges: bool) -> st.SearchStrategy[str]:
    number = st.integers(min_value=low - 2, max_value=high + 2).map(str)
    items = [
        st.just("*"),
        number,
        st.tuples(st.one_of(st.just("*"), number), st.integers(0, 70)).map(
            lambda p: f"{p[0]}/{p[1]}"
        ),
    ]
    if ranges:
        items.append(st.tuples(number, number).map("-".join))
    return st.lists(st.one_of(*items), min_size=1, max_size=3).map(",".join)


def _expressions(*, ranges: bool) -> st.SearchStrategy[str]:
    bounds = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
    return st.tuples(*(_field(lo, hi, ranges=ranges) for lo, hi in bounds)).map(" ".join)


@settings(max_examples=2000, deadline=None)
@given(_expressions(ranges=True))
def test_nothing_dagster_accepts_is_refused(expression: str) -> None:
    if cron.problem(expression) is not None:
        assert not is_valid_cron_string(expression), (expression, cron.problem(expression))


@settings(max_examples=2000, deadline=None)
@given(_expressions(ranges=False))
def test_numbers_and_steps_get_dagsters_verdict(expression: str) -> None:
    assert (cron.problem(expression) is None) == is_valid_cron_string(expression), expression


def test_a_cron_out_of_range_stops_generate_with_the_reason(tmp_path: Path) -> None:
    work = tmp_path
    sample = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"
    (work / "fivetran_snapshot.json").write_bytes(sample.read_bytes())
    (work / "pyproject.toml").write_text(
        '[tool.fivetran-codegen]\nautomation_condition = "on_cron:0 6 * * *"\n'
        '[[tool.fivetran-codegen.jobs]]\nname = "j"\nconnections = ["*"]\ncron = "0 25 * * *"\n'
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "'0 25 * * *' is not a cron schedule Dagster accepts: hour 25 is outside 0-23" in (
        run.stderr
    )
    assert "[tool.fivetran-codegen.jobs[0]].cron" in run.stderr
    assert not (work / "fivetran_defs").exists()


def test_an_on_cron_automation_condition_is_checked_too(tmp_path: Path) -> None:
    sample = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"
    (tmp_path / "fivetran_snapshot.json").write_bytes(sample.read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fivetran-codegen]\nautomation_condition = "on_cron:0 6 * * 8"\n'
    )
    run = run_cli("generate", cwd=tmp_path)
    assert run.code == 2
    assert "day of week 8 is outside 0-7" in run.stderr
    assert "[tool.fivetran-codegen].automation_condition" in run.stderr
