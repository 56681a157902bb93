"""The per-connection sync state machine, stepped with a ManualClock over real HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from fivetran_codegen_runtime.testing import (
    FivetranSimulator,
    ManualClock,
    ResyncRequest,
    sample_workspace,
)
from fivetran_codegen_runtime.testing.clock import format_timestamp, parse_timestamp

Json = dict[str, Any]
START = "2025-01-01T00:00:00Z"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class Api:
    """A thin test client: the real HTTP calls the runtime will make."""

    def __init__(self, sim: FivetranSimulator) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.session.auth = (sim.api_key, sim.api_secret)

    def connection(self, conn_id: str) -> Json:
        response = self.session.get(f"{self.sim.url}/v1/connections/{conn_id}")
        assert response.status_code == 200, response.text
        data: Json = response.json()["data"]
        return data

    def state(self, conn_id: str) -> str:
        state: str = self.connection(conn_id)["status"]["sync_state"]
        return state

    def sync(self, conn_id: str, **body: Any) -> requests.Response:
        return self.session.post(f"{self.sim.url}/v1/connections/{conn_id}/sync", json=body or None)

    def post(self, path: str, body: Any = None) -> requests.Response:
        return self.session.post(f"{self.sim.url}{path}", json=body)

    def patch(self, conn_id: str, body: Json) -> requests.Response:
        return self.session.patch(f"{self.sim.url}/v1/connections/{conn_id}", json=body)


@pytest.fixture
def sim() -> Iterator[FivetranSimulator]:
    with FivetranSimulator(sample_workspace(), clock=ManualClock(START), sync_duration=10) as s:
        yield s


@pytest.fixture
def api(sim: FivetranSimulator) -> Iterator[Api]:
    client = Api(sim)
    yield client
    client.session.close()


def _at(seconds: float) -> str:
    """The timestamp `seconds` after the manual clock's start, as Fivetran formats it."""
    return format_timestamp(parse_timestamp(START) + timedelta(seconds=seconds))


def test_success(sim: FivetranSimulator, api: Api) -> None:
    before = api.connection("speak_inexpensive")
    assert api.sync("speak_inexpensive", force=False).status_code == 200
    assert api.state("speak_inexpensive") == "syncing"
    sim.advance(9.9)
    assert api.state("speak_inexpensive") == "syncing"
    sim.advance(0.2)
    after = api.connection("speak_inexpensive")
    assert after["status"]["sync_state"] == "scheduled"
    assert after["succeeded_at"] == _at(10)  # the moment the sync ended
    assert after["failed_at"] == before["failed_at"]
    assert TIMESTAMP.match(after["succeeded_at"])


def test_failure(sim: FivetranSimulator, api: Api) -> None:
    sim.set_next_outcome("speak_inexpensive", "failure", duration=5)
    before = api.connection("speak_inexpensive")
    api.sync("speak_inexpensive")
    sim.advance(5)
    after = api.connection("speak_inexpensive")
    assert after["status"]["sync_state"] == "scheduled"
    assert after["failed_at"] == _at(5)
    assert after["succeeded_at"] == before["succeeded_at"]


def test_outcomes_are_consumed_in_order(sim: FivetranSimulator, api: Api) -> None:
    sim.set_next_outcome("quiet_lantern", "failure", duration=1)
    sim.set_next_outcome("quiet_lantern", "success", duration=2)
    api.sync("quiet_lantern")
    sim.advance(1)
    assert api.connection("quiet_lantern")["failed_at"] == _at(1)
    api.sync("quiet_lantern")
    sim.advance(2)
    assert api.connection("quiet_lantern")["succeeded_at"] == _at(3)
    api.sync("quiet_lantern")  # unscripted: success after sync_duration
    sim.advance(10)
    assert api.connection("quiet_lantern")["succeeded_at"] == _at(13)


def test_reschedule_auto_resumes_by_itself(sim: FivetranSimulator, api: Api) -> None:
    sim.set_next_outcome("speak_inexpensive", "reschedule", duration=1, rescheduled_for_in=600)
    api.sync("speak_inexpensive")
    sim.advance(1)
    status = api.connection("speak_inexpensive")["status"]
    assert status["sync_state"] == "rescheduled"
    assert status["rescheduled_for"] == _at(601)
    sim.advance(599.9)
    assert api.state("speak_inexpensive") == "rescheduled"
    sim.advance(0.1)
    resumed = api.connection("speak_inexpensive")
    assert resumed["status"]["sync_state"] == "syncing"
    assert "rescheduled_for" not in resumed["status"]
    sim.advance(10)
    assert api.connection("speak_inexpensive")["succeeded_at"] == _at(611)


