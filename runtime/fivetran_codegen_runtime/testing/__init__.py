"""A Fivetran REST API simulator: a real HTTP server on 127.0.0.1 for tests, demos and benchmarks.

Standard library only, so it ships with the runtime package::

    from fivetran_codegen_runtime.testing import FivetranSimulator, ManualClock, sample_workspace

    with FivetranSimulator(sample_workspace(), clock=ManualClock()) as sim:
        requests.post(f"{sim.url}/v1/connections/speak_inexpensive/sync",
                      auth=(sim.api_key, sim.api_secret), json={"force": False})
        sim.advance(sim.sync_duration)   # the sync has now succeeded
"""

from fivetran_codegen_runtime.testing.builders import (
    WORKSPACE_BUILDERS,
    hostile_workspace,
    sample_workspace,
    synthetic_workspace,
)
from fivetran_codegen_runtime.testing.clock import Clock, ManualClock, RealClock
from fivetran_codegen_runtime.testing.faults import FaultRule
from fivetran_codegen_runtime.testing.server import RequestRecord
from fivetran_codegen_runtime.testing.simulator import FivetranSimulator, serve
from fivetran_codegen_runtime.testing.workspace import (
    ResyncRequest,
    SimColumn,
    SimConnection,
    SimDestination,
    SimGroup,
    SimSchema,
    SimTable,
    SyncOutcome,
    Workspace,
)

__all__ = [
    "WORKSPACE_BUILDERS",
    "Clock",
    "FaultRule",
    "FivetranSimulator",
    "ManualClock",
    "RealClock",
    "RequestRecord",
    "ResyncRequest",
    "SimColumn",
    "SimConnection",
    "SimDestination",
    "SimGroup",
    "SimSchema",
    "SimTable",
    "SyncOutcome",
    "Workspace",
    "hostile_workspace",
    "sample_workspace",
    "serve",
    "synthetic_workspace",
]
