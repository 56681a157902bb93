"""Generated code is safe for any name Fivetran can hold.

* Arbitrary unicode (lone surrogates included: a snapshot carries them as JSON escapes) in every
  string field of a snapshot generates modules that parse, import without side effects, build
  `defs`, and give back every string exactly.
* The simulator's hostile workspace passes `dagster definitions validate` and round-trips.
* Connections whose names clean to one identifier are told apart by their ids, whatever order
  the snapshot lists them in.
* Two tables with one asset key are an error that names both and the config that fixes it.
* No template puts a value between quotes itself.
"""

from __future__ import annotations

import ast
import contextlib
import io
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import dagster as dg
import pytest
from fivetran_codegen import config as codegen_config
from fivetran_codegen import pipeline
from fivetran_codegen.render import templates as rendering
from fivetran_codegen.render.literals import docstring_value
from fivetran_codegen_runtime.testing import FivetranSimulator, hostile_workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import dagster_validate, ruff_format_check, run_cli

Document = dict[str, Any]
DASHBOARD = "https://fivetran.com/dashboard/connections/"
_CLEAN = re.compile(r"[^A-Za-z0-9_]+")  # dagster's clean_name_lower, for group names
_KIND = re.compile(r"[A-Za-z0-9_.-]{1,63}")  # what Dagster accepts in a `dagster/kind/` tag


# -- snapshot documents ------------------------------------------------------------------------


def column_json(name_in_destination: str, *, enabled: bool = True, pk: bool = False) -> Document:
    return {
        "name_in_destination": name_in_destination,
        "enabled": enabled,
        "hashed": False,
        "is_primary_key": pk,
    }


def table_json(name_in_destination: str, columns: Document | None = None) -> Document:
    return {
        "name_in_destination": name_in_destination,
        "enabled": True,
        "sync_mode": "SOFT_DELETE",
        "supports_columns_config": True,
        "columns_complete": False,
        "columns": columns or {},
    }


def schema_json(name_in_destination: str, tables: Document) -> Document:
    return {"name_in_destination": name_in_destination, "enabled": True, "tables": tables}


def connection_json(
    conn_id: str,
    name: str,
    group_id: str,
    schemas: Document | None,
    **fields: Any,
) -> Document:
    return {
        "id": conn_id,
        "name": name,
        "service": "postgres",
        "group_id": group_id,
        "setup_state": "connected",
        "paused": False,
        "schedule_type": "auto",
        "sync_frequency": 360,
        "daily_sync_time": None,
        "schema_config": None
        if schemas is None
        else {"schema_change_handling": "ALLOW_ALL", "schemas": schemas},
        "schema_config_error": None
        if schemas is not None
        else {"code": "NotFound_SchemaConfig", "message": "never synced"},
        **fields,
    }


def group_json(group_id: str, name: str, database: str | None = "ANALYTICS") -> Document:
    return {
        "id": group_id,
        "name": name,
        "destination": {"service": "snowflake", "region": None, "database": database},
        "destination_error": None,
    }


def document(groups: list[Document], connections: list[Document]) -> Document:
    return {
        "version": 1,
        "account": {"id": "acct", "name": "Account"},
        "selection": {"include": [], "exclude": []},
        "groups": groups,
        "connections": connections,
    }


def write_document(path: Path, doc: Document) -> None:
    # ensure_ascii: lone surrogates travel as `\udXXX` escapes, as they would from the API.
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


# -- generating and importing in-process -------------------------------------------------------


def generate(project: Path, doc: Document, package: str) -> pipeline.Result:
    snapshot = project / "fivetran_snapshot.json"
    write_document(snapshot, doc)
    cfg = codegen_config.parse({}, source="(test)", root=project)
    cfg = codegen_config.with_paths(cfg, snapshot=snapshot, output=project / package)
    return pipeline.run(cfg)


