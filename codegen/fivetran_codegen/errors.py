"""Errors of the generator side; all belong to the runtime's one family."""

from __future__ import annotations

from fivetran_codegen_runtime.errors import FivetranCodegenError


class SnapshotFileError(FivetranCodegenError):
    """The snapshot file is missing, not JSON, or does not follow the snapshot schema."""


class UsageError(FivetranCodegenError):
    """An option or argument is wrong (bad glob, bad budget...)."""
