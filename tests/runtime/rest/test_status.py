"""Reading Fivetran's connection status: timestamps in every shape real responses use."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from fivetran_codegen_runtime import FivetranWorkspace
from fivetran_codegen_runtime.rest.status import ConnectionStatus, parse_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-06T22:55:45.275000Z", datetime(2025, 10, 6, 22, 55, 45, 275000, timezone.utc)),
        ("2025-10-06T22:55:45.245Z", datetime(2025, 10, 6, 22, 55, 45, 245000, timezone.utc)),
        ("2025-10-06T22:55:45Z", datetime(2025, 10, 6, 22, 55, 45, tzinfo=timezone.utc)),
        ("2025-10-06T22:55:45.1234567Z", datetime(2025, 10, 6, 22, 55, 45, 123456, timezone.utc)),
        ("2025-10-06T23:55:45.5+01:00", datetime(2025, 10, 6, 22, 55, 45, 500000, timezone.utc)),
        ("2025-10-06T22:55:45", datetime(2025, 10, 6, 22, 55, 45, tzinfo=timezone.utc)),
        (None, None),
        ("", None),
    ],
)
def test_timestamps_in_every_shape(text: str | None, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_a_malformed_timestamp_is_refused_with_its_field() -> None:
    with pytest.raises(ValueError, match="succeeded_at 'yesterday'"):
        ConnectionStatus.from_api({"id": "x", "succeeded_at": "yesterday"})


@pytest.mark.parametrize(
    ("succeeded", "failed", "ok"),
    [
        ("2025-01-02T00:00:00Z", "2025-01-01T00:00:00Z", True),
        ("2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", False),
        ("2025-01-01T00:00:00Z", None, True),
        (None, "2025-01-01T00:00:00Z", False),
        (None, None, False),
    ],
)
def test_the_newer_timestamp_decides(succeeded: str | None, failed: str | None, ok: bool) -> None:
    status = ConnectionStatus.from_api({"id": "x", "succeeded_at": succeeded, "failed_at": failed})
    assert status.last_sync_succeeded is ok
    assert status.completed_after(None) is (succeeded is not None or failed is not None)


def test_rescheduled_needs_the_state_and_the_time() -> None:
    status = ConnectionStatus.from_api(
        {
            "id": "x",
            "status": {"sync_state": "rescheduled", "rescheduled_for": "2025-01-01T01:00:00Z"},
        }
    )
    assert status.is_rescheduled
    stale = ConnectionStatus.from_api(
        {"id": "x", "status": {"sync_state": "syncing", "rescheduled_for": "2025-01-01T01:00:00Z"}}
    )
    assert not stale.is_rescheduled


def test_the_resource_never_shows_its_credentials() -> None:
    workspace = FivetranWorkspace(api_key="key-12345", api_secret="secret-67890")
    for text in (repr(workspace), str(workspace)):
        assert "key-12345" not in text and "secret-67890" not in text
