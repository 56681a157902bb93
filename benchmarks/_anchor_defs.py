"""Code location for `dagster-fivetran snapshot`, run in its virtualenv by load_bench.py.

    BENCH_FIVETRAN_API_URL=... FIVETRAN_API_KEY=... FIVETRAN_API_SECRET=... \\
        dagster-fivetran snapshot -o OUT.json -f _anchor_defs.py

The account id must equal the one `_load_subject.py` loads the snapshot with (its lookup key).
"""

from __future__ import annotations

import os

import dagster as dg
import dagster_fivetran.resources as resources
from dagster_fivetran import FivetranWorkspace, load_fivetran_asset_specs

# Where dagster-fivetran reads its base URL, at call time (see _anchor_snapshot.py).
resources.FIVETRAN_API_BASE = os.environ["BENCH_FIVETRAN_API_URL"]

workspace = FivetranWorkspace(
    account_id="bench",
    api_key=os.environ["FIVETRAN_API_KEY"],
    api_secret=os.environ["FIVETRAN_API_SECRET"],
)
defs = dg.Definitions(
    assets=load_fivetran_asset_specs(workspace), resources={"fivetran": workspace}
)
