"""A dagster-fivetran translator, run by `generate`, gives what dagster-fivetran gives at load time.

The same translator bodies run twice over one simulated workspace: subclassing dagster-fivetran's
DagsterFivetranTranslator through its `load_fivetran_asset_specs`, and subclassing ours through
`translator = "module:Class"`. Keys, deps, metadata, descriptions, kinds, tags, owners, code
versions, conditions and policies must be equal. Then the round trip: every spec the generated
package builds equals, field by field, the one our translator returned.
"""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import dagster as dg
import pytest
from fivetran_codegen_runtime.testing import FivetranSimulator, synthetic_workspace

from tests.conftest import run_cli
from tests.render.test_dagster_fivetran_parity import (
    TRANSLATOR_KEY,
    forget_package,
    import_package,
    load_theirs,
)

# The two seed examples of dagster-fivetran's docs, and one that sets every field we write.
BODIES = {
    "CustomMetadata": """
        def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
            default_spec = super().get_asset_spec(props)
            return default_spec.replace_attributes(
                key=default_spec.key.with_prefix("prefix"),
            ).merge_attributes(metadata={"custom": "metadata"})
    """,
    "UpstreamDeps": """
        def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
            default_spec = super().get_asset_spec(props)
            return default_spec.replace_attributes(deps=["my_upstream_asset_key"])
    """,
    "Everything": '''
        def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
            spec = super().get_asset_spec(props)
            schema, table = props.table.split(".")
            hours = 2 * (props.sync_frequency or 60) // 60 + 1
            return spec.replace_attributes(
                key=spec.key.with_prefix(["fivetran", props.connector_name.lower()]),
                deps=[dg.AssetKey(["raw", schema]), "landing_" + table],
                description=f'{props.connector_name}: """{props.table}"""\\n\\u202e # noqa',
                owners=["team:data", "ops@example.com"],
                code_version="2",
                automation_condition=dg.AutomationCondition.on_cron("0 6 * * *")
                & ~dg.AutomationCondition.in_progress(),
                freshness_policy=dg.FreshnessPolicy.time_window(
                    fail_window=datetime.timedelta(hours=hours),
                    warn_window=datetime.timedelta(hours=1),
                ),
            ).merge_attributes(
                tags={"source": "fivetran", "tier": "bronze"},
                kinds={"sql"},
                metadata={
                    "custom": "metadata",
                    "owner_page": dg.MetadataValue.url("https://example.com/" + props.connector_id),
                    "notes": dg.MetadataValue.md("# " + table),
                    "rows": {"expected": [1, 2.5, None, True]},
                    "upstream": dg.MetadataValue.asset(dg.AssetKey(["raw", schema])),
                },
            )
    ''',
}


def translator_module(base: str) -> str:
    classes = "\n\n".join(
        f"class {name}(DagsterFivetranTranslator):\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        for name, body in BODIES.items()
    )
    return (
        "import datetime\n\nimport dagster as dg\n"
        f"from {base} import DagsterFivetranTranslator, FivetranConnectorTableProps\n\n\n"
        f"{classes}\n"
    )


def compared_fields(spec: dg.AssetSpec) -> dict[str, Any]:
    metadata = {k: v for k, v in spec.metadata.items() if k != TRANSLATOR_KEY}
    return {
        "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps),
        "description": spec.description,
        "custom metadata": {k: v for k, v in metadata.items() if not k.startswith("dagster")},
        "connector metadata": {
            k: v for k, v in metadata.items() if k.startswith("dagster-fivetran/")
        },
        "kinds": spec.kinds,
        "tags": spec.tags,
        "owners": spec.owners,
        "code_version": spec.code_version,
        "group_name": spec.group_name,
        "automation_condition": dg.serialize_value(spec.automation_condition)
        if spec.automation_condition
        else None,
        "freshness_policy": dg.serialize_value(spec.freshness_policy)
        if spec.freshness_policy
        else None,
    }


@pytest.fixture(scope="module")
def simulated() -> Iterator[FivetranSimulator]:
    # Every connection connected, with a destination database: what dagster-fivetran loads whole.
    ws = synthetic_workspace(connections=4, tables=3, groups=2, columns=3, seed=5)
    with FivetranSimulator(ws, legacy_paths=True) as sim:
        yield sim


@pytest.fixture(scope="module")
def theirs_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    directory = tmp_path_factory.mktemp("theirs")
    name = f"their_translators_{uuid.uuid4().hex[:8]}"
    (directory / f"{name}.py").write_text(translator_module("dagster_fivetran"))
    yield import_package(directory, name)
    sys.modules.pop(name, None)


def generate_with(sim: FivetranSimulator, project: Path, translator: str) -> ModuleType:
    package = f"translated_{uuid.uuid4().hex[:10]}"
    (project / "pyproject.toml").write_text(
        f'[tool.fivetran-codegen]\noutput = "{package}"\ntranslator = "{translator}"\n'
    )
    snap = run_cli("snapshot", "--no-progress", cwd=project, sim=sim)
    assert snap.code == 0, snap.stderr
    generated = run_cli("generate", cwd=project)
    assert generated.code == 0, generated.stderr
    return import_package(project, package)


@pytest.mark.parametrize("translator", sorted(BODIES))
def test_a_translator_gives_what_dagster_fivetran_gives_with_it(
    translator: str,
    simulated: FivetranSimulator,
    theirs_module: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    theirs_translator = getattr(theirs_module, translator)()
    theirs = {s.key: s for s in load_theirs(simulated, monkeypatch, theirs_translator)}
    module_name = f"our_translators_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module_name}.py").write_text(translator_module("fivetran_codegen.translator"))
    package = generate_with(simulated, tmp_path, f"{module_name}:{translator}")
    try:
        ours = {s.key: s for s in package.ALL_SPECS}
        assert set(ours) == set(theirs)
        assert len(ours) == 12
        for key, spec in ours.items():
            assert compared_fields(spec) == compared_fields(theirs[key]), key
    finally:
        forget_package(package.__name__)
        sys.modules.pop(module_name, None)


def test_what_the_package_builds_equals_what_the_translator_returned(
    simulated: FivetranSimulator, tmp_path: Path
) -> None:
    module_name = f"recording_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module_name}.py").write_text(
        translator_module("fivetran_codegen.translator")
        + textwrap.dedent(
            """
            RETURNED = []


            class Recording(Everything):
                def get_asset_spec(self, props):
                    spec = super().get_asset_spec(props)
                    RETURNED.append(spec)
                    return spec
            """
        )
    )
    recording = import_package(tmp_path, module_name)  # imported first, so generate keeps it
    package = generate_with(simulated, tmp_path, f"{module_name}:Recording")
    try:
        returned = {s.key: s for s in recording.RETURNED}
        built = {s.key: s for s in package.ALL_SPECS}
        assert set(built) == set(returned) and len(built) == 12
        for key, spec in built.items():
            original = returned[key]
            for field in ("deps", "description", "group_name", "owners", "tags", "kinds"):
                assert getattr(spec, field) == getattr(original, field), (key, field)
            for field in ("code_version", "skippable", "partitions_def"):
                assert getattr(spec, field) == getattr(original, field), (key, field)
            assert dict(spec.metadata) == dict(original.metadata), key
            for field in ("automation_condition", "freshness_policy"):
                assert dg.serialize_value(getattr(spec, field)) == dg.serialize_value(
                    getattr(original, field)
                ), (key, field)
    finally:
        forget_package(package.__name__)
        sys.modules.pop(module_name, None)
