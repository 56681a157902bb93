"""Translators and `[[tool.fivetran-codegen.tables]]` on the sample snapshot: what they write,
what they refuse (exit 2, the table and field named, nothing written), and what they keep working
(--check, the render cache, collisions, jobs by group, diff)."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from tests.conftest import imported, ruff_format_check, run_cli, run_console_script
from tests.output.test_generate import SAMPLE_SNAPSHOT, tree

HEAD = "import datetime\n\nimport dagster as dg\nfrom fivetran_codegen.translator import *\n\n\n"


def project(tmp_path: Path, settings: str = "", translator: str | None = None) -> Path:
    """The sample snapshot, `settings` in [tool.fivetran-codegen], and a `get_asset_spec` body
    as the project's `translators.Custom` (which the settings then name)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE_SNAPSHOT, tmp_path / "fivetran_snapshot.json")
    if translator is not None:
        write_translator(tmp_path, translator)
        settings = 'translator = "translators:Custom"\n' + settings
    (tmp_path / "pyproject.toml").write_text(f"[tool.fivetran-codegen]\n{settings}")
    return tmp_path


def write_translator(root: Path, body: str) -> None:
    code = "class Custom(DagsterFivetranTranslator):\n    def get_asset_spec(self, props):\n"
    (root / "translators.py").write_text(
        HEAD + code + textwrap.indent(textwrap.dedent(body), " " * 8)
    )


def specs(root: Path) -> dict[tuple[str, ...], dg.AssetSpec]:
    with imported(root, "fivetran_defs") as package:
        return {tuple(s.key.path): s for s in package.ALL_SPECS}


def generate(root: Path, *args: str) -> tuple[int, str]:
    result = run_cli("generate", *args, cwd=root)
    return result.code, result.stdout + result.stderr


# -- what gets written --------------------------------------------------------------------------


def test_the_seed_examples_in_toml(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'key_prefix = ["prefix"]\n\n[[tool.fivetran-codegen.tables]]\nmatch = "*"\n'
        'metadata = { custom = "metadata" }\ndeps = ["my_upstream_asset_key"]\n',
    )
    assert generate(root)[0] == 0
    found = specs(root)
    assert ("prefix", "salesforce", "account") in found
    for spec in found.values():
        assert spec.key.path[0] == "prefix"
        assert spec.metadata["custom"] == "metadata"
        assert [d.asset_key for d in spec.deps] == [dg.AssetKey("my_upstream_asset_key")]
    assert ruff_format_check(root / "fivetran_defs").returncode == 0


def test_table_entries_apply_in_order_to_the_tables_they_match(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        textwrap.dedent(
            """
            [[tool.fivetran-codegen.tables]]
            match = "salesforce.*"
            description = "CRM"
            tags = { tier = "bronze" }
            owners = ["team:sales"]
            group = "crm"
            kinds = ["fivetran", "salesforce"]
            code_version = "3"
            automation_condition = "eager"

            [[tool.fivetran-codegen.tables]]
            match = "salesforce:salesforce.account"
            asset_key = ["crm", "{source_table}"]
            key_prefix = "sf"
            tags = { tier = "gold" }
            automation_condition = "none"
            """
        ),
    )
    code, output = generate(root)
    assert code == 0, output
    found = specs(root)
    account = found[("sf", "crm", "Account")]
    assert account.description == "CRM" and account.group_name == "crm"
    assert account.tags["tier"] == "gold" and account.automation_condition is None
    assert account.kinds == {"fivetran", "salesforce"} and account.code_version == "3"
    assert account.owners == ["team:sales"]
    contact = found[("salesforce", "contact")]
    assert contact.tags["tier"] == "bronze" and contact.automation_condition is not None
    others = [s for k, s in found.items() if k[0] not in ("sf", "salesforce")]
    assert others and all(s.description is None and "tier" not in s.tags for s in others)


