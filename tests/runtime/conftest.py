"""The runtime tests' simulator and Dagster instance; a module that needs others (a manual
clock, slower syncs, a fresh instance per test) defines its own fixture of the same name."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest
from fivetran_codegen_runtime.testing import FivetranSimulator, sample_workspace


@pytest.fixture
def sim() -> Iterator[FivetranSimulator]:
    with FivetranSimulator(sample_workspace(), sync_duration=0.2) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    # One instance for the module (making one takes a second): each test reads only the events
    # of its own runs, by run id.
    with dg.instance_for_test() as dagster_instance:
        yield dagster_instance
