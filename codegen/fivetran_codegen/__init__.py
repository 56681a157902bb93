"""The generator: snapshot a Fivetran workspace, then render Dagster definitions from it."""

# The generator's own version (hatch reads it from here). It pins the runtime at the same
# version in pyproject.toml; tests/test_distributions.py keeps the two equal.
__version__ = "0.2.0"

__all__ = ["__version__"]