FRESHNESS = '[[tool.fivetran-codegen.tables]]\nmatch = "*"\nfreshness_policy = { %s }\n'
HAS_FRESHNESS = hasattr(getattr(dg, "FreshnessPolicy", None), "time_window")


def _policy(kind: str, **arguments: object) -> object:
    return getattr(dg.FreshnessPolicy, kind)(**arguments) if HAS_FRESHNESS else None


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            'fail_window = "25h", warn_window = "13h"',
            lambda: _policy(
                "time_window",
                fail_window=datetime.timedelta(hours=25),
                warn_window=datetime.timedelta(hours=13),
            ),
        ),
        (
            'cron = "0 10 * * *", lower_bound = "1h30m", timezone = "Europe/Berlin"',
            lambda: _policy(
                "cron",
                deadline_cron="0 10 * * *",
                lower_bound_delta=datetime.timedelta(minutes=90),
                timezone="Europe/Berlin",
            ),
        ),
    ],
)
def test_a_freshness_policy_from_toml(setting: str, expected: Any, tmp_path: Path) -> None:
    root = project(tmp_path, FRESHNESS % setting)
    code, output = generate(root)
    if not HAS_FRESHNESS:  # dagster before 1.11: refused, and the message says why
        assert code == 2 and "needs a Dagster with dg.FreshnessPolicy.time_window" in output
        return
    assert code == 0, output
    module = (root / "fivetran_defs" / "connections" / "stripe.py").read_text()
    assert module.count("\nimport datetime\n") == 1 and "datetime.timedelta(" in module
    for spec in specs(root).values():
        assert dg.serialize_value(spec.freshness_policy) == dg.serialize_value(expected())
    assert ruff_format_check(root / "fivetran_defs").returncode == 0


def test_a_translator_returning_defaults_writes_what_no_translator_writes(tmp_path: Path) -> None:
    plain = project(tmp_path / "plain")
    assert generate(plain)[0] == 0
    hooked = project(tmp_path / "hooked", translator="return super().get_asset_spec(props)\n")
    assert generate(hooked)[0] == 0
    assert tree(hooked / "fivetran_defs") == tree(plain / "fivetran_defs")


def test_the_default_spec_equals_what_the_module_builds(tmp_path: Path) -> None:
    """`super().get_asset_spec()` is built from a per-connection template without Dagster's
    constructor checks: it must still equal, field by field, the spec the generated code builds."""
    from fivetran_codegen import config
    from fivetran_codegen.plan import default_spec, render_plan
    from fivetran_codegen.snapshot import codec

    root = project(
        tmp_path,
        'group = "{connection}"\ntags = { team = "data" }\nowners = ["team:data"]\n'
        'automation_condition = "eager"\n',
    )
    assert generate(root)[0] == 0
    plan = render_plan.build(
        codec.load(root / "fivetran_snapshot.json"), config.load(None, cwd=root), snapshot_name="s"
    )
    built = {
        s.key: default_spec.build(default_spec.connection_template(c), s)
        for c in plan.connections
        for s in c.specs
    }
    generated = specs(root)
    assert built.keys() == generated.keys() and len(built) > 3
    for key, spec in generated.items():
        assert built[key]._asdict() == spec._asdict(), key
        assert built[key].kinds == spec.kinds and built[key].tags["team"] == "data"


def test_a_translator_that_edits_the_default_spec_in_place_keeps_its_edits(
    tmp_path: Path,
) -> None:
    # AssetSpec's metadata and tags are plain dicts: an edit in place must count as a change of
    # that table's spec, not of the default it is compared with, nor leak into the next table.
    root = project(
        tmp_path,
        translator="""\
            spec = super().get_asset_spec(props)
            spec.metadata["custom"] = props.table
            spec.tags["table"] = props.destination_table
            return spec
        """,
    )
    assert generate(root)[0] == 0
    generated = specs(root)
    assert len(generated) > 3
    for spec in generated.values():
        schema, table = spec.key.path[-2:]
        assert spec.metadata["custom"] == f"{schema}.{table}"
        assert spec.tags["table"] == table


