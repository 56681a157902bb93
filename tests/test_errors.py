"""The generator's errors: one "did you mean" hint, worded the same wherever it is given."""

from __future__ import annotations

import pytest
from fivetran_codegen.config.key_templates import check_template
from fivetran_codegen.errors import ConfigError, did_you_mean


def test_the_closest_choice_is_named_as_a_literal() -> None:
    assert did_you_mean("ouptut", ["snapshot", "output"]) == "did you mean 'output'?"


def test_without_a_close_choice_the_fallback_is_the_hint() -> None:
    assert did_you_mean("zzz", ["output"]) is None
    assert did_you_mean("zzz", ["output"], otherwise="known keys: output") == "known keys: output"


def test_a_key_template_field_is_suggested_in_braces_before_the_rule() -> None:
    with pytest.raises(ConfigError) as caught:
        check_template("{tabel}", where="pyproject.toml: [tool.fivetran-codegen].group")
    hint = caught.value.hint
    assert hint is not None
    assert hint.startswith("did you mean {table}? plain fields only, one of: {schema}, ")
