"""`[tool.fivetran-codegen]` in pyproject.toml: the settings (`settings`), how they are read
(`load`: the file, profiles), how each value is checked (`fields`, `locations`, `cron`,
`key_templates`). Other stages import what they need from here."""

from fivetran_codegen.config.load import (
    PYPROJECT,
    TABLE,
    Workspaces,
    find_pyproject,
    load,
    load_all,
    load_workspaces,
    parse,
    profile_names,
    read_section,
    with_paths,
)
from fivetran_codegen.config.settings import (
    AssetSettings,
    Config,
    JobConfig,
    RetryPolicy,
    SensorConfig,
    settings_for,
)

__all__ = [
    "PYPROJECT",
    "TABLE",
    "AssetSettings",
    "Config",
    "JobConfig",
    "RetryPolicy",
    "SensorConfig",
    "Workspaces",
    "find_pyproject",
    "load",
    "load_all",
    "load_workspaces",
    "parse",
    "profile_names",
    "read_section",
    "settings_for",
    "with_paths",
]