def files_under(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@contextlib.contextmanager
def imported(parent: Path, package: str) -> Iterator[ModuleType]:
    """Import a generated package in-process, asserting the import itself does nothing else."""
    before_files = files_under(parent)
    before_env = dict(os.environ)
    before_cwd = os.getcwd()
    output = io.StringIO()
    sys.path.insert(0, str(parent))
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            module = __import__(package)
        assert output.getvalue() == "", f"importing printed: {output.getvalue()!r}"
        assert files_under(parent) == before_files, "importing wrote files"
        assert dict(os.environ) == before_env and os.getcwd() == before_cwd
        yield module
    finally:
        sys.path.remove(str(parent))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


# -- (a) arbitrary unicode everywhere ----------------------------------------------------------

# Every code point, lone surrogates included, weighted towards what breaks code generators.
_ANY_CHAR = st.characters(exclude_categories=())
_FRAGMENTS = st.sampled_from(
    [
        *('"', "'", '"""', "'''", "\\", "\\N{", "\n", "\r", "\r\n", "\t", "\x00", "\x0c"),
        *("{{", "}}", "{%", "%}", "{#", "#}", "${x}", "%s", "{0}", "#", "# noqa", "# type: int"),
        *("coding: latin-1", "-*- coding: utf-8 -*-", "\u2028", "\u2029", "\u202e", "\u200b"),
        *("\ufeff", "\x85", "\ud800", "\udfff", "\U0001f469\u200d\U0001f4bb", "é", "数据"),
        *("class", "None", "__init__", "import os", ".", "/", "..", " ", "1", "_", "__"),
    ]
)
_HOSTILE_TEXT = st.lists(st.one_of(_FRAGMENTS, _ANY_CHAR), max_size=6).map("".join)
# JSON reads a high surrogate escape followed by a low one as one character (U+10000 and up):
# a snapshot cannot hold such a pair of lone surrogates, only single ones.
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
TEXT = st.one_of(st.text(_ANY_CHAR, max_size=10), _HOSTILE_TEXT).filter(
    lambda text: not _SURROGATE_PAIR.search(text)
)
NONEMPTY = TEXT.filter(bool)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    group_ids = draw(st.lists(NONEMPTY, min_size=1, max_size=2, unique=True))
    groups = [
        {
            "id": group_id,
            "name": draw(TEXT),
            "destination": draw(
                st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {
                            "service": NONEMPTY,
                            "region": st.none() | TEXT,
                            "database": st.none() | TEXT,
                        }
                    ),
                )
            ),
            "destination_error": None,
        }
        for group_id in group_ids
    ]
    for group in groups:
        if group["destination"] is None:
            group["destination_error"] = {"code": draw(NONEMPTY), "message": draw(TEXT)}
    connection_ids = draw(st.lists(NONEMPTY, min_size=1, max_size=3, unique=True))
    # Schema names in the destination are unique across the workspace, table names within a
    # schema: so every asset key is unique, as generation requires.
    schema_names = iter(draw(st.lists(NONEMPTY, min_size=6, max_size=6, unique=True)))
    connections = []
    for index, conn_id in enumerate(connection_ids):
        schemas: Document | None = {}
        for source in draw(st.lists(TEXT, min_size=1, max_size=2, unique=True)):
            tables = {
                table_source: table_json(
                    table_name,
                    {
                        column_source: column_json(
                            column_name, enabled=draw(st.booleans()), pk=draw(st.booleans())
                        )
                        for column_source, column_name in draw(
                            st.dictionaries(TEXT, TEXT, max_size=3)
                        ).items()
                    },
                )
                for table_source, table_name in draw(
                    st.lists(
                        st.tuples(TEXT, NONEMPTY),
                        min_size=1,
                        max_size=3,
                        unique_by=(lambda pair: pair[0], lambda pair: pair[1]),
                    )
                )
            }
            schemas[source] = schema_json(next(schema_names), tables)  # type: ignore[index]
        if index == 2 and draw(st.booleans()):
            schemas = None  # never synced: left out, and generation still succeeds
        connections.append(
            connection_json(
                conn_id,
                draw(TEXT),
                draw(st.sampled_from(group_ids) | NONEMPTY),  # maybe a group not in the snapshot
                schemas,
                service=draw(TEXT),
                setup_state=draw(st.sampled_from(["connected", "broken"]) | TEXT),
                paused=draw(st.booleans()),
                schedule_type=draw(st.none() | TEXT),
                sync_frequency=draw(st.none() | st.integers(-(2**63), 2**63)),
                daily_sync_time=draw(st.none() | TEXT),
            )
        )
    doc = document(groups, connections)
    doc["account"] = {"id": draw(NONEMPTY), "name": draw(st.none() | TEXT)}
    return doc