HOSTILE = '"""\n# noqa\nimport os; os.system("x")  # \u202e\x00\r\\'


def test_a_hostile_metadata_string_stays_a_string(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        translator=f"""
            value = {HOSTILE!r}
            spec = super().get_asset_spec(props)
            return spec.merge_attributes(metadata={{value: value, "k": [value]}}, tags={{}})
        """,
    )
    code, output = generate(root)
    assert code == 0, output
    for spec in specs(root).values():
        assert spec.metadata[HOSTILE] == HOSTILE and spec.metadata["k"] == [HOSTILE]
    assert ruff_format_check(root / "fivetran_defs").returncode == 0


def test_keys_that_collide_after_translation_get_the_collision_error(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        translator='return super().get_asset_spec(props).replace_attributes(key=["same"])\n',
    )
    code, output = generate(root)
    assert code == 2
    assert "would share the asset key ['same']" in output
    assert not (root / "fivetran_defs").exists()


def test_jobs_select_translated_groups(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        '[[tool.fivetran-codegen.jobs]]\nname = "crm"\ngroups = ["crm"]\n',
        translator="""
            spec = super().get_asset_spec(props)
            group = "crm" if props.connection_service == "salesforce" else spec.group_name
            return spec.replace_attributes(group_name=group)
        """,
    )
    code, output = generate(root)
    assert code == 0, output
    with imported(root, "fivetran_defs") as package:
        graph = package.defs.get_repository_def().asset_graph  # public API back to dagster 1.10
        (job,) = package.defs.jobs
        selected = {k.path[-1] for k in job.selection.resolve(graph)}
    assert selected == {"account", "contact", "opportunity"}


def test_props_carry_what_the_snapshot_knows(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        translator="""
            spec = super().get_asset_spec(props)
            assert props.connector_config is None and props.name == props.connector_name
            assert props.table == props.destination_schema + "." + props.destination_table
            schema = props.schema_config.schemas[props.source_schema]
            assert schema.tables[props.source_table].name_in_destination == props.destination_table
            facts = {
                "service": props.connection_service, "group": props.group_name or "",
                "paused": str(props.paused), "state": props.setup_state,
                "mode": str(props.sync_mode), "url": props.connector_url,
                "columns": ",".join(
                    c.name + ("*" if c.is_primary_key else "") for c in props.columns or ()
                ),
            }
            return spec.merge_attributes(metadata=facts)
        """,
    )
    code, output = generate(root)
    assert code == 0, output
    found = specs(root)
    orders = found[("pg_prod_public", "orders")].metadata
    assert orders["service"] == "postgres" and orders["columns"] == "id*"
    assert (
        orders["url"]
        == "https://fivetran.com/dashboard/connections/" + orders["dagster-fivetran/connector_id"]
    )
    assert {m["state"] for m in (s.metadata for s in found.values())} >= {"connected"}


# -- what gets refused --------------------------------------------------------------------------


