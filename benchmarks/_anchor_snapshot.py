"""Run inside the dagster-fivetran virtualenv: fetch the workspace the way dagster-fivetran does.

Usage: python _anchor_snapshot.py API_URL OUT.json   (credentials in FIVETRAN_API_KEY/SECRET)
Writes the workspace content in the comparison form of snapshot_bench.normalize, plus timing.
"""

from __future__ import annotations

import json
import os
import sys
import time

import dagster_fivetran.resources as resources
from dagster_fivetran import FivetranWorkspace

# Where dagster-fivetran reads its base URL, at call time (DESIGN.md §10).
resources.FIVETRAN_API_BASE = sys.argv[1]

workspace = FivetranWorkspace(
    account_id="bench",
    api_key=os.environ["FIVETRAN_API_KEY"],
    api_secret=os.environ["FIVETRAN_API_SECRET"],
)
started = time.perf_counter()
data = workspace.fetch_fivetran_workspace_data()
fetch_seconds = time.perf_counter() - started

connections = {}
for cid, connector in data.connectors_by_id.items():
    config = data.schema_configs_by_connector_id[cid]
    connections[cid] = {
        "name": connector.name,
        "service": connector.service,
        "group_id": connector.group_id,
        "schemas": {
            sname: {
                "name_in_destination": schema.name_in_destination,
                "enabled": schema.enabled,
                "tables": {
                    tname: {"name_in_destination": t.name_in_destination, "enabled": t.enabled}
                    for tname, t in schema.tables.items()
                },
            }
            for sname, schema in config.schemas.items()
        },
    }
destinations = {
    did: {"service": d.service, "database": d.database}
    for did, d in data.destinations_by_id.items()
}
with open(sys.argv[2], "w") as handle:
    json.dump(
        {"fetch_seconds": fetch_seconds, "connections": connections, "destinations": destinations},
        handle,
    )