def words(text: str) -> str:
    return " ".join(text.split())


def clean_name_lower(name: str) -> str:
    return _CLEAN.sub("_", name).lower()


def check_round_trip(doc: Document, package: ModuleType) -> None:
    """Every string of the snapshot comes back exactly from the generated package."""
    groups = {g["id"]: g for g in doc["groups"]}
    defs: dg.Definitions = package.defs
    dg.Definitions.validate_loadable(defs)
    # What `defs.resolve_all_asset_specs()` returns (dagster 1.11+), as dagster 1.10 spells it too.
    nodes = defs.get_repository_def().asset_graph.asset_nodes
    resolved = {spec.key: spec for spec in (node.to_asset_spec() for node in nodes)}
    listed = {spec.key: spec for spec in package.ALL_SPECS}
    assert set(resolved) == set(listed)

    assert words(docstring_value(doc["account"]["id"])) in words(package.__doc__ or "")
    modules = {
        module.CONNECTION.id: module
        for name, module in sys.modules.items()
        if name.startswith(f"{package.__name__}.connections.")
    }
    expected_keys = set()
    for conn in doc["connections"]:
        if conn["schema_config"] is None:
            assert conn["id"] not in package.CONNECTIONS
            continue
        connection = package.CONNECTIONS[conn["id"]]
        assert modules[conn["id"]].CONNECTION is connection
        # Docstrings are for people; the formatter may trim whitespace in them, nothing else.
        docstring = words(modules[conn["id"]].__doc__ or "")
        name, conn_id = docstring_value(conn["name"]), docstring_value(conn["id"])
        assert words(name) in docstring and words(conn_id) in docstring
        group = groups.get(conn["group_id"])
        destination = group["destination"] if group else None
        database = destination["database"] if destination else None
        for field in ("id", "name", "service", "group_id", "setup_state", "paused"):
            assert getattr(connection, field) == conn[field], field
        for field in ("schedule_type", "sync_frequency", "daily_sync_time"):
            assert getattr(connection, field) == conn[field], field
        assert connection.database == database
        assert connection.destination_service == (destination["service"] if destination else None)
        for schema in conn["schema_config"]["schemas"].values():
            for table in schema["tables"].values():
                key = dg.AssetKey([schema["name_in_destination"], table["name_in_destination"]])
                expected_keys.add(key)
                spec = listed[key]
                assert spec.key.path == [
                    schema["name_in_destination"],
                    table["name_in_destination"],
                ]
                metadata = spec.metadata
                assert metadata["dagster-fivetran/connector_id"] == conn["id"]
                assert metadata["dagster-fivetran/connector_name"] == conn["name"]
                assert metadata["dagster-fivetran/destination_id"] == conn["group_id"]
                assert metadata["connector_url"] == dg.MetadataValue.url(DASHBOARD + conn["id"])
                assert metadata["dagster-fivetran/destination_schema_name"] == key.path[0]
                assert metadata["dagster-fivetran/destination_table_name"] == key.path[1]
                if conn["schedule_type"] is not None:
                    assert metadata["dagster-fivetran/schedule_type"] == conn["schedule_type"]
                if conn["daily_sync_time"] is not None:
                    assert metadata["dagster-fivetran/daily_sync_time"] == conn["daily_sync_time"]
                if destination is not None:
                    assert metadata["dagster/storage_kind"] == destination["service"]
                    if _KIND.fullmatch(destination["service"]):
                        assert spec.kinds == {"fivetran", destination["service"]}
                    else:  # not a valid Dagster kind: may be left out, must not break loading
                        assert "fivetran" in spec.kinds
                if database:
                    assert metadata["dagster/table_name"] == ".".join([database, *key.path])
                else:
                    assert "dagster/table_name" not in metadata
                columns = table["columns"]
                if columns:
                    names = sorted(
                        c["name_in_destination"] for c in columns.values() if c["enabled"]
                    )
                    assert [c.name for c in metadata["dagster/column_schema"].columns] == names
                else:
                    assert "dagster/column_schema" not in metadata
                group_name = clean_name_lower(conn["name"])
                if re.fullmatch(r"[A-Za-z0-9_]+", group_name):
                    assert spec.group_name == group_name
                else:
                    assert re.fullmatch(r"[A-Za-z0-9_]+", spec.group_name or "")
                assert resolved[key].metadata == metadata
    assert set(listed) == expected_keys


