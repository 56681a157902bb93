"""The runtime's public names, and what a name it does not have says."""

from __future__ import annotations

import importlib

import fivetran_codegen_runtime
import pytest


def test_every_public_name_resolves() -> None:
    for name in fivetran_codegen_runtime.__all__:
        assert getattr(fivetran_codegen_runtime, name) is not None, name


def test_an_unknown_name_points_at_a_newer_runtime() -> None:
    # What code from a newer generator meets on an old runtime: the version and the fix.
    with pytest.raises(AttributeError) as raised:
        _ = fivetran_codegen_runtime.build_fivetran_something_new  # type: ignore[attr-defined]
    message = str(raised.value)
    assert "'build_fivetran_something_new'" in message
    assert "newer fivetran-codegen" in message
    assert f"({fivetran_codegen_runtime.__version__})" in message
    assert "pip install -U fivetran-codegen-runtime" in message
    assert raised.value.name == "build_fivetran_something_new"


def test_an_unknown_name_is_still_an_ordinary_missing_attribute() -> None:
    # hasattr/getattr with a default keep working: the error is an AttributeError, not more.
    runtime = importlib.import_module("fivetran_codegen_runtime")
    assert not hasattr(runtime, "no_such_name")
    assert getattr(runtime, "no_such_name", "default") == "default"