REFUSED = {
    "an object as metadata": (
        'return super().get_asset_spec(props).merge_attributes(metadata={"x": object()})\n',
        ["metadata 'x'", "builtins.object", "dg.MetadataValue"],
    ),
    "a notebook metadata value": (
        'return super().get_asset_spec(props).merge_attributes(metadata={"x": dg.MetadataValue.notebook("n.ipynb")})\n',
        ["metadata 'x'", "NotebookMetadataValue", "dg.MetadataValue"],
    ),
    "a dep with a partition mapping": (
        'return super().get_asset_spec(props).replace_attributes(deps=[dg.AssetDep("up", partition_mapping=dg.IdentityPartitionMapping())])\n',
        ["the deps of table", "AssetDep", "without a partition mapping"],
    ),
    "a labelled condition": (
        'return super().get_asset_spec(props).replace_attributes(automation_condition=dg.AutomationCondition.eager().with_label("mine"))\n',
        ["the automation_condition of table", "AndAutomationCondition", "&, | and ~"],
    ),
    "dynamic partitions": (
        'return super().get_asset_spec(props).replace_attributes(partitions_def=dg.DynamicPartitionsDefinition(name="d"))\n',
        [
            "the partitions_def of table",
            "DynamicPartitionsDefinition",
            "StaticPartitionsDefinition",
        ],
    ),
    "a non-spec return": ("return {'key': 'x'}\n", ["returned a dict", "not a dg.AssetSpec"]),
    "the runtime's metadata taken away": (
        "return super().get_asset_spec(props).replace_attributes(metadata={})\n",
        ["must keep 'dagster-fivetran/connector_id'", "merge_attributes"],
    ),
    "partitions that differ within a connection": (
        "spec = super().get_asset_spec(props)\n"
        "return spec.replace_attributes(partitions_def=dg.StaticPartitionsDefinition([props.table]))\n",
        ["have different partitions", "share one partitions definition"],
    ),
    "an exception in the translator": (
        "spec = super().get_asset_spec(props)\nraise KeyError(props.table)\n",
        ["translators.py:", "in get_asset_spec", "the translator failed on table", "KeyError"],
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_cannot_be_written_stops_generate_with_nothing_written(
    case: str, tmp_path: Path
) -> None:
    body, expected = REFUSED[case]
    root = project(tmp_path, translator=body)
    code, output = generate(root)
    assert code == 2, output
    for text in expected:
        assert text in output, (text, output)
    assert "Traceback" not in output
    assert not (root / "fivetran_defs").exists()


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ('translator = "nope"\n', "is not 'module:attribute'"),
        ('translator = "missing_module:X"\n', "cannot import 'missing_module'"),
        (
            '[[tool.fivetran-codegen.tables]]\nmatch = "*"\ndescripton = "x"\n',
            "did you mean 'description'",
        ),
        ('[[tool.fivetran-codegen.tables]]\ndescription = "x"\n', "needs a match"),
        (
            '[[tool.fivetran-codegen.tables]]\nmatch = "*"\nfreshness_policy = { fail_window = "1h", warn_window = "2h" }\n',
            "must be shorter than fail_window",
        ),
        (
            '[[tool.fivetran-codegen.tables]]\nmatch = "*"\nfreshness_policy = { fail_window = "30s" }\n',
            "shorter than a minute",
        ),
        (
            '[[tool.fivetran-codegen.tables]]\nmatch = "*"\ndeps = [1]\n',
            "deps must be a list of asset keys",
        ),
        (
            '[[tool.fivetran-codegen.tables]]\nmatch = "*"\nmetadata = { at = 1979-05-27 }\n',
            "cannot be metadata",
        ),
    ],
)
def test_bad_settings_are_config_errors(settings: str, expected: str, tmp_path: Path) -> None:
    root = project(tmp_path, settings)
    code, output = generate(root)
    assert code == 2 and expected in output, output
    assert not (root / "fivetran_defs").exists()


def test_a_table_entry_that_matches_nothing_is_a_warning(tmp_path: Path) -> None:
    root = project(
        tmp_path, '[[tool.fivetran-codegen.tables]]\nmatch = "nowhere.*"\ndescription = "x"\n'
    )
    code, output = generate(root)
    assert code == 0
    assert "tables[0]]: match 'nowhere.*' matches no generated table" in output


def test_a_dagster_fivetran_subclass_is_refused_with_the_fix(tmp_path: Path) -> None:
    root = project(tmp_path, 'translator = "translators:Theirs"\n')
    (root / "translators.py").write_text(
        "from dagster_fivetran import DagsterFivetranTranslator\n\n\n"
        "class Theirs(DagsterFivetranTranslator):\n    pass\n"
    )
    code, output = generate(root)
    assert (
        code == 2 and "import DagsterFivetranTranslator from fivetran_codegen.translator" in output
    )


