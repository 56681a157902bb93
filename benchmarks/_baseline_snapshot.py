"""Hand-written baseline: the same calls as `fivetran-codegen snapshot`, as plainly as possible.

requests + a thread pool of the same size, no retries, no validation, no model: raw payloads
dumped as they come. The distance between this and our CLI is our own overhead.
Usage: python _baseline_snapshot.py API_URL OUT.json CONCURRENCY
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.adapters import HTTPAdapter

url, out, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
session = requests.Session()
session.mount("http://", HTTPAdapter(pool_maxsize=concurrency))
session.auth = (os.environ["FIVETRAN_API_KEY"], os.environ["FIVETRAN_API_SECRET"])


def get(path: str, **params: object) -> dict:  # type: ignore[type-arg]
    response = session.get(url + path, params=params)
    response.raise_for_status()
    return response.json()["data"]  # type: ignore[no-any-return]


def paged(path: str) -> list[dict]:  # type: ignore[type-arg]
    items, cursor = [], None
    while True:
        data = get(path, limit=1000, **({"cursor": cursor} if cursor else {}))
        items += data["items"]
        cursor = data.get("next_cursor")
        if not cursor:
            return items


account = get("/v1/account/info")
groups = paged("/v1/groups")
with ThreadPoolExecutor(concurrency) as pool:
    destinations = list(pool.map(lambda g: get(f"/v1/destinations/{g['id']}"), groups))
    connections = paged("/v1/connections")
    configs = list(pool.map(lambda c: get(f"/v1/connections/{c['id']}/schemas"), connections))
with open(out, "w") as handle:
    json.dump([account, groups, destinations, connections, configs], handle)
