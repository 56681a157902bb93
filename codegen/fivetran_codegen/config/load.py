"""`[tool.fivetran-codegen]` in pyproject.toml: what `generate` reads besides the snapshot.

Strict: an unknown key is an error with "did you mean", a bad value names the key and what it
accepts. Paths are relative to the pyproject.toml that holds them. Every setting has a default,
so a project without the table generates with dagster-fivetran's defaults.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fivetran_codegen.config import fields, table_rules
from fivetran_codegen.config.locations import Where, quote
from fivetran_codegen.config.settings import AssetSettings, Config
from fivetran_codegen.errors import ConfigError, did_you_mean
from fivetran_codegen.snapshot.model import Selection

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TABLE = "tool.fivetran-codegen"
PYPROJECT = "pyproject.toml"


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` (like ruff and pytest find theirs)."""
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def load(path: Path | None, *, cwd: Path) -> Config:
    """Read the config named by --config, else the nearest pyproject.toml, else defaults."""
    section, source, root = read_section(path, cwd=cwd)
    return parse(section, source=source, root=root)


def load_all(path: Path | None, *, cwd: Path) -> list[Config]:
    """Every profile's config when the file defines profiles, else the one config."""
    return load_workspaces(path, cwd=cwd, profile=None).chosen


@dataclass(frozen=True)
class Workspaces:
    """What a command works on, read from the file once."""

    base: Config  # the base table alone (what profiles share; the workspace without profiles)
    chosen: list[Config]  # the one `--profile` names, else every profile, else [base]

    @property
    def profiles(self) -> bool:
        return self.chosen[0].profile is not None


def load_workspaces(path: Path | None, *, cwd: Path, profile: str | None) -> Workspaces:
    section, source, root = read_section(path, cwd=cwd)
    base = parse(section, source=source, root=root)
    names = [profile] if profile is not None else profile_names(section)
    chosen = [parse(section, source=source, root=root, profile=name) for name in names]
    return Workspaces(base, chosen or [base])


def profile_names(section: Any) -> list[str]:
    profiles = section.get("profiles", {}) if isinstance(section, dict) else {}
    return sorted(profiles) if isinstance(profiles, dict) else []


def read_section(path: Path | None, *, cwd: Path) -> tuple[dict[str, Any], str, Path]:
    """The `[tool.fivetran-codegen]` table, where it came from, and its directory."""
    if path is None:
        found = find_pyproject(cwd.resolve())
        if found is None:
            return {}, "(defaults)", cwd
        path = found
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "no such file", where=str(path), hint="name an existing pyproject.toml"
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read it: {exc}", where=str(path)) from None
    tools = document.get("tool", {})
    if "fivetran-codegen" not in tools and isinstance(tools, dict):
        _refuse_misspelled_table(tools, path)
    return tools.get("fivetran-codegen", {}), str(path), path.parent


def _refuse_misspelled_table(tools: Mapping[str, Any], path: Path) -> None:
    """`[tool.fivetran_codegen]` and the like would otherwise be ignored without a word, and
    every setting in it silently lost."""
    for name in sorted(tools):
        if name != "fivetran-codegen" and (
            re.sub(r"[^a-z]", "", name.lower()) == "fivetrancodegen"
            or difflib.get_close_matches(name, ["fivetran-codegen"], n=1, cutoff=0.85)
        ):
            raise ConfigError(
                f"[tool.{quote(name)}] is not read by fivetran-codegen",
                where=str(path),
                hint="name the table [tool.fivetran-codegen]",
            )


def parse(section: Any, *, source: str, root: Path, profile: str | None = None) -> Config:
    where = Where(source, TABLE)
    table = where.table(section)
    where.known(table, fields.TOP_KEYS + fields.ASSET_KEYS)
    if "profiles" in table:
        where.sub("profiles").table(table["profiles"])  # "x", 5 or [1] would be ignored
    if profile is not None:
        # The base table on its own first, so an error in what the profiles share is reported
        # where it was written, not under the profile that inherited it.
        parse(section, source=source, root=root)
        if "jobs" in table:
            raise ConfigError(
                "jobs in the base table: with profiles, each job belongs to one profile (the "
                "same job in every profile would define one name twice)",
                where=where.at("jobs"),
                hint="move it under [[tool.fivetran-codegen.profiles.<name>.jobs]]",
            )
        table, where = _with_profile(table, where, profile)
    assets = fields.asset_settings(table, where, AssetSettings())
    connections = where.sub("connections").table(table.get("connections", {}))
    overrides = tuple(
        (name, _overridden(value, where.sub(f"connections.{quote(name)}"), assets))
        for name, value in sorted(connections.items())
    )
    return Config(
        source=source,
        root=root,
        snapshot=root / where.string(table, "snapshot", "fivetran_snapshot.json"),
        output=fields.output(root, table, where),
        selection=Selection(
            include=where.strings(table, "include"), exclude=where.strings(table, "exclude")
        ),
        assets=assets,
        sensor=fields.sensor(table.get("polling_sensor", False), where.sub("polling_sensor")),
        overrides=overrides,
        jobs=fields.jobs(table.get("jobs", []), where),
        resource_key=fields.resource_key(table, where),
        api_key_env=fields.env_name(table, where, "api_key_env", "FIVETRAN_API_KEY"),
        api_secret_env=fields.env_name(table, where, "api_secret_env", "FIVETRAN_API_SECRET"),
        profile=profile,
        translator=fields.translator(table, where),
        tables=table_rules.parse(table.get("tables", []), where),
    )


def _with_profile(
    table: dict[str, Any], where: Where, profile: str
) -> tuple[dict[str, Any], Where]:
    """The base table with the profile's keys laid over it (one workspace per profile)."""
    profiles = where.sub("profiles").table(table.get("profiles", {}))
    if profile not in profiles:
        raise ConfigError(
            f"no profile {profile!r}",
            where=where.at("profiles"),
            hint=did_you_mean(
                profile,
                profiles,
                otherwise=f"profiles defined: {', '.join(sorted(profiles)) or 'none'}",
            ),
        )
    inner = where.sub(f"profiles.{quote(profile)}")
    overlay = inner.table(profiles[profile])
    inner.known(overlay, tuple(k for k in fields.TOP_KEYS + fields.ASSET_KEYS if k != "profiles"))
    merged = {k: v for k, v in table.items() if k != "profiles"} | overlay
    return merged, inner


def _overridden(section: Any, where: Where, base: AssetSettings) -> AssetSettings:
    table = where.table(section)
    where.known(table, fields.ASSET_KEYS)
    return fields.asset_settings(table, where, base)


def with_paths(config: Config, *, snapshot: Path | None, output: Path | None) -> Config:
    """Command-line --snapshot/--out win over the file (they are relative to the cwd)."""
    return replace(
        config,
        snapshot=snapshot if snapshot is not None else config.snapshot,
        output=fields.checked_output(output, "--out") if output is not None else config.output,
    )
