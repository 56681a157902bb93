"""A workspace whose names break naive code generators.

Connection names, group names, destination databases, schema/table/column source names and
`name_in_destination` values hold quotes, backslashes, newlines and carriage returns, triple
quotes, Jinja delimiters, dots, spaces, slashes, `#`, `?`, `%`, accents, CJK, emoji, RTL text,
a zero-width joiner, Python keywords, dunders, 300-character names, leading digits, names that
clean to nothing, and names that clash once cleaned. Ids stay API-legal; asset keys
(`[schema name_in_destination, table name_in_destination]`) stay unique across the workspace.
"""

from __future__ import annotations

from datetime import timedelta

from fivetran_codegen_runtime.testing import configs
from fivetran_codegen_runtime.testing.clock import parse_timestamp
from fivetran_codegen_runtime.testing.workspace import (
    SimColumn,
    SimConnection,
    SimGroup,
    SimSchema,
    SimTable,
    Workspace,
)

ZWJ_EMOJI = "\U0001f469\u200d\U0001f4bb"  # woman technologist: two code points and a joiner
LONG_NAME = "very_long_" * 30  # 300 characters

# (connection id, connection name): one hostile trait each, plus three that clash when cleaned.
CONNECTION_NAMES: tuple[tuple[str, str], ...] = (
    ("quoted_quagmire", 'it\'s "quoted"'),
    ("backslash_bramble", "C:\\new\\table\\"),
    ("newline_nebula", "line one\nline two\r\nend\r"),
    ("triple_tangle", "\"\"\"doc\"\"\" and '''single'''"),
    ("jinja_juggler", "{{ evil }} {% raw %} {# comment #}"),
    ("dotted_dahlia", "sheets.budget.2025 / q1 #tag ?x=1 100%"),
    ("unicode_umbra", f"café naïve 数据 📈 مرحبا {ZWJ_EMOJI}"),
    ("keyword_kestrel", "class"),
    ("import_iris", "import"),
    ("none_nimbus", "None"),
    ("dunder_dingo", "__init__"),
    ("lengthy_lagoon", LONG_NAME),
    ("digit_dune", "1st-connection"),
    ("bang_bastion", "!!!"),
    ("clash_alpha", "sales-prod"),
    ("clash_beta", "sales prod"),
    ("clash_gamma", "Sales_Prod"),
)

# (source name, name_in_destination) pairs for tables; each connection gets a rotating slice.
TABLE_NAMES: tuple[tuple[str, str], ...] = (
    ('it\'s "a" table', 'it\'s "a" table'),
    ("back\\slash\\", "back\\slash\\"),
    ("multi\nline\rname", "multi\nline\rname"),
    ('"""', '"""'),
    ("'''", "'''"),
    ("{{ table }}", "{{ table }}"),
    ("{% if x %}", "{% if x %}"),
    ("a.b.c", "a.b.c"),
    ("with space", "with space"),
    ("slash/name", "slash/name"),
    ("hash#tag", "hash#tag"),
    ("q?a=1&b=2", "q?a=1&b=2"),
    ("100%", "100%"),
    ("Ünïcödé", "ünïcödé"),
    ("表格", "表格"),
    ("📈 metrics", "📈 metrics"),
    ("שלום", "שלום"),
    (ZWJ_EMOJI, ZWJ_EMOJI),
    ("class", "class"),
    ("import", "import"),
    ("None", "None"),
    ("__dunder__", "__dunder__"),
    ("L" * 300, "l" * 300),
    ("9lives", "9lives"),
    ("!!!", "!!!"),
    ("OrderItems", "order_items"),
)
# Different asset keys that clean to the same identifier; kept together in one schema.
CLASHING_TABLES: tuple[tuple[str, str], ...] = (
    ("sales-prod", "sales-prod"),
    ("sales prod", "sales prod"),
    ("Sales_Prod", "Sales_Prod"),
)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("col \"q\" 'x'", "col \"q\" 'x'"),
    ("new\nline", "new\nline"),
    ("class", "class"),
    ("Ünï 数据", "ünï_数据"),
    ("__x__", "__x__"),
    ("9th", "_9th"),
)
_TABLES_PER_CONNECTION = 5
_BASE_TIME = parse_timestamp("2024-03-03T03:03:03.030303Z")


def hostile_workspace() -> Workspace:
    ws = Workspace(account_id="hostile_account", account_name='Hostile "names" Ltd.\n')
    groups = (
        SimGroup(
            "snowy_gauntlet",
            "Prod \"EU\"\n'quoted' {{ group }}",
            _BASE_TIME,
            configs.snowflake('ANALYTICS"; DROP TABLE x; --\n'),
        ),
        SimGroup(
            "murky_gallows",
            "Team's\\Warehouse #1 ?%",
            _BASE_TIME + timedelta(days=1),
            configs.big_query("proj-'quoted'-\\back"),
        ),
        SimGroup(
            "eerie_gazebo",
            f"数据 📦 Lake {ZWJ_EMOJI} مرحبا",
            _BASE_TIME + timedelta(days=2),
            configs.databricks(f"catalogue_é_{ZWJ_EMOJI}"),
        ),
    )
    for group in groups:
        ws.add_group(group)
    services = configs.CONNECTION_SERVICES
    for index, (conn_id, name) in enumerate(CONNECTION_NAMES):
        service = services[index % len(services)]
        ws.add_connection(
            SimConnection(
                id=conn_id,
                group_id=groups[index % len(groups)].id,
                service=service,
                schema=name,
                created_at=_BASE_TIME + timedelta(hours=index),
                succeeded_at=_BASE_TIME + timedelta(days=200, minutes=index),
                config=configs.connection_config(service),
                schema_config=_schemas(index, name),
            )
        )
    return ws


def _schemas(index: int, connection_name: str) -> dict[str, SimSchema]:
    # The schema's source name is hostile too; its name_in_destination embeds the connection
    # name so that asset keys stay unique across connections.
    start = index * _TABLES_PER_CONNECTION
    picked = [TABLE_NAMES[(start + k) % len(TABLE_NAMES)] for k in range(_TABLES_PER_CONNECTION)]
    if connection_name == "sales-prod":
        picked.extend(CLASHING_TABLES)
    source = TABLE_NAMES[index % len(TABLE_NAMES)][0]
    return {
        source: SimSchema(
            source,
            f"{connection_name} {index}",
            tables={src: _table(src, nid) for src, nid in dict(picked).items()},
        )
    }


def _table(name: str, name_in_destination: str) -> SimTable:
    return SimTable(
        name,
        name_in_destination,
        columns=[
            SimColumn(
                src,
                nid,
                is_primary_key=src == "id",
                hashed=src == "class",
                in_schema_config=src in ("id", "class", "new\nline"),
            )
            for src, nid in COLUMNS
        ],
    )
