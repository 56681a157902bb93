"""What generated code imports at run time: the REST client, the resource, sync and sensor.

This package never imports the generator (`fivetran_codegen`), jinja2, libcst, click or ruff,
so production images need only dagster and requests.
"""

from fivetran_codegen_runtime._version import __version__

__all__ = ["__version__"]
