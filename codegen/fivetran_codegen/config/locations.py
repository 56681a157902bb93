"""Where a value sits in the TOML (file and dotted path), with typed getters that say so on error."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fivetran_codegen.errors import ConfigError, did_you_mean

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def quote(key: str) -> str:
    """A TOML key as a dotted path or table header spells it: bare when it can be, else a basic
    string (JSON's escapes are TOML's)."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


@dataclass(frozen=True)
class Where:
    """Where a value sits (file and dotted TOML path), and typed getters that say so on error."""

    source: str
    path: str

    def at(self, key: str) -> str:
        return f"{self.source}: [{self.path}].{key}" if key else f"{self.source}: [{self.path}]"

    def sub(self, key: str) -> Where:
        return Where(self.source, f"{self.path}.{key}")

    def table(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ConfigError(
                f"expected a table, got {type(value).__name__}",
                where=self.at(""),
            )
        return value

    def known(self, table: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        for key in sorted(table):
            if key not in keys:
                raise ConfigError(
                    f"unknown key {key!r}",
                    where=self.at(quote(key)),
                    hint=did_you_mean(key, keys, otherwise=f"known keys: {', '.join(keys)}"),
                )

    def string(self, table: Mapping[str, Any], key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"{key} must be a non-empty string, not {value!r}", where=self.at(key)
            )
        return value

    def strings(
        self,
        table: Mapping[str, Any],
        key: str,
        default: tuple[str, ...] = (),
        *,
        allow_str: bool = False,
    ) -> tuple[str, ...]:
        value = table.get(key, default)
        if allow_str and isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(
                f"{key} must be a list of non-empty strings, not {value!r}", where=self.at(key)
            )
        return tuple(value)

    def boolean(self, table: Mapping[str, Any], key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, not {value!r}", where=self.at(key))
        return value

    def integer(self, table: Mapping[str, Any], key: str, default: int, *, minimum: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(
                f"{key} must be an integer >= {minimum}, not {value!r}", where=self.at(key)
            )
        return value

    def choice(self, table: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if value not in choices:
            raise ConfigError(
                f"{key} {value!r} is not one of {', '.join(choices)}",
                where=self.at(key),
                hint=did_you_mean(str(value), choices),
            )
        return str(value)