def test_reschedule_manual_waits_for_a_trigger(sim: FivetranSimulator, api: Api) -> None:
    conn = "macaroni_unwieldy"  # schedule_type manual
    sim.set_next_outcome(conn, "reschedule", duration=1, rescheduled_for_in=600)
    api.sync(conn)
    sim.advance(1000)
    assert api.state(conn) == "rescheduled"  # never resumes by itself
    sim.set_next_outcome(conn, "reschedule", duration=1, rescheduled_for_in=60)
    api.sync(conn, force=True)
    assert api.state(conn) == "syncing"
    sim.advance(1)
    # A trigger before rescheduled_for is accepted but the source still has no quota.
    assert api.sync(conn).status_code == 200
    assert api.state(conn) == "rescheduled"
    sim.advance(60)
    assert api.state(conn) == "rescheduled"
    api.sync(conn)
    assert api.state(conn) == "syncing"
    sim.advance(10)
    assert api.connection(conn)["succeeded_at"] == _at(1071)


def test_force_restarts_and_plain_trigger_is_a_noop(sim: FivetranSimulator, api: Api) -> None:
    api.sync("quiet_lantern")
    sim.advance(6)
    api.sync("quiet_lantern", force=False)  # no-op: still ends at 10
    sim.advance(4)
    assert api.connection("quiet_lantern")["succeeded_at"] == _at(10)
    api.sync("quiet_lantern")
    sim.advance(6)
    api.sync("quiet_lantern", force=True)  # restart at 16: ends at 26
    sim.advance(5)
    assert api.state("quiet_lantern") == "syncing"
    sim.advance(5)
    assert api.connection("quiet_lantern")["succeeded_at"] == _at(26)


def test_force_must_be_a_boolean(api: Api) -> None:
    response = api.sync("quiet_lantern", force="yes")
    assert (response.status_code, response.json()["code"]) == (400, "InvalidInput")


def test_paused_connection_refuses_to_sync(sim: FivetranSimulator, api: Api) -> None:
    conn = "fractious_obelisk"
    assert api.state(conn) == "paused"
    response = api.sync(conn, force=True)
    assert response.status_code == 409
    assert response.json()["code"] == "Conflict"
    assert "paused" in response.json()["message"]
    assert api.state(conn) == "paused"
    assert api.patch(conn, {"paused": False}).json()["data"]["status"]["sync_state"] == "scheduled"
    api.sync(conn)
    assert api.state(conn) == "syncing"
    api.patch(conn, {"paused": True})  # pausing stops the running sync
    sim.advance(60)
    paused = api.connection(conn)
    assert paused["status"]["sync_state"] == "paused"
    assert paused["succeeded_at"] == "2024-12-01T06:00:03.250000Z"


@pytest.mark.parametrize("conn", ["wobbly_pancake", "nimble_cactus"])
def test_not_connected_connections_refuse_syncs(api: Api, conn: str) -> None:
    for response in (
        api.sync(conn),
        api.post(f"/v1/connections/{conn}/resync"),
    ):
        assert response.status_code == 400
        assert response.json()["code"] == "BadRequest"
    assert api.state(conn) == "scheduled"


def test_resync_with_scope_is_historical_and_recorded(sim: FivetranSimulator, api: Api) -> None:
    conn = "dialectical_remindful"
    response = api.post(f"/v1/connections/{conn}/resync", {"scope": {"public": ["orders"]}})
    assert response.status_code == 200
    assert "dialectical_remindful" in response.json()["message"]
    status = api.connection(conn)["status"]
    assert (status["sync_state"], status["is_historical_sync"]) == ("syncing", True)
    sim.advance(10)
    assert api.connection(conn)["status"]["is_historical_sync"] is False
    assert sim.workspace.connections[conn].resync_requests == [
        ResyncRequest("resync", {"public": ["orders"]}, sim.clock.now() - timedelta(seconds=10))
    ]


