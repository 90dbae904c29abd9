"""Jobvite: API v2 for requisitions and candidates, the Onboarding API for new hires.

Jobvite publishes no v2 reference; this package follows the facts in
``tests/fixtures/specs/README.md`` (Jobvite):

- base ``https://api.jobvite.com/api/v2`` (stage ``https://api-stage.jobvite.com/api/v2``),
  picked by ``config["environment"]`` (``prod``/``stage``), overridden by ``config["baseUrl"]``;
- auth by headers, plain (``x-jvi-api``/``x-jvi-sc``) or signed (``X-JVI-API``,
  ``X-JVI-EPOCH``, ``X-JVI-SIGN``), picked by ``config["authScheme"]``;
- ``GET /job`` and ``GET /candidate`` page with ``start`` (0-based) and ``count``
  (at most 500) and filter with ``datestart``/``dateend`` in epoch milliseconds;
  they answer ``{"total": N, "requisitions": [...]}`` and ``{"total": N, "candidates": [...]}``.

A Jobvite "candidate" row is one person *with one application* (``application``,
holding its ``eId``, ``workflowState`` and the ``job`` it is for): a person with two
applications appears twice, one with none appears without ``application``. So
``candidates()`` yields each person once per read, and ``applications()`` one
``RemoteApplication`` per row that has an application:

    connector = JobviteConnector.create(client, {"apiKey": "...", "apiSecret": "..."},
                                        {"environment": "stage"}, integration="7:jobvite")
    async for job in connector.jobs(updated_since=last_sync):   # GET /job?datestart=<ms>
        ...

Rows are read leniently (``connectors.lenient``): a row that cannot be mapped (no
``eId``, not an object) is reported through ``map_record`` and skipped, the listing goes
on. Requisitions carry their recruiter (``primaryRecruiter``/``recruiters``: the
``userId``, else the login email), candidates their resume link where a row has one
(``resume_url_of``). v2 lists no workflow, so ``stages()`` is ``WORKFLOW`` (or the
company's ``config["workflowStates"]``) in pipeline order.

v2 offers no documented write (not even a workflow-state move), so writes other
than onboarding refuse. With ``onboardingPrivateKey`` (the customer's PEM) and
``jobvitePublicKey`` configured, onboarding tasks are read and written through
``connectors.jobvite.onboarding``; without them ``onboarding_tasks()`` yields
nothing and onboarding writes raise ``ConfigurationError``.

The package: ``auth``, ``payloads``, ``workflow`` (states and stages) and ``mapping``
for v2; ``envelope``, ``onboarding_tasks`` and ``onboarding`` (the client) for the
Onboarding API; ``wire`` for what both share; ``connector`` over them all.
"""

from connectors.jobvite.auth import AuthScheme, JobviteAuth, signature
from connectors.jobvite.connector import JobviteConnector
from connectors.jobvite.webhooks import JOBVITE_WEBHOOKS
from connectors.kit.provider import ProviderSpec, WebhookRoute

PROVIDER = ProviderSpec(
    slug="jobvite",
    title="Jobvite",
    connector=JobviteConnector,
    auth="hmac",
    webhook=JOBVITE_WEBHOOKS,
    webhook_route=WebhookRoute.BY_ACCOUNT,
    webhook_topics=("candidate", "job"),
)

__all__ = ["PROVIDER", "AuthScheme", "JobviteAuth", "JobviteConnector", "signature"]
