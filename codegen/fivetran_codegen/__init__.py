"""The generator: snapshot a Fivetran workspace, then render Dagster definitions from it."""

# The generator's own version (hatch reads it from here). It pins the runtime at the same
# version in pyproject.toml; tests/test_distributions.py keeps the two equal.
__version__ = "0.2.0"

__all__ = ["__version__"]


def _require_same_runtime() -> None:
    # Two distributions, one version: a runtime from elsewhere (`pip install --no-deps`, another
    # checkout's editable install) would otherwise fail later, far from the cause.
    fix = (
        f"pip install 'fivetran-codegen-runtime=={__version__}' "
        "(in a checkout: pip install -e ./runtime -e .)"
    )
    try:
        import fivetran_codegen_runtime as runtime
    except ImportError as exc:
        raise ImportError(
            f"fivetran-codegen {__version__} needs fivetran-codegen-runtime {__version__}, "
            f"which is not installed; fix: {fix}"
        ) from exc
    if runtime.__version__ != __version__:
        raise ImportError(
            f"fivetran-codegen {__version__} needs fivetran-codegen-runtime {__version__}, "
            f"but {runtime.__version__} is installed (at {runtime.__file__}); fix: {fix}"
        )


_require_same_runtime()
