"""`asset_key` and `group` templates from the config: `"{schema}"`, `"fivetran_{group}"`...

Plain `str.format` fields only, from a fixed list, so a template cannot reach attributes,
indexes or conversions, and every error names the template and the fields there are.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Final

from fivetran_codegen.errors import ConfigError, did_you_mean

KEY_FIELDS: Final = (
    "schema",  # the schema's name in the destination
    "table",  # the table's name in the destination
    "source_schema",
    "source_table",
    "connection",  # the connection name (Fivetran's `schema` field)
    "connection_id",
    "service",  # the connector type, e.g. salesforce
    "group",  # the Fivetran group (destination) name
    "group_id",
    "destination_service",  # e.g. snowflake
    "database",  # the destination database / project / catalog ("" when none)
)

TABLE_FIELDS: Final = frozenset({"schema", "table", "source_schema", "source_table"})

_FORMATTER = string.Formatter()


def check_template(template: str, *, where: str) -> None:
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ConfigError(
            f"template {template!r} is malformed: {exc}",
            where=where,
            hint="write fields as {schema}; double braces {{ }} for literal ones",
        ) from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in KEY_FIELDS or spec or conversion:
            known = ", ".join("{" + f + "}" for f in KEY_FIELDS)
            close = did_you_mean(field, KEY_FIELDS, shown=lambda f: "{" + f + "}")
            raise ConfigError(
                f"template {template!r} uses {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}",
                where=where,
                hint=" ".join(filter(None, (close, f"plain fields only, one of: {known}"))),
            )


def render(template: str, values: Mapping[str, str]) -> str:
    # A template that is exactly one field (the default "{schema}", "{table}") is a lookup.
    if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
        return values[template[1:-1]]
    return template.format_map(values)


def uses_table_fields(template: str) -> bool:
    """True when the template varies per table (so it cannot be rendered once per connection)."""
    return any(
        field in TABLE_FIELDS for _, field, _, _ in _FORMATTER.parse(template) if field is not None
    )
