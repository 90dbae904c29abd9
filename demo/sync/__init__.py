"""The demo through the real path: sandbox ATS servers on loopback ports, integrations
that point at them, a full sync of each, then what the gateway itself computes.

    servers = start_sandboxes(settings, allocate=True)   # serve --demo: ports recorded
    async with connector_client(settings) as client:      # trusts exactly those origins
        demo = await demo_through_sync(settings, client, servers.origins)

The sandboxes are the same stateful fake servers the tests use (``demo.sandbox``): one
for every provider ``connectors.registry`` lists whose fake's package declares
``SANDBOX = DemoSandbox(...)`` (``demo.sandbox.declaration``), nothing here names them.
They are built deterministically (``build_sandbox``) and served by uvicorn on ``127.0.0.1`` from
a thread of the process that starts them. Their origins are recorded in the data
folder (``sandboxes.json``, see ``gateway.outbound_http.sandbox_origins``) and in each
integration's ``baseUrl``, so every talentgraph process of that folder reaches them:
``talentgraph sync``, ``worker`` and a plain ``serve`` call ``start_sandboxes`` too,
which leaves running sandboxes alone and starts the missing ones on their recorded
ports (writes a process makes to its sandboxes stay in that process).

What no ATS holds is made after the syncs, from the synced records: resume analyses
(the offline provider, on the synced resumes), self-service interviews in every status
with their chats and the completed ones' evaluations, and offers. Each integration gets
a webhook secret, kept in ``demo-webhook-secrets/<provider>`` in the data folder so a
developer can sign webhooks to the demo (README: "The demo").

The package: ``sandboxes`` (the fake ATS apps), ``servers`` (serving them on loopback,
their recorded origins, the webhook secrets), ``through_sync`` (the tenant, connected
and synced), ``applications``, ``own_records`` and ``interviews`` (what the gateway
makes of the synced data) and ``app`` (the app ``serve --demo`` runs).
"""

from __future__ import annotations

from demo.sync.app import create_demo_app
from demo.sync.sandboxes import (
    IDENTITY_PATH,
    LOOPBACK,
    RANK_FIELD,
    SECRETS_DIR,
    TOTAL,
    Sandbox,
    SandboxUnavailable,
    build_sandbox,
    sandbox_sizes,
    served_sandboxes,
)
from demo.sync.servers import (
    SandboxServers,
    read_origins,
    sandbox_answers,
    start_sandboxes,
    webhook_secrets,
)
from demo.sync.through_sync import demo_through_sync

__all__ = [
    "IDENTITY_PATH",
    "LOOPBACK",
    "RANK_FIELD",
    "SECRETS_DIR",
    "TOTAL",
    "Sandbox",
    "SandboxServers",
    "SandboxUnavailable",
    "build_sandbox",
    "create_demo_app",
    "demo_through_sync",
    "read_origins",
    "sandbox_answers",
    "sandbox_sizes",
    "served_sandboxes",
    "start_sandboxes",
    "webhook_secrets",
]
