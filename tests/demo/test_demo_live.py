"""`talentgraph serve --demo` as a newcomer runs it, in a folder of its own, and what
they see right after: everything the gateway shows, webhooks signed as the README says,
syncs and a second server from another terminal. One demo serves the whole module."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo.sandbox.declaration import demo_sandboxes
from tests.support.paths import REPO_ROOT

SERVED = {sandbox.slug.upper() for sandbox in demo_sandboxes() if sandbox.served}
"""The providers whose fakes the demo serves and syncs (their packages declare it)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def talentgraph() -> str:
    return str(Path(sys.executable).with_name("talentgraph"))


def demo_env() -> dict[str, str]:
    """A newcomer's environment: no TALENTGRAPH_ settings, the data in ./.talentgraph."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTGRAPH_")}
    env["TALENTGRAPH_LOG_LEVEL"] = "WARNING"
    return env


@dataclass
class Demo:
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stderr(self) -> str:
        return (self.folder / "serve.err").read_text(errors="replace")

    def start(self) -> None:
        with (
            (self.folder / "serve.out").open("wb") as out,
            (self.folder / "serve.err").open("ab") as err,
        ):
            self.process = subprocess.Popen(
                [talentgraph(), "serve", "--demo", "--port", str(self.port)],
                cwd=self.folder,
                env=demo_env(),
                stdout=out,
                stderr=err,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.stderr[-3000:]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError(f"serve --demo did not come up: {self.stderr[-3000:]}")
        self.token = (self.folder / "serve.out").read_text().splitlines()[0].strip()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": document, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        assert "errors" not in answer, answer["errors"]
        data: dict[str, Any] = answer["data"]
        return data

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``talentgraph ARGS`` from a second terminal in the same folder."""
        return subprocess.run(
            [talentgraph(), *args],
            cwd=self.folder,
            env=demo_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("demo-folder"), free_port())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def every(demo: Demo, connection: str, fields: str) -> list[dict[str, Any]]:
    """Every node of a top-level connection, page by page."""
    document = (
        f"query($after: String) {{ {connection}(first: 100, after: $after) {{"
        f" pageInfo {{ hasNextPage endCursor }} nodes {{ {fields} }} }} }}"
    )
    found: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = demo.query(document, {"after": after})[connection]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


STATUSES = ("SCHEDULED", "IN_PROGRESS", "COMPLETED", "ABANDONED", "EXPIRED", "CANCELLED")


def test_right_after_start_the_demo_shows_everything(demo: Demo) -> None:
    interviews = every(
        demo,
        "interviews",
        "kind status startedAt completedAt messages { role } evaluation { overallScore }",
    )
    own = [i for i in interviews if i["kind"] == "SELF_SERVICE"]
    assert {i["status"] for i in own} == set(STATUSES)
    for interview in own:
        status, roles = interview["status"], [m["role"] for m in interview["messages"]]
        assert roles == ["ASSISTANT", "CANDIDATE"] * (len(roles) // 2) + ["ASSISTANT"] * (
            len(roles) % 2
        ), interview
        assert (interview["evaluation"] is not None) == (status == "COMPLETED"), interview
        if status == "COMPLETED":
            assert len(roles) >= 8 and interview["completedAt"], interview
        elif status in ("SCHEDULED", "EXPIRED"):
            assert roles == ["ASSISTANT"] and interview["startedAt"] is None, interview
        else:
            assert len(roles) >= 2 and interview["startedAt"], interview

    applications = every(
        demo,
        "applications",
        "status analysis { riskScore relevanceSummary } offers { status salary currency }"
        " onboardingTasks { status title }",
    )
    assert len(applications) >= 2000
    analysed = [a for a in applications if a["analysis"] is not None]
    assert len(analysed) >= 300, len(analysed)
    assert all(a["analysis"]["relevanceSummary"] for a in analysed)
    offers = Counter(o["status"] for a in applications for o in a["offers"])
    assert {"ACCEPTED", "SENT", "DRAFT"} <= offers.keys(), offers
    assert len(offers) >= 4, offers
    hired_offers = [o for a in applications if a["status"] == "HIRED" for o in a["offers"]]
    assert hired_offers and {o["status"] for o in hired_offers} == {"ACCEPTED"}
    tasks = Counter(t["status"] for a in applications for t in a["onboardingTasks"])
    assert sum(tasks.values()) > 0 and len(tasks) >= 2, tasks


