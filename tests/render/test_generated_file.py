"""The one reader of the generated-file format agrees with what the templates write, today and in 0.1.0."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from fivetran_codegen.render import generated_file

GOLDEN = Path(__file__).parents[1] / "golden"
SAMPLE = GOLDEN / "sample" / "expected" / "fivetran_defs"
LEGACY = GOLDEN / "legacy_v0_1_0" / "fivetran_defs"
PACKAGES = [SAMPLE, LEGACY]


def modules(package: Path) -> list[Path]:
    return sorted((package / generated_file.CONNECTIONS_DIR).glob("*.py"))


@pytest.mark.parametrize("package", PACKAGES, ids=["current", "0.1.0"])
def test_every_generated_file_starts_with_the_mark(package: Path) -> None:
    files = sorted(p for p in package.rglob("*.py"))
    assert len(files) == 8
    for path in files:
        assert path.read_text().startswith(generated_file.GENERATED_MARK), path


@pytest.mark.parametrize("package", PACKAGES, ids=["current", "0.1.0"])
def test_a_module_splits_into_our_head_and_the_default_body(package: Path) -> None:
    body = generated_file.default_body("fivetran")
    for path in modules(package):
        if path.name == "__init__.py":
            assert generated_file.halves(path.read_text()) is None
            continue
        found = generated_file.halves(path.read_text())
        assert found is not None, path
        assert found.body == body
        assert found.head.rstrip().endswith("-> Iterator[FivetranEvent]:")
        assert found.function.startswith("@fivetran_assets(")
        assert found.head + found.body == path.read_text()


def test_a_module_without_our_function_has_no_halves() -> None:
    assert generated_file.halves("import dagster as dg\n\n\ndef f() -> None:\n    pass\n") is None


@pytest.mark.parametrize("package", PACKAGES, ids=["current", "0.1.0"])
def test_the_id_keys_and_function_read_back_are_the_modules_own(package: Path) -> None:
    for path in modules(package):
        if path.name == "__init__.py":
            continue
        text = path.read_text()
        module = load(path, package.name)
        assert generated_file.connection_id(text) == module.CONNECTION.id
        assert generated_file.asset_keys(text) == {tuple(s.key.path) for s in module.SPECS}
        function = generated_file.asset_function(text)
        assert function is not None
        assert function.name == path.stem
        assets = getattr(module, function.name)
        assert function.op_name == assets.op.name


def test_paths_and_what_counts_as_a_connection_module() -> None:
    assert generated_file.connection_path("stripe") == "connections/stripe.py"
    assert generated_file.is_connection_module("connections/stripe.py")
    assert not generated_file.is_connection_module(generated_file.CONNECTIONS_INIT)
    assert not generated_file.is_connection_module(generated_file.PACKAGE_INIT)


def test_a_hostile_id_is_read_as_the_string_it_is_not_as_code() -> None:
    text = 'CONNECTION = FivetranConnection(\n    id="x\\"); import os; (\\"",\n'
    assert generated_file.connection_id(text) == 'x"); import os; ("'
    assert (
        generated_file.connection_id("CONNECTION = FivetranConnection(\n    id=os.getcwd(),\n")
        is None
    )


def load(path: Path, package: str) -> object:
    """Import one connection module of a golden package under a name of its own."""
    root = f"format_reader_{path.parents[2].name}_{package}"
    if root not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            root,
            path.parent.parent / "__init__.py",
            submodule_search_locations=[str(path.parent.parent)],
        )
        assert spec is not None and spec.loader is not None
        parent = importlib.util.module_from_spec(spec)
        sys.modules[root] = parent
        spec.loader.exec_module(parent)
    return importlib.import_module(f"{root}.connections.{path.stem}")