_counter = itertools.count()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=documents())
def test_any_unicode_in_every_field_generates_safe_code(
    doc: Document, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    package = f"hyp_defs_{next(_counter)}"
    result = generate(project, doc, package)
    root = project / package
    for relative in result.changed:
        if relative.endswith(".py"):
            source = (root / relative).read_text(encoding="utf-8")  # strict UTF-8
            ast.parse(source, filename=relative)
    formatted = ruff_format_check(root)  # as the pinned dev ruff writes it, with no ruff run
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    with imported(project, package) as module:
        check_round_trip(doc, module)
    cfg = codegen_config.with_paths(
        codegen_config.parse({}, source="(test)", root=project),
        snapshot=project / "fivetran_snapshot.json",
        output=root,
    )
    assert pipeline.run(cfg, check=True).differences == []  # regenerating changes nothing


# -- (b) the simulator's hostile workspace -----------------------------------------------------

_DUMP_PACKAGE = """
import json, sys
package = __import__(sys.argv[1])
specs = [
    {
        "key": spec.key.path,
        "group": spec.group_name,
        "metadata": {
            k: v if isinstance(v, (str, int, float, bool)) or v is None else repr(v)
            for k, v in spec.metadata.items()
        },
        "columns": [c.name for c in spec.metadata.get("dagster/column_schema").columns]
        if "dagster/column_schema" in spec.metadata
        else None,
    }
    # defs.resolve_all_asset_specs() (dagster 1.11+), as dagster 1.10 spells it too
    for spec in (n.to_asset_spec() for n in package.defs.get_repository_def().asset_graph.asset_nodes)
]
connections = {
    cid: {f: getattr(c, f) for f in ("id", "name", "service", "group_id", "database")}
    for cid, c in package.CONNECTIONS.items()
}
print(json.dumps({"specs": specs, "connections": connections}))
"""


def python_env(project: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIVETRAN_")}
    env.update(
        PYTHONPATH=str(project),
        FIVETRAN_API_KEY="dummy-key",
        FIVETRAN_API_SECRET="dummy-secret",
        DAGSTER_HOME=str(project / "dagster_home"),
    )
    (project / "dagster_home").mkdir(exist_ok=True)
    return env


@pytest.mark.e2e
def test_hostile_workspace_validates_and_round_trips(tmp_path: Path) -> None:
    workspace = hostile_workspace()
    with FivetranSimulator(workspace) as sim:
        snap = run_cli("snapshot", "--no-progress", cwd=tmp_path, sim=sim)
    assert snap.code == 0, snap.stderr
    generated = run_cli("generate", "--out", "hostile_defs", cwd=tmp_path)
    assert generated.code == 0, generated.stderr
    formatted = ruff_format_check(tmp_path / "hostile_defs")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr

    env = python_env(tmp_path)
    validate = dagster_validate(tmp_path, "hostile_defs")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "Validation successful" in validate.stdout + validate.stderr

    dump = subprocess.run(
        [sys.executable, "-c", _DUMP_PACKAGE, "hostile_defs"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert dump.returncode == 0, dump.stderr
    loaded = json.loads(dump.stdout)
    specs = {tuple(s["key"]): s for s in loaded["specs"]}

    expected: dict[tuple[str, str], tuple[str, list[str] | None]] = {}
    for conn in workspace.connections.values():
        assert loaded["connections"][conn.id] == {
            "id": conn.id,
            "name": conn.schema,
            "service": conn.service,
            "group_id": conn.group_id,
            "database": _database(workspace.groups[conn.group_id].destination),
        }
        for schema in (conn.schema_config or {}).values():
            for table in schema.tables.values():
                listed = [c for c in table.columns if c.in_schema_config]
                names = sorted(c.name_in_destination for c in listed if c.enabled)
                key = (schema.name_in_destination, table.name_in_destination)
                expected[key] = (conn.id, names if listed else None)
    assert set(specs) == set(expected)
    for key, (conn_id, columns) in expected.items():
        conn = workspace.connections[conn_id]
        spec = specs[key]
        assert spec["metadata"]["dagster-fivetran/connector_id"] == conn.id
        assert spec["metadata"]["dagster-fivetran/connector_name"] == conn.schema
        assert spec["metadata"]["dagster-fivetran/destination_schema_name"] == key[0]
        assert spec["metadata"]["dagster-fivetran/destination_table_name"] == key[1]
        database = _database(workspace.groups[conn.group_id].destination)
        assert spec["metadata"]["dagster/table_name"] == f"{database}.{key[0]}.{key[1]}"
        assert spec["columns"] == columns
        assert re.fullmatch(r"[A-Za-z0-9_]+", spec["group"])


def _database(destination: Any) -> str:
    key = {"big_query": "project_id", "databricks": "catalog"}.get(destination.service, "database")
    return str(destination.config[key])


# -- (c) names that clean to one identifier ----------------------------------------------------


def clashing_document(ids: tuple[str, str, str]) -> Document:
    names = ("sales-prod", "sales prod", "Sales_Prod")
    return document(
        [group_json("warehouse", "Warehouse")],
        [
            connection_json(
                conn_id,
                name,
                "warehouse",
                {"public": schema_json(f"schema_{n}", {"orders": table_json("orders")})},
            )
            for n, (conn_id, name) in enumerate(zip(ids, names, strict=True))
        ],
    )


def generated_files(project: Path, package: str) -> dict[str, bytes]:
    root = project / package
    return {relative: (root / relative).read_bytes() for relative in sorted(files_under(root))}


def module_by_connection(files: dict[str, bytes]) -> dict[str, str]:
    """{connection id: module name}, read from each module's `CONNECTION = ...(id=...)`."""
    modules = {}
    for path, source in files.items():
        if not (path.startswith("connections/") and path.endswith(".py")):
            continue
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "CONNECTION":
                assert isinstance(node.value, ast.Call)
                ids = [k.value for k in node.value.keywords if k.arg == "id"]
                modules[ast.literal_eval(ids[0])] = path.removeprefix("connections/")[:-3]
    return modules


@pytest.mark.parametrize(
    "ids",
    [
        ("clash_alpha", "clash_beta", "clash_gamma"),  # ids usable as suffixes as they are
        ("Clash-Alpha", "clash beta", "ΚΛΑΣΗ"),  # ids that are not identifiers: hashed
    ],
)
def test_names_that_clean_alike_are_told_apart_by_id(
    tmp_path: Path, ids: tuple[str, str, str]
) -> None:
    doc = clashing_document(ids)
    outputs = []
    orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0]]
    for attempt, order in enumerate(orders):
        shuffled = json.loads(json.dumps(doc))
        shuffled["connections"] = [shuffled["connections"][i] for i in order]
        project = tmp_path / f"run{attempt}"
        project.mkdir()
        generate(project, shuffled, "clash_defs")
        outputs.append(generated_files(project, "clash_defs"))
    assert outputs[0] == outputs[1] == outputs[2], "output depends on the snapshot's order"

    modules = module_by_connection(outputs[0])
    assert set(modules) == set(ids)
    assert len(set(modules.values())) == 3
    for conn_id, module in modules.items():
        assert module.startswith("sales_prod__"), module
        suffix = module.removeprefix("sales_prod__")
        if re.fullmatch(r"[a-z0-9_]+", conn_id):
            assert suffix == conn_id
        else:
            assert re.fullmatch(r"[0-9a-f]{10}", suffix), suffix
        assert f"connections/{module}.py" in outputs[0]

    # The suffix comes from the id alone: dropping one connection renames no other.
    project = tmp_path / "two"
    project.mkdir()
    fewer = json.loads(json.dumps(doc))
    fewer["connections"] = fewer["connections"][:2]
    generate(project, fewer, "clash_defs")
    remaining = module_by_connection(generated_files(project, "clash_defs"))
    assert remaining == {i: modules[i] for i in ids[:2]}


# -- (d) two tables, one asset key -------------------------------------------------------------


def duplicate_key_document() -> Document:
    """One source synced into two destinations: the same `salesforce.account` twice (#14048)."""

    def salesforce(conn_id: str, group_id: str) -> Document:
        return connection_json(
            conn_id,
            "salesforce",
            group_id,
            {"sf": schema_json("salesforce", {"Account": table_json("account")})},
        )

    return document(
        [group_json("us_group", "US"), group_json("eu_group", "EU")],
        [salesforce("sf_us_conn", "us_group"), salesforce("sf_eu_conn", "eu_group")],
    )


def test_two_tables_with_one_asset_key_are_an_error_naming_both(tmp_path: Path) -> None:
    write_document(tmp_path / "fivetran_snapshot.json", duplicate_key_document())
    run = run_cli("generate", cwd=tmp_path)
    assert run.code == 2, run.stdout + run.stderr
    message = run.stderr
    assert "sf_us_conn" in message and "sf_eu_conn" in message
    assert message.count("sf.Account") >= 2  # both tables, by their source names
    assert "['salesforce', 'account']" in message  # the shared key
    assert "key_prefix" in message and "asset_key" in message
    assert not (tmp_path / "fivetran_defs").exists()


@pytest.mark.parametrize(
    ("toml", "keys"),
    [
        (
            '[tool.fivetran-codegen.connections."sf_eu_conn"]\nkey_prefix = ["eu"]\n',
            {("salesforce", "account"), ("eu", "salesforce", "account")},
        ),
        (
            '[tool.fivetran-codegen]\nasset_key = ["{group}", "{schema}", "{table}"]\n',
            {("US", "salesforce", "account"), ("EU", "salesforce", "account")},
        ),
    ],
)
def test_the_suggested_config_fixes_a_shared_key(
    tmp_path: Path, toml: str, keys: set[tuple[str, ...]]
) -> None:
    write_document(tmp_path / "fivetran_snapshot.json", duplicate_key_document())
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    run = run_cli("generate", cwd=tmp_path)
    assert run.code == 0, run.stderr
    with imported(tmp_path, "fivetran_defs") as package:
        assert {tuple(spec.key.path) for spec in package.ALL_SPECS} == keys
        assert len(package.ASSETS) == 2


# -- (e) templates ------------------------------------------------------------------------------


def test_no_template_quotes_a_value_itself() -> None:
    templates = sorted(rendering.templates_dir().glob("*.jinja"))
    assert templates
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for quoted in ('"{{', "'{{"):
            assert quoted not in text, f"{template.name} has {quoted}: use the py filter"
