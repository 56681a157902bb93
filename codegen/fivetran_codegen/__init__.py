"""The generator: snapshot a Fivetran workspace, then render Dagster definitions from it."""

from fivetran_codegen_runtime import __version__

__all__ = ["__version__"]