def test_full_and_table_resyncs_are_recorded(sim: FivetranSimulator, api: Api) -> None:
    conn = "dialectical_remindful"
    assert api.post(f"/v1/connections/{conn}/resync").status_code == 200
    tables = api.post(f"/v1/connections/{conn}/schemas/tables/resync", {"public": ["OrderItems"]})
    assert tables.json()["message"] == "Re-sync has been triggered successfully"
    recorded = sim.workspace.connections[conn].resync_requests
    assert [(r.endpoint, r.scope) for r in recorded] == [
        ("resync", None),
        ("tables_resync", {"public": ["OrderItems"]}),
    ]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("resync", {"scope": {}}),
        ("resync", {"scope": {"public": []}}),
        ("resync", {"scope": {"pg_prod_public": ["orders"]}}),  # destination name, not source
        ("resync", {"scope": {"public": ["order_items"]}}),
        ("resync", {"scope": ["public"]}),
        ("schemas/tables/resync", {}),
        ("schemas/tables/resync", None),
        ("schemas/tables/resync", {"public": "orders"}),
    ],
)
def test_invalid_resync_scopes(sim: FivetranSimulator, api: Api, path: str, body: Any) -> None:
    response = api.post(f"/v1/connections/dialectical_remindful/{path}", body)
    assert (response.status_code, response.json()["code"]) == (400, "InvalidInput")
    assert sim.workspace.connections["dialectical_remindful"].resync_requests == []


def test_resync_of_a_paused_connection_starts_on_resume(sim: FivetranSimulator, api: Api) -> None:
    conn = "fractious_obelisk"
    assert api.post(f"/v1/connections/{conn}/resync").status_code == 200
    assert api.connection(conn)["status"]["is_historical_sync"] is True
    assert api.state(conn) == "paused"
    api.patch(conn, {"paused": False})
    assert api.state(conn) == "syncing"


def test_resync_while_rescheduled_is_409(sim: FivetranSimulator, api: Api) -> None:
    sim.set_next_outcome("quiet_lantern", "reschedule", duration=1)
    api.sync("quiet_lantern")
    sim.advance(1)
    response = api.post("/v1/connections/quiet_lantern/resync")
    assert (response.status_code, response.json()["code"]) == (409, "Conflict")


def test_patch_is_historical_sync_starts_a_historical_sync(
    sim: FivetranSimulator, api: Api
) -> None:
    data = api.patch("quiet_lantern", {"is_historical_sync": True}).json()["data"]
    assert data["status"]["is_historical_sync"] is True
    assert data["status"]["sync_state"] == "syncing"


def test_external_syncs(sim: FivetranSimulator, api: Api) -> None:
    sim.advance(30)
    sim.complete_external_sync("quiet_lantern")
    assert api.connection("quiet_lantern")["succeeded_at"] == _at(30)
    sim.advance(5)
    sim.complete_external_sync("quiet_lantern", outcome="failure")
    assert api.connection("quiet_lantern")["failed_at"] == _at(35)


def test_lists_show_settled_state(sim: FivetranSimulator, api: Api) -> None:
    api.sync("quiet_lantern")
    sim.advance(10)
    listed = api.session.get(f"{sim.url}/v1/connections", params={"schema": "github"}).json()
    assert listed["data"]["items"][0]["succeeded_at"] == _at(10)


def test_helper_errors(sim: FivetranSimulator) -> None:
    with pytest.raises(KeyError):
        sim.set_next_outcome("no_such", "success")
    with pytest.raises(ValueError):
        sim.set_next_outcome("quiet_lantern", "explode")  # type: ignore[arg-type]
    with FivetranSimulator(sample_workspace()) as real, pytest.raises(TypeError):
        real.advance(1)


def test_real_clock_syncs_finish_in_real_time() -> None:
    with FivetranSimulator(sample_workspace(), sync_duration=0.5) as sim:
        api = Api(sim)
        api.sync("quiet_lantern")
        assert api.state("quiet_lantern") == "syncing"
        time.sleep(0.7)
        after = api.connection("quiet_lantern")
        assert after["status"]["sync_state"] == "scheduled"
        assert after["succeeded_at"] > "2025-"
        api.session.close()
