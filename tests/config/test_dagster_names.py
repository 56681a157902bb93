"""Dagster's naming rules, written once: what the config accepts is what the plan produces."""

from __future__ import annotations

from pathlib import Path

import pytest
from fivetran_codegen import config
from fivetran_codegen.config import dagster_names
from fivetran_codegen.config.locations import quote
from fivetran_codegen.errors import ConfigError
from fivetran_codegen.plan import naming
from hypothesis import given
from hypothesis import strategies as st


@given(st.text())
def test_every_derived_group_name_is_one_the_config_would_accept(text: str) -> None:
    assert dagster_names.is_name(naming.group_name(text))


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("fivetran_eu", True),
        ("_private", True),
        ("FivetranEU", False),  # not lower-case
        ("config", False),  # Dagster's own parameter
        ("io_manager", False),
        ("class", False),  # a Python keyword
        ("eu-west", False),
        ("1st", False),
    ],
)
def test_resource_keys_are_parameter_names_dagster_leaves_free(key: str, ok: bool) -> None:
    assert dagster_names.is_resource_key(key) is ok


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("team", "data", True),
        ("dagster/priority", "1", True),
        ("team", "", True),
        ("a/b/c", "x", False),  # one prefix at most
        ("team", "a b", False),
        ("x" * 64, "v", False),
        ("k", "v" * 64, False),
    ],
)
def test_tags(key: str, value: str, ok: bool) -> None:
    assert dagster_names.is_tag(key, value) is ok


def test_job_and_package_names_are_python_names() -> None:
    assert dagster_names.is_job_name("crm_daily") and not dagster_names.is_job_name("1_daily")
    assert dagster_names.is_package_name("fivetran_defs")
    assert not dagster_names.is_package_name("dagster")  # would shadow the import
    assert dagster_names.is_name("1_sensor")  # Dagster itself allows a leading digit


def test_a_quoted_toml_key_is_named_as_toml_spells_it(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.fivetran-codegen.connections.\'my "odd" name\']\ngroupp = "x"\n')
    with pytest.raises(ConfigError) as caught:
        config.load(pyproject, cwd=tmp_path)
    assert caught.value.where == (
        f'{pyproject}: [tool.fivetran-codegen.connections."my \\"odd\\" name"].groupp'
    )
    assert quote("plain-key_1") == "plain-key_1" and quote("caf\u00e9") == '"caf\u00e9"'
