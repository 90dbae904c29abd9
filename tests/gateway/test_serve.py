"""`talentgraph serve --demo` from nothing: migrates a SQLite file, syncs the demo
tenant from the built-in sandbox servers, prints the GraphiQL URL and an admin token,
and answers on the port asked for."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

QUERY = """
{
  jobs(first: 1) { totalCount }
  candidates { totalCount }
  applications { totalCount }
  interviews { totalCount }
  syncRuns(first: 10) { edges { node { status kind trigger } } }
  integrations { edges { node { provider status lastSync { status } } } }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _talentgraph() -> list[str]:
    script = Path(sys.executable).with_name("talentgraph")
    if script.exists():
        return [str(script)]
    found = shutil.which("talentgraph")
    assert found, "the talentgraph console script is not installed"
    return [found]


def _move_one_recruiterflow_application(port: int, token: str) -> dict[str, Any]:
    """The demo's admin is linked to a sandbox user: a write-back works out of the box."""
    url, headers = f"http://127.0.0.1:{port}/graphql", {"authorization": f"Bearer {token}"}
    found = httpx.post(
        url,
        json={"query": RECRUITERFLOW_APPLICATIONS},
        headers=headers,
        timeout=30,
    ).json()["data"]
    application = next(
        app["node"]["id"]
        for job in found["jobs"]["edges"]
        if job["node"]["integration"]["provider"] == "RECRUITERFLOW"
        for app in job["node"]["applications"]["edges"]
    )
    answer = httpx.post(
        url,
        json={
            "query": MOVE,
            "variables": {"input": {"applicationId": application, "stage": "Offer"}},
        },
        headers=headers,
        timeout=30,
    ).json()
    result: dict[str, Any] = answer["data"]["applicationMoveStage"]
    return result


RECRUITERFLOW_APPLICATIONS = """{ jobs(first: 50) { edges { node {
  integration { provider } applications(first: 1) { edges { node { id } } } } } } }"""
MOVE = """mutation($input: ApplicationMoveStageInput!) { applicationMoveStage(input: $input) {
  __typename ... on ApplicationWriteSuccess { application { currentStage { name } } }
  ... on UserError { message code } } }"""


def test_serve_demo_end_to_end(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTGRAPH_")}
    env["TALENTGRAPH_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [*_talentgraph(), "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.communicate()[1]
            time.sleep(0.3)
        else:
            raise AssertionError("serve --demo did not come up in 90 s")
        assert (tmp_path / "data" / "talentgraph.db").exists()
        token = process.stdout.readline().strip() if process.stdout else ""
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": QUERY},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["jobs"]["totalCount"] == 50
        assert data["candidates"]["totalCount"] >= 1000
        assert data["applications"]["totalCount"] >= 2000
        assert data["interviews"]["totalCount"] > 0
        runs = [edge["node"] for edge in data["syncRuns"]["edges"]]
        assert len(runs) == 3, "the demo's data came through three sandbox syncs"
        assert all(run["status"] == "SUCCEEDED" and run["trigger"] == "demo" for run in runs)
        synced = [
            e["node"] for e in data["integrations"]["edges"] if e["node"]["lastSync"] is not None
        ]
        assert {i["provider"] for i in synced} == {"RECRUITERFLOW", "JOBVITE", "BPOC"}
        moved = _move_one_recruiterflow_application(port, token)
        assert moved["__typename"] == "ApplicationWriteSuccess", moved
        assert moved["application"]["currentStage"]["name"] == "Offer"
        page = httpx.get(f"http://127.0.0.1:{port}/graphql", headers={"accept": "text/html"})
        assert "graphiql" in page.text.lower()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    assert f"http://127.0.0.1:{port}/graphql" in stderr