def test_every_requisition_has_an_owner(demo: Demo) -> None:
    jobs = every(demo, "jobs", "title recruiter { id } integration { provider }")
    unowned = [job["title"] for job in jobs if job["recruiter"] is None]
    assert len(jobs) == 50
    assert not unowned, f"{len(unowned)} of {len(jobs)} requisitions have no owner"


def test_every_analysis_read_a_resume(demo: Demo) -> None:
    applications = every(demo, "applications", "analysis { redFlags }")
    analyses = [a["analysis"] for a in applications if a["analysis"] is not None]
    blind = [a for a in analyses if any("No resume" in flag for flag in a["redFlags"])]
    assert analyses
    assert not blind, f"{len(blind)} of {len(analyses)} analyses had no resume to read"


PIPELINE = """currentStage { id position }
  stageHistory { fromStage { id position } toStage { id position } enteredAt leftAt }"""


def test_every_pipeline_is_in_source_order_and_ends_at_the_current_stage(demo: Demo) -> None:
    for application in every(demo, "applications", PIPELINE):
        history = application["stageHistory"]
        assert history, application
        assert history[-1]["leftAt"] is None, application
        assert history[-1]["toStage"] == application["currentStage"], application
        for before, after in itertools.pairwise(history):
            assert after["fromStage"] == before["toStage"], application
            assert after["toStage"]["position"] > before["toStage"]["position"], application
            assert before["leftAt"] == after["enteredAt"], application


COUNTS = """{
  jobs(first: 1) { totalCount }
  candidates { totalCount }
  applications { totalCount }
  interviews { totalCount }
  syncRuns(first: 10) { edges { node { status kind trigger } } }
  integrations { edges { node { provider status lastSync { status } } } }
}"""
RECRUITERFLOW_APPLICATIONS = """{ jobs(first: 50) { edges { node {
  integration { provider } applications(first: 1) { edges { node { id } } } } } } }"""
MOVE = """mutation($input: ApplicationMoveStageInput!) { applicationMoveStage(input: $input) {
  __typename ... on ApplicationWriteSuccess { application { currentStage { name } } }
  ... on UserError { message code } } }"""


def test_the_demo_holds_what_the_readme_promises_and_writes_back(demo: Demo) -> None:
    data = demo.query(COUNTS)
    assert data["jobs"]["totalCount"] == 50
    assert data["candidates"]["totalCount"] >= 1000
    assert data["applications"]["totalCount"] >= 2000
    assert data["interviews"]["totalCount"] > 0
    runs = [edge["node"] for edge in data["syncRuns"]["edges"]]
    assert len(runs) == len(SERVED), "the demo's data came through one sync per sandbox"
    assert all(run["status"] == "SUCCEEDED" and run["trigger"] == "demo" for run in runs), runs
    synced = [e["node"] for e in data["integrations"]["edges"] if e["node"]["lastSync"]]
    assert {i["provider"] for i in synced} == SERVED
    assert {"RECRUITERFLOW", "JOBVITE", "BPOC", "GREENHOUSE"} <= SERVED
    assert all(i["lastSync"]["status"] == "SUCCEEDED" for i in synced), synced
    jobs = every(demo, "jobs", "integration { provider }")
    held = Counter(job["integration"]["provider"] for job in jobs)
    assert set(held) == SERVED and min(held.values()) > 0, held
    applications = every(demo, "applications", "job { integration { provider } }")
    held = Counter(app["job"]["integration"]["provider"] for app in applications)
    assert set(held) == SERVED and min(held.values()) > 0, held

    found = demo.query(RECRUITERFLOW_APPLICATIONS)
    application = next(
        app["node"]["id"]
        for job in found["jobs"]["edges"]
        if job["node"]["integration"]["provider"] == "RECRUITERFLOW"
        for app in job["node"]["applications"]["edges"]
    )
    moved = demo.query(MOVE, {"input": {"applicationId": application, "stage": "Offer"}})
    result = moved["applicationMoveStage"]
    assert result["__typename"] == "ApplicationWriteSuccess", result
    assert result["application"]["currentStage"]["name"] == "Offer"
    page = httpx.get(f"{demo.url}/graphql", headers={"accept": "text/html"})
    assert "graphiql" in page.text.lower()


