"""The runtime's version, written only here (runtime/pyproject.toml reads it)."""

__version__ = "0.2.0"
