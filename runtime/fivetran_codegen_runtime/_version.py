"""The one place the project's version is written at run time."""

__version__ = "0.2.0"