def test_the_demo_command_prints_a_working_admin_token_and_syncs_nothing_again(
    demo: Demo,
) -> None:
    before = demo.query("{ syncRuns(first: 50) { totalCount } }")["syncRuns"]["totalCount"]
    printed = demo.run("demo")
    assert printed.returncode == 0, printed.stderr[-2000:]
    token = printed.stdout.strip().splitlines()[-1]
    answer = httpx.post(
        f"{demo.url}/graphql",
        json={"query": "{ me { role email } syncRuns(first: 50) { totalCount } }"},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    assert answer["data"]["me"]["role"] == "ADMIN"
    admin = demo.query("{ me { email } }")["me"]["email"]
    assert answer["data"]["me"]["email"] == admin, "the demo's admin, as serve --demo printed"
    assert answer["data"]["syncRuns"]["totalCount"] == before


def test_the_banner_shows_the_actual_port_and_the_webhook_urls(demo: Demo) -> None:
    banner = demo.stderr
    assert f"GraphiQL: {demo.url}/graphql" in banner
    assert f"recruiterflow webhooks: {demo.url}/webhooks/recruiterflow/" in banner
    assert f"bpoc webhooks: {demo.url}/webhooks/bpoc/" in banner
    assert f"greenhouse webhooks: {demo.url}/webhooks/greenhouse/" in banner
    for provider in SERVED:
        assert f"{provider.lower()} sandbox: http://127.0.0.1:" in banner, provider
    assert ":8000" not in banner or demo.port == 8000


def readme_webhook_command() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    found = re.search(r"<!-- demo-webhook -->\n```sh\n(.*?)```", readme, re.S)
    assert found, "README.md lost its demo webhook example"
    return found.group(1)


WEBHOOK_EVENTS = """{ webhookEvents(first: 5) { nodes { provider deliveryId eventType status
  lastError result } } }"""
INTEGRATIONS = "{ integrations { nodes { id provider status hasWebhookSecret } } }"


def test_the_readme_webhook_command_is_accepted_and_processed(demo: Demo) -> None:
    integrations = demo.query(INTEGRATIONS)["integrations"]["nodes"]
    assert all(i["hasWebhookSecret"] for i in integrations), integrations
    recruiterflow = next(i for i in integrations if i["provider"] == "RECRUITERFLOW")
    database_id = int(base64.b64decode(recruiterflow["id"]).decode().split(":")[1])
    command = readme_webhook_command().replace("127.0.0.1:8000", f"127.0.0.1:{demo.port}")
    command = command.replace("/webhooks/recruiterflow/1", f"/webhooks/recruiterflow/{database_id}")

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=demo.folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"status":"accepted"' in done.stdout.replace(" ", ""), done.stdout

    forged = command.replace("$(cat .talentgraph/demo-webhook-secrets/recruiterflow)", "guess")
    assert forged != command
    refused = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", forged.rstrip() + " -w ' %{http_code}'"],
        cwd=demo.folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.stdout.strip().endswith("401"), refused.stdout

    deadline = time.monotonic() + 30
    while True:
        events = demo.query(WEBHOOK_EVENTS)["webhookEvents"]["nodes"]
        mine = [e for e in events if e["deliveryId"] == "evt-1"]
        assert len(mine) == 1, events
        if mine[0]["status"] in ("PROCESSED", "FAILED", "IGNORED") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert mine[0]["status"] == "PROCESSED", mine[0]
    assert mine[0]["eventType"] == "job.updated"


def processed(demo: Demo, delivery_id: str) -> dict[str, Any]:
    """The stored event of ``delivery_id`` once processing settles (or after 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        events = demo.query(WEBHOOK_EVENTS)["webhookEvents"]["nodes"]
        mine: list[dict[str, Any]] = [e for e in events if e["deliveryId"] == delivery_id]
        assert len(mine) == 1, events
        if mine[0]["status"] in ("PROCESSED", "FAILED", "IGNORED") or time.monotonic() > deadline:
            return mine[0]
        time.sleep(0.5)


def test_a_greenhouse_webhook_signed_with_the_demo_secret_is_processed(demo: Demo) -> None:
    """Greenhouse signs as its docs say (``Signature: sha256 <hex HMAC of the body>``);
    the notice names a job of the sandbox, which is refetched from it."""
    integrations = demo.query(INTEGRATIONS)["integrations"]["nodes"]
    greenhouse = next(i for i in integrations if i["provider"] == "GREENHOUSE")
    assert greenhouse["status"] == "ACTIVE" and greenhouse["hasWebhookSecret"], greenhouse
    database_id = int(base64.b64decode(greenhouse["id"]).decode().split(":")[1])
    secret = (demo.folder / ".talentgraph" / "demo-webhook-secrets" / "greenhouse").read_text()
    body = json.dumps({"action": "job_updated", "payload": {"job": {"id": 100001}}}).encode()
    url = f"{demo.url}/webhooks/greenhouse/{database_id}"

    def post(key: str, delivery: str) -> httpx.Response:
        signature = hmac.new(key.strip().encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "content-type": "application/json",
            "Signature": f"sha256 {signature}",
            "Greenhouse-Event-ID": delivery,
        }
        return httpx.post(url, content=body, headers=headers, timeout=30)

    assert post("a guess", "gh-forged").status_code == 401
    accepted = post(secret, "gh-evt-1")
    assert accepted.status_code == 202, accepted.text
    event = processed(demo, "gh-evt-1")
    assert event["status"] == "PROCESSED" and event["eventType"] == "job_updated", event


SYNC_RUNS = "{ syncRuns(first: 20) { nodes { status trigger kind } } }"


def test_sync_from_a_second_terminal_reaches_the_sandboxes(demo: Demo) -> None:
    integrations = demo.query(INTEGRATIONS)["integrations"]["nodes"]
    global_id = next(i["id"] for i in integrations if i["provider"] == "RECRUITERFLOW")

    done = demo.run("sync", global_id, "--full")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "succeeded" in done.stdout
    runs = demo.query(SYNC_RUNS)["syncRuns"]["nodes"]
    assert runs[0]["trigger"] == "cli" and runs[0]["status"] == "SUCCEEDED", runs

    # With the server stopped, the sync serves the sandboxes itself.
    demo.stop()
    try:
        alone = demo.run("sync", global_id, "--full")
        assert alone.returncode == 0, alone.stdout + alone.stderr
        assert "succeeded" in alone.stdout
    finally:
        demo.start()  # a restart: the data stays, nothing is synced again
    runs = demo.query(SYNC_RUNS)["syncRuns"]["nodes"]
    assert [r["trigger"] for r in runs[:2]] == ["cli", "cli"], runs
    assert all(r["status"] == "SUCCEEDED" for r in runs), runs
    assert sum(r["trigger"] == "demo" for r in runs) == len(SERVED), runs


JOBS = "{ backgroundJobs { counts { pending running succeeded failed dead } } }"
SYNC = """mutation($id: ID!) { integrationSync(input: {integrationId: $id, mode: FULL}) {
  __typename ... on IntegrationSyncSuccess { queued backgroundJob { id status } } } }"""


def test_a_second_serve_in_the_folder_is_refused_and_changes_nothing(
    demo: Demo, tmp_path: Path
) -> None:
    integrations = demo.query(INTEGRATIONS)["integrations"]["nodes"]
    recruiterflow = next(i["id"] for i in integrations if i["provider"] == "RECRUITERFLOW")
    queued = demo.query(SYNC, {"id": recruiterflow})["integrationSync"]
    assert queued["__typename"] == "IntegrationSyncSuccess" and queued["queued"], queued
    runs_before = demo.query(SYNC_RUNS)["syncRuns"]["nodes"]

    for command in (["serve", "--demo"], ["serve"]):
        second = demo.run(*command, "--port", str(free_port()), timeout=60)
        assert second.returncode == 1, second.stderr
        assert "another `talentgraph serve`" in second.stderr, second.stderr
        assert "nothing was changed" in second.stderr

    deadline = time.monotonic() + 60
    while (counts := demo.query(JOBS)["backgroundJobs"]["counts"])["running"] + counts[
        "pending"
    ] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert counts["dead"] == 0, counts
    runs = demo.query(SYNC_RUNS)["syncRuns"]["nodes"]
    assert runs[0]["status"] == "SUCCEEDED" and len(runs) == len(runs_before) + (
        0 if runs_before[0]["status"] == "RUNNING" else 1
    ), runs

    # Another folder, the same port: refused before a database is made.
    other = tmp_path / "other"
    other.mkdir()
    busy = subprocess.run(
        [talentgraph(), "serve", "--demo", "--port", str(demo.port)],
        cwd=other,
        env=demo_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert busy.returncode == 1, busy.stderr
    assert f"cannot listen on 127.0.0.1:{demo.port}" in busy.stderr
    assert not (other / ".talentgraph" / "talentgraph.db").exists()
    assert httpx.get(f"{demo.url}/healthz", timeout=5).status_code == 200
