"""`translator = "module:attribute"` -> the object whose `get_asset_spec` generate calls.

The module is imported with the project's directory (and its `src/`, if there is one) first on
`sys.path`, as it would be with the project installed. The project's modules it imports are
forgotten again afterwards (the translator object keeps what it needs), so a second run in one
process imports the files as they are then, and nothing of the project shadows later imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fivetran_codegen.config.settings import TranslatorRef
from fivetran_codegen.errors import ConfigError, did_you_mean
from fivetran_codegen.translator import DagsterFivetranTranslator

_IMPORTABLE = (
    "the module must be importable from the directory of the pyproject.toml or its src/ "
    "(in CI too: check out the project, or install it, before `generate --check`)"
)


@contextmanager
def loaded(ref: TranslatorRef, root: Path) -> Iterator[DagsterFivetranTranslator]:
    """The translator, with the project importable while it is in use (it may import lazily)."""
    with _on_path([root, root / "src"]):
        yield _load(ref)


def _load(ref: TranslatorRef) -> DagsterFivetranTranslator:
    try:
        module = importlib.import_module(ref.module)
    except Exception as exc:  # the user's module: any error it raises is theirs to see
        raise ConfigError(
            f"cannot import {ref.module!r}: {type(exc).__name__}: {exc}",
            where=ref.where,
            hint=_IMPORTABLE,
        ) from exc
    found = getattr(module, ref.attribute, None)
    if found is None:
        names = [n for n in vars(module) if not n.startswith("_")]
        raise ConfigError(
            f"{ref.module!r} has no attribute {ref.attribute!r}",
            where=ref.where,
            hint=did_you_mean(ref.attribute, names, otherwise="name a class or an instance"),
        )
    translator = _instance(found, ref)
    _refuse_dagster_fivetran(translator, ref)
    if not callable(getattr(translator, "get_asset_spec", None)):
        raise ConfigError(
            f"{ref.module}:{ref.attribute} has no get_asset_spec method",
            where=ref.where,
            hint="subclass fivetran_codegen.translator.DagsterFivetranTranslator",
        )
    return translator  # type: ignore[return-value]  # duck-typed: it has get_asset_spec


def _instance(found: object, ref: TranslatorRef) -> object:
    if not isinstance(found, type):
        return found
    try:
        return found()
    except Exception as exc:
        raise ConfigError(
            f"{ref.module}:{ref.attribute}() failed: {type(exc).__name__}: {exc}",
            where=ref.where,
            hint="the class is instantiated with no arguments; name an instance to pass some",
        ) from exc


def _refuse_dagster_fivetran(translator: object, ref: TranslatorRef) -> None:
    """dagster-fivetran's base class would read its own props (and fail obscurely on ours)."""
    if any(cls.__module__.startswith("dagster_fivetran") for cls in type(translator).__mro__):
        raise ConfigError(
            f"{ref.module}:{ref.attribute} subclasses dagster-fivetran's DagsterFivetranTranslator",
            where=ref.where,
            hint="import DagsterFivetranTranslator from fivetran_codegen.translator instead "
            "(`fivetran-codegen migrate` rewrites the import)",
        )


@contextmanager
def _on_path(directories: list[Path]) -> Iterator[None]:
    added = [d.resolve() for d in directories if d.is_dir()]
    before = set(sys.modules)
    sys.path[:0] = map(str, added)
    try:
        yield
    finally:
        for entry in added:
            sys.path.remove(str(entry))
        for name in set(sys.modules) - before:
            if _under(sys.modules[name], added):
                del sys.modules[name]
        importlib.invalidate_caches()


def _under(module: object, directories: list[Path]) -> bool:
    places = [getattr(module, "__file__", None), *getattr(module, "__path__", [])]
    return any(
        p is not None and any(Path(p).resolve().is_relative_to(d) for d in directories)
        for p in places
    )
