"""What generated code imports at run time: the REST client, the resource, sync and sensor.

This package never imports the generator (`fivetran_codegen`), jinja2, libcst, click or ruff,
so production images need only dagster and requests. Its Dagster-facing names are imported
on first use, so the snapshot CLI, which needs only the client, does not pay for dagster.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fivetran_codegen_runtime._version import __version__

if TYPE_CHECKING:
    from fivetran_codegen_runtime.assets import fivetran_assets
    from fivetran_codegen_runtime.connection import FivetranConnection
    from fivetran_codegen_runtime.events import FivetranEvent, FivetranEventIterator
    from fivetran_codegen_runtime.resource import FivetranSyncConfig, FivetranWorkspace
    from fivetran_codegen_runtime.sensor import build_fivetran_polling_sensor
    from fivetran_codegen_runtime.versions import RuntimeTooOldError, require_runtime

_LAZY = {
    "fivetran_assets": "fivetran_codegen_runtime.assets",
    "FivetranConnection": "fivetran_codegen_runtime.connection",
    "FivetranEvent": "fivetran_codegen_runtime.events",
    "FivetranEventIterator": "fivetran_codegen_runtime.events",
    "FivetranSyncConfig": "fivetran_codegen_runtime.resource",
    "FivetranWorkspace": "fivetran_codegen_runtime.resource",
    "build_fivetran_polling_sensor": "fivetran_codegen_runtime.sensor",
    "RuntimeTooOldError": "fivetran_codegen_runtime.versions",
    "require_runtime": "fivetran_codegen_runtime.versions",
}

__all__ = [
    "FivetranConnection",
    "FivetranEvent",
    "FivetranEventIterator",
    "FivetranSyncConfig",
    "FivetranWorkspace",
    "RuntimeTooOldError",
    "__version__",
    "build_fivetran_polling_sensor",
    "fivetran_assets",
    "require_runtime",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fivetran_codegen_runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value
