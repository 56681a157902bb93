"""Fivetran's cursor pagination: `limit` 1..1000 (default 100), opaque cursors, `next_cursor`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fivetran_codegen_runtime.testing.apierror import invalid_input

T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def encode_cursor(offset: int) -> str:
    # Fivetran's cursors are unpadded base64 of {"skip": N}; clients must treat them as opaque.
    raw = json.dumps({"skip": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = json.loads(raw)["skip"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise invalid_input(f"Invalid cursor value '{cursor}'") from exc
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise invalid_input(f"Invalid cursor value '{cursor}'")
    return offset


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid_input(f"Parameter 'limit' must be a number in the range 1..{MAX_LIMIT}")
    return limit


def paginate(
    items: Sequence[T],
    query: dict[str, str],
    render: Callable[[T], dict[str, Any]],
    *,
    legacy: bool = False,
) -> dict[str, Any]:
    """One page as Fivetran's `data`: `items`, plus `next_cursor` unless this is the last page.

    `legacy` also spells the cursor `nextCursor`, the key dagster-fivetran reads.
    """
    limit = parse_limit(query.get("limit"))
    cursor = query.get("cursor")
    offset = decode_cursor(cursor) if cursor else 0
    page: dict[str, Any] = {"items": [render(item) for item in items[offset : offset + limit]]}
    if offset + limit < len(items):
        page["next_cursor"] = encode_cursor(offset + limit)
        if legacy:
            page["nextCursor"] = page["next_cursor"]
    return page
