"""The named workspaces the simulator can serve (`fivetran-codegen simulate --workspace NAME`)."""

from __future__ import annotations

from collections.abc import Callable

from fivetran_codegen_runtime.testing.hostile import hostile_workspace
from fivetran_codegen_runtime.testing.sample import sample_workspace
from fivetran_codegen_runtime.testing.synthetic import synthetic_workspace
from fivetran_codegen_runtime.testing.workspace import Workspace

WORKSPACE_BUILDERS: dict[str, Callable[[], Workspace]] = {
    "sample": sample_workspace,
    "hostile": hostile_workspace,
    "synthetic": synthetic_workspace,  # 1,000 connections x 50 tables over 20 groups
}

__all__ = ["WORKSPACE_BUILDERS", "hostile_workspace", "sample_workspace", "synthetic_workspace"]
