"""A short plain-text table of a snapshot's connections, for the terminal."""

from __future__ import annotations

from fivetran_codegen.snapshot.model import Connection, Snapshot


def overview(snapshot: Snapshot) -> str:
    destinations = {g.id: g.destination for g in snapshot.groups}
    rows = [("connection id", "name", "service", "destination", "tables", "state")]
    for c in snapshot.connections:
        destination = destinations.get(c.group_id)
        where = (
            "-"
            if destination is None
            else ".".join(filter(None, [destination.service, destination.database]))
        )
        rows.append((c.id, c.name, c.service, where, _tables(c), _state(c)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)


def _tables(connection: Connection) -> str:
    if connection.schema_config is None:
        return "-"
    enabled = sum(1 for _ in connection.enabled_tables())
    total = sum(len(s.tables) for s in connection.schema_config.schemas)
    return f"{enabled}/{total}"


def _state(connection: Connection) -> str:
    notes = [connection.setup_state]
    if connection.paused:
        notes.append("paused")
    if connection.schema_config_error is not None:
        notes.append(f"no schema config ({connection.schema_config_error.code})")
    return ", ".join(notes)
