"""What migrate knows about the two APIs: dagster-fivetran's names and their replacements."""

from __future__ import annotations

DAGSTER_FIVETRAN = "dagster_fivetran"
RUNTIME = "fivetran_codegen_runtime"


def is_dagster_fivetran(module: str) -> bool:
    """The package or one of its modules (`dagster_fivetran.resources`...)."""
    return module == DAGSTER_FIVETRAN or module.startswith(DAGSTER_FIVETRAN + ".")


# Same name, same role in the runtime: references keep their name, only the import moves.
RUNTIME_EQUIVALENTS = frozenset(
    {"FivetranWorkspace", "FivetranSyncConfig", "build_fivetran_polling_sensor"}
)

# Calls replaced by a name of the generated package.
LOADERS = {
    "load_fivetran_asset_specs": "ALL_SPECS",
    "build_fivetran_assets_definitions": "ASSETS",
}
DECORATOR = "fivetran_assets"
TRANSLATOR = "DagsterFivetranTranslator"
# The translator contract generate runs: same names, same roles, another module.
TRANSLATOR_MODULE = "fivetran_codegen.translator"
TRANSLATOR_NAMES = frozenset({TRANSLATOR, "FivetranConnectorTableProps"})
# Every name whose import moves, and where to: references keep their name.
EQUIVALENTS = {name: RUNTIME for name in RUNTIME_EQUIVALENTS} | {
    name: TRANSLATOR_MODULE for name in TRANSLATOR_NAMES
}
# Props fields of dagster-fivetran's that ours has but cannot fill, and why.
PROPS_WITHOUT_VALUE = {
    "connector_config": "it is None: the snapshot keeps no connection config (it can hold "
    "credentials)",
}

# dagster-fivetran's deprecated API (breaking in 0.30): nothing generated matches it one to one.
LEGACY = frozenset(
    {
        "FivetranResource",
        "fivetran_resource",
        "build_fivetran_assets",
        "load_assets_from_fivetran_instance",
        "fivetran_sync_op",
        "fivetran_resync_op",
    }
)

# dagster-fivetran's FivetranWorkspace fields -> the runtime's (None: no counterpart, dropped).
# tests/migrate/test_migrate.py checks both sides against the installed classes.
WORKSPACE_FIELDS: dict[str, str | None] = {
    "api_key": "api_key",
    "api_secret": "api_secret",
    "disable_schedule_on_trigger": "disable_schedule_on_trigger",
    "retry_on_reschedule": "retry_on_reschedule",
    "request_max_retries": "request_max_attempts",  # retries + 1, see calls.workspace_args
    "request_retry_delay": "request_backoff_seconds",
    "account_id": None,
    "snapshot_path": None,
    "request_backoff_factor": None,
}
WORKSPACE_DROPPED_WHY = {
    "account_id": "the generated package is the snapshot's account",
    "snapshot_path": "the snapshot is fivetran_snapshot.json and the generated package replaces it",
    "request_backoff_factor": "the runtime doubles the delay after each failed attempt",
}

# Methods of dagster-fivetran's FivetranWorkspace that the runtime's lacks or changes.
WORKSPACE_ONLY_METHODS = frozenset(
    {
        "fetch_fivetran_workspace_data",
        "get_or_fetch_workspace_data",
        "load_asset_specs",
        "snapshot",
        "get_client",
    }
)

# Names every generated connection module binds at the top, as (module, object, alias): a
# moved body that imports one of them the same way needs no import of its own.
GENERATED_MODULE_IMPORTS = frozenset(
    {
        ("dagster", None, "dg"),
        ("collections.abc", "Iterator", None),
        (RUNTIME, "FivetranConnection", None),
        (RUNTIME, "FivetranEvent", None),
        (RUNTIME, "FivetranSyncConfig", None),
        (RUNTIME, "FivetranWorkspace", None),
        (RUNTIME, "fivetran_assets", None),
    }
)
# Module globals of a generated connection module a moved body must not capture by accident.
GENERATED_MODULE_GLOBALS = frozenset({"CONNECTION", "CONNECTION_METADATA", "SPECS"})

# The roles of the generated asset function's parameters, in order, named as dagster-fivetran
# names them; the workspace parameter itself is the config's resource_key (`fivetran` by default).
CONTEXT, WORKSPACE, CONFIG = "context", "fivetran", "config"