# -- everything else keeps working --------------------------------------------------------------


def test_a_translator_edit_regenerates_exactly_the_modules_it_changes(tmp_path: Path) -> None:
    root = project(tmp_path, translator="return super().get_asset_spec(props)\n")
    assert generate(root)[0] == 0
    before = tree(root / "fivetran_defs")
    write_translator(
        root,
        """
        spec = super().get_asset_spec(props)
        if props.connection_service != "stripe":
            return spec
        return spec.merge_attributes(metadata={"reviewed": True})
        """,
    )
    code, output = generate(root, "--check")
    assert code == 1 and "stripe.py" in output
    code, output = generate(root)
    assert code == 0, output
    after = tree(root / "fivetran_defs")
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == ["_manifest.json", "connections/stripe.py"]
    assert '"reviewed": True' in after["connections/stripe.py"]
    assert generate(root, "--check")[0] == 0


def test_diff_sees_translated_keys(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        translator='return super().get_asset_spec(props).replace_attributes(key=super().get_asset_spec(props).key.with_prefix("raw"))\n',
    )
    assert generate(root)[0] == 0
    shutil.copy(SAMPLE_SNAPSHOT, root / "new_snapshot.json")
    text = (
        (root / "new_snapshot.json")
        .read_text()
        .replace('"name_in_destination": "orders"', '"name_in_destination": "orders_v2"')
    )
    (root / "new_snapshot.json").write_text(text)
    result = run_cli("diff", "fivetran_snapshot.json", "new_snapshot.json", cwd=root)
    assert result.code == 0, result.stderr
    # The keys a renamed table moves between are the translated ones, prefix and all.
    assert "raw/pg_prod_public/orders -> raw/pg_prod_public/orders_v2" in result.stdout, (
        result.stdout
    )


def test_without_a_translator_generate_does_not_import_dagster(tmp_path: Path) -> None:
    root = project(tmp_path)
    script = (
        "import sys\nfrom fivetran_codegen.cli.main import main\n"
        "try:\n    main(['generate'])\nexcept SystemExit:\n    pass\n"
        "print('dagster' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr


def test_the_project_modules_a_translator_imports_are_forgotten_after_generate(
    tmp_path: Path,
) -> None:
    # Left imported, they would shadow another project's modules of the same name in the same
    # process, and hide an edit of the translator from the next run.
    root = project(tmp_path, translator="return super().get_asset_spec(props)\n")
    (root / "helpers").mkdir()
    (root / "helpers" / "__init__.py").write_text("PREFIX = 'p'\n")
    text = (root / "translators.py").read_text()
    (root / "translators.py").write_text("import helpers\n" + text)
    assert generate(root)[0] == 0
    assert "translators" not in sys.modules and "helpers" not in sys.modules


@pytest.mark.e2e
def test_translated_output_is_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    # Sets and dicts a translator builds (kinds, tags, owners, metadata) iterate in hash order.
    body = """
        spec = super().get_asset_spec(props)
        return spec.replace_attributes(
            kinds={"fivetran", "sql", props.connection_service[:8]},
            owners=sorted({"team:b", "team:a"}),
        ).merge_attributes(
            tags={t: "x" for t in {"zeta", "alpha", "mid"}},
            metadata={"set": sorted({"b", "a", "c"}), "d": {k: 1 for k in {"q", "p"}}},
        )
    """
    outputs = []
    for seed in ("0", "1", "12345"):
        work = project(tmp_path / seed, translator=body)
        run = run_console_script("generate", cwd=work, env={"PYTHONHASHSEED": seed})
        assert run.code == 0, run.stderr
        outputs.append(tree(work / "fivetran_defs"))
    assert outputs[0] == outputs[1] == outputs[2]
    assert 'kinds={"fivetran", "salesfor", "sql"}' in outputs[0]["connections/salesforce.py"]
