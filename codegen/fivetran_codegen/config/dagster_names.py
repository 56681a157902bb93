"""The names Dagster and the generated code accept, written once: the config's values (job,
sensor and package names, resource keys, tags) are checked against them, and the plan derives
group names and kinds by them."""

from __future__ import annotations

import keyword
import re

# dagster._core.definitions.utils.VALID_NAME_REGEX: op, job, sensor and asset group names.
_NAME = re.compile(r"[A-Za-z0-9_]+")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")
# An ASCII Python identifier: the generated code binds jobs and imports the package by it.
_PYTHON_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOWER_PYTHON_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# Dagster's tags: keys are an optional `prefix/` and a name, values up to 63 characters.
_TAG_NAME = re.compile(r"[A-Za-z0-9_.-]{1,63}")
_TAG_KEY = re.compile(r"([A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]{1,63}")
_TAG_VALUE = re.compile(r"[A-Za-z0-9_.-]{0,63}")
# Names a Dagster asset function's parameters or resources already have.
RESERVED_RESOURCE_KEYS = frozenset({"context", "config", "io_manager"})
# A package with one of these names would shadow what the generated code imports.
RESERVED_PACKAGES = frozenset({"dagster", "dg"})


def is_name(text: str) -> bool:
    """A valid Dagster name (sensors, asset groups)."""
    return _NAME.fullmatch(text) is not None


def clean_name_lower(text: str) -> str:
    """dagster._utils.names.clean_name_lower, which dagster-fivetran names groups with."""
    return _NOT_NAME.sub("_", text).lower()


def is_job_name(text: str) -> bool:
    return _PYTHON_NAME.fullmatch(text) is not None


def is_package_name(text: str) -> bool:
    return _PYTHON_NAME.fullmatch(text) is not None and text not in RESERVED_PACKAGES


def is_resource_key(key: str) -> bool:
    """Also the asset functions' parameter name: a lower-case identifier Dagster does not
    reserve."""
    return (
        _LOWER_PYTHON_NAME.fullmatch(key) is not None
        and key not in RESERVED_RESOURCE_KEYS
        and not keyword.iskeyword(key)
    )


def is_tag(key: str, value: str) -> bool:
    return _TAG_KEY.fullmatch(key) is not None and _TAG_VALUE.fullmatch(value) is not None


def is_kind(kind: str) -> bool:
    """A kind becomes the tag key `dagster/kind/<kind>`, so it is a tag name."""
    return _TAG_NAME.fullmatch(kind) is not None
