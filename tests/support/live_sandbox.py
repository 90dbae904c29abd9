"""A Recruiterflow sandbox the browser tests' gateway writes to, and its requisition
synced into the demo tenant through the gateway.

Every stage move is written to the application's source first, and the standard test
store's integrations point at no running system, so a test that moves a stage adds a
Recruiterflow integration aimed at the sandbox (``demo.sandbox.recruiterflow``), served
here on a loopback port, syncs it through the gateway and moves one of its applications:
the move goes through the real write-back path, then its event reaches subscribers.

    with recruiterflow_sandbox() as origin:
        gateway = await start_web_gateway(folder, connector_allow_private_targets="true")
        job = await synced_live_job(gateway, origin)
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from demo.sandbox.recruiterflow import FakeRecruiterflow
from demo.sync import Sandbox, SandboxServers
from gateway.store.enums import Provider
from tests.support.browser import WebGateway

RECRUITERFLOW_USER = "10447"
"""The sandbox user the admin acts as in the source."""

CREATE_INTEGRATION = """mutation($input: IntegrationCreateInput!) {
  integrationCreate(input: $input) { __typename
  ... on IntegrationCreateSuccess { integration { id } }
  ... on UserError { message } } }"""

LINK = """mutation($input: RecruiterLinkInput!) { recruiterLink(input: $input) {
  __typename ... on UserError { message } } }"""

SYNC = """mutation($id: ID!) { integrationSync(input: { integrationId: $id, mode: FULL }) {
  __typename ... on UserError { message } } }"""

RANK_FIELD = """mutation { settingsUpdate(input: { rankCustomField: "Current Rank" }) {
  __typename ... on UserError { message } } }"""
"""The sandbox's rank field: the demo tenant names one its Recruiterflow lacks."""

SYNCED = """query($id: ID!) {
  syncRuns(first: 5, filter: { integrationId: $id }) { nodes { status errorMessage } }
  jobs(first: 10, filter: { integrationId: $id }) { nodes { id title applicationCount } } }"""


@dataclass
class LiveJob:
    id: str
    title: str


@contextmanager
def recruiterflow_sandbox() -> Iterator[str]:
    """The Recruiterflow sandbox (one requisition, six applications) on a loopback
    port; yields its origin."""
    fake = FakeRecruiterflow()
    fake.seed(jobs=1, candidates=6, applications=6)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    origin = f"http://127.0.0.1:{listener.getsockname()[1]}"
    servers = SandboxServers({})
    servers.serve(
        Sandbox(apps={Provider.RECRUITERFLOW: fake.app}), {Provider.RECRUITERFLOW: listener}
    )
    try:
        yield origin
    finally:
        servers.stop()
        listener.close()


async def synced_live_job(web_gateway: WebGateway, origin: str) -> LiveJob:
    """The sandbox's requisition, synced into the demo tenant through the gateway, with
    the demo admin linked to a sandbox user (writes are made in someone's name)."""
    created = await web_gateway.execute(
        CREATE_INTEGRATION,
        {
            "input": {
                "provider": "RECRUITERFLOW",
                "name": "Recruiterflow sandbox",
                "credentials": {"apiKey": FakeRecruiterflow.api_key},
                "config": {"baseUrl": origin, "rateLimitPerSecond": 1000},
            }
        },
    )
    result = created["integrationCreate"]
    assert result["__typename"] == "IntegrationCreateSuccess", result
    integration_id = result["integration"]["id"]
    me = (await web_gateway.execute("{ me { id } }"))["me"]["id"]
    linked = await web_gateway.execute(
        LINK,
        {"input": {"userId": me, "integrationId": integration_id, "remoteId": RECRUITERFLOW_USER}},
    )
    assert linked["recruiterLink"]["__typename"] == "RecruiterLinkSuccess", linked
    ranked = await web_gateway.execute(RANK_FIELD)
    assert ranked["settingsUpdate"]["__typename"] == "SettingsUpdateSuccess", ranked
    queued = await web_gateway.execute(SYNC, {"id": integration_id})
    assert queued["integrationSync"]["__typename"] == "IntegrationSyncSuccess", queued
    deadline = time.monotonic() + 60
    while True:
        found = await web_gateway.execute(SYNCED, {"id": integration_id})
        runs = found["syncRuns"]["nodes"]
        if runs and runs[0]["status"] not in ("QUEUED", "RUNNING"):
            assert runs[0]["status"] == "SUCCEEDED", runs
            break
        assert time.monotonic() < deadline, f"the sandbox sync did not finish: {runs}"
        await asyncio.sleep(0.2)
    [job] = [job for job in found["jobs"]["nodes"] if job["applicationCount"]]
    return LiveJob(job["id"], job["title"])
