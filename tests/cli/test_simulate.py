"""`simulate`: serving until stopped (the installed CLI in a subprocess), and a busy port."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
import requests

from tests.conftest import CLI, run_cli, run_console_script


@pytest.mark.e2e
def test_simulate_serves_until_stopped_and_prints_how_to_connect(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIVETRAN_")}
    process = subprocess.Popen(
        [str(CLI), "simulate", "--port", "0", "--workspace", "sample"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url, first
        exports = process.stdout.readline() + process.stdout.readline()
        assert "FIVETRAN_API_KEY=sim-key" in exports
        answer = requests.get(
            f"{url.group()}/v1/account/info", auth=("sim-key", "sim-secret"), timeout=10
        )
        assert answer.status_code == 200 and answer.json()["data"]["account_id"]
        run = run_console_script(
            "snapshot",
            "--json",
            cwd=tmp_path,
            env={
                "FIVETRAN_API_URL": url.group(),
                "FIVETRAN_API_KEY": "sim-key",
                "FIVETRAN_API_SECRET": "sim-secret",
            },
        )
        assert run.code == 0 and json.loads(run.stdout)["connections"] > 0
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_simulate_on_a_busy_port_fails_clearly(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = run_cli("simulate", "--port", str(port), cwd=tmp_path)
    assert run.code == 2 and f"127.0.0.1:{port}" in run.stderr and "--port" in run.stderr
