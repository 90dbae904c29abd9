"""Lever, through its Data API v1.

    connector = LeverConnector.create(client, {"apiKey": key}, {}, integration="9:lever")
    async for application in connector.applications(updated_since=last_sync):
        ...   # GET /v1/opportunities?expand=applications&updated_at_start=<epoch ms>
    await connector.move_stage(opportunity_id, "Phone interview", Attribution(remote_id=uid))
    # GET /v1/stages, then PUT /v1/opportunities/<id>/stage?perform_as=<uid> {"stage": ...}

What this connector relies on, with its source (looked up 2026-12). The official
reference is hire.lever.co/developer/documentation (the sandbox copy at
hire.sandbox.lever.co/developer/documentation). Only its introduction, authentication
and OAuth sections could be read here; every other fact names the secondary source it
rests on, and is to be checked against the reference text.

- Base URL (official reference, "Introduction"): ``https://api.lever.co/v1``; the
  sandbox's is ``https://api.sandbox.lever.co/v1``. JSON over HTTPS only. Here the
  integration's environment picks one (``prod``/``stage``), ``config.baseUrl`` wins.
- Auth (official reference, "Authentication"): "Authenticate to the Lever API via
  basic auth by providing an API key as the username and leaving the password blank";
  API keys are for customers' own workflows, "Integrations are built using OAuth".
  OAuth (same page and hire.sandbox.lever.co/developer/oauth): authorization code
  grant, the user sent to ``https://auth.lever.co/authorize`` with ``client_id``,
  ``redirect_uri``, ``response_type=code``, ``state`` (and ``audience``
  ``https://api.lever.co/v1/`` and scopes, ``offline_access`` for a refresh token:
  authpipe.dev/providers/lever, the waymark Lever OAuth route); the code and later the
  refresh token are traded at ``https://auth.lever.co/oauth/token``; access tokens
  live an hour and refresh tokens rotate on use (waymark's Lever data-sync route),
  which ``RefreshTokenAuth`` hands to the gateway to store. The client is sent as
  ``client_id``/``client_secret`` form fields at the token endpoint (public Lever
  clients do; whether Basic is also taken is unverified). Credentials here:
  ``apiKey``, or ``clientId``, ``clientSecret``, ``refreshToken``.
- Attribution (developers.getknit.dev/docs/lever-usecases quoting the reference's
  write endpoints: "The request must include a 'perform_as' query parameter to specify
  the user on whose behalf the upload is performed"): writes carry
  ``perform_as=<Lever user id>``.
- Paging (rate-limits.apis.io's Lever profile, "configurable via the limit query
  parameter (1-100). Use cursor-based offset tokens", and waymark's Lever data-sync
  route, "use the limit (max 100 per page) and offset parameters, iterating until the
  hasNext field in the response is false"; Nango's Lever syncs, github.com/NangoHQ/
  integration-templates integrations/lever/syncs/opportunities.ts and postings.ts,
  page with ``limit``, the body's ``next`` sent back as ``offset``, records in ``data``):
  ``limit`` 1-100; lists answer ``{"data": [...], "hasNext": true, "next": "<token>"}``
  and the token goes back as ``offset``.
- Incremental reads: ``updated_at_start`` (epoch ms) on ``/opportunities`` (waymark's
  data-sync route: "use the updated_at_start query parameter on /v1/opportunities")
  and on ``/postings`` (Nango's postings sync sends it); postings are also checked by
  their ``updatedAt`` here, in case the filter is ignored. Interviews are read per
  changed opportunity.
- Rate limits (rate-limits.apis.io/rate-limits/lever and apis.io/rate-limits/lever-co,
  profiles reconciled from the reference's "Rate Limits"): 10 requests/second steady state per
  key, token-bucket bursts to 20; over it, HTTP 429; honour ``Retry-After`` when sent.
  No rate-limit headers beyond ``Retry-After`` are documented, so none are read
  (``HttpClient`` waits out 429s). Keep ``config.rateLimitPerSecond`` at 10 or less.
- Entities (the reference's Opportunities, Postings, Stages, Archive Reasons, Users,
  Interviews, Resumes; field names also in schemas.apis.io's Lever Opportunity
  schema and the reference's "Deprecated" Candidates page): an opportunity is one
  candidacy of a contact (``contact`` is the person's id across opportunities),
  with ``stage``, ``stageChanges`` (``toStageId``, ``updatedAt``, ``userId``),
  ``archived`` (``{reason, archivedAt}``), ``applications`` (expandable; the
  ``posting`` there is the job), ``emails``, ``phones``, ``tags``, ``sources``;
  times are epoch milliseconds. Archive reasons carry ``status`` ``hired`` or
  ``non-hired``. Resumes: ``GET /opportunities/:id/resumes``, each file downloadable
  at ``/opportunities/:id/resumes/:resume/download`` with the API's credentials.
  Offers and feedback have no common-model entity here and are not read.
- Writes (the reference's table of contents lists "Update stage", "Update archived
  state", Notes and Panels; the bodies as Nango's Lever actions send them,
  integrations/lever/actions/update-opportunity-stage.ts, update-opportunity-archived.ts,
  create-note.ts, create-panel.ts, each with ``perform_as``):
  ``PUT /opportunities/:id/stage {"stage": <stage id>}``,
  ``PUT /opportunities/:id/archived {"reason": <archive reason id>}`` (optionally
  ``cleanInterviews``, ``requisitionId``; one third-party guide, waymark's archive
  route, names the field ``reason_id``, against Nango's code: ``reason`` is kept),
  ``POST /opportunities/:id/notes {"value": text}`` (answered with the note; its
  ``id`` is read, or a ``noteId``), and interviews only as panels:
  ``POST /opportunities/:id/panels {"timezone", "interviews": [{"subject",
  "interviewers": [{"id"}], "date" (ms), "duration" (minutes)}]}``, answered with the
  panel and its interviews' ids.
- Webhooks (``connectors.lever.webhooks``; implementations agreeing on it: several
  public Lever receivers, mcp.waymark.network's "Verify Lever webhook signatures"):
  the body is ``{"token", "triggeredAt" (epoch ms), "signature", "event", "data"}``
  and ``signature`` is the hex HMAC-SHA256 of ``token + triggeredAt`` keyed with the
  webhook's signature token (one per event type in Lever's settings, returned as
  ``configuration.signatureToken`` when a webhook is made through ``POST /webhooks``:
  Nango's create-webhook.ts; the integration's webhook secret). Two third-party
  write-ups (api-evangelist's AsyncAPI file, a second waymark route) describe instead
  a ``Lever-Signature`` header over the body; no Lever source backs that, and it is
  not used. Events
  (help.lever.co "Configuring webhooks", apis.io's Lever Webhooks):
  applicationCreated, candidateHired, candidateStageChange, candidateArchiveChange,
  candidateDeleted, interviewCreated/Updated/Deleted, contactCreated/Updated.

Not verified against a live account: the exact ``data`` keys of each webhook event
(``contactId``, ``opportunityId``, ``postingId`` are assumed, and a delivery naming
only an opportunity asks for an incremental sync), and the token endpoint's client
authentication.

The package: ``auth`` (API key or OAuth), ``records`` (mappers), ``connector``,
``webhooks`` (signature and notices).
"""

from connectors.kit.provider import OAuthSpec, ProviderSpec
from connectors.kit.webhooks import WebhookFunctions
from connectors.lever import auth, webhooks
from connectors.lever.auth import LeverKeyAuth, LeverOAuth
from connectors.lever.connector import LeverConnector
from connectors.lever.records import (
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)

PROVIDER = ProviderSpec(
    slug="lever",
    title="Lever",
    connector=LeverConnector,
    auth="api_key",
    webhook=WebhookFunctions(webhooks.verify, webhooks.notice),
    oauth=OAuthSpec(
        endpoints=lambda _credentials: (auth.authorization_endpoint(), auth.TOKEN_URL),
        client_in_form=True,
        credentials=auth.OAUTH_CREDENTIALS,
    ),
    rate_per_second=10.0,
)

__all__ = [
    "PROVIDER",
    "LeverConnector",
    "LeverKeyAuth",
    "LeverOAuth",
    "application_from_raw",
    "candidate_from_raw",
    "interview_from_raw",
    "job_from_raw",
    "stages_from_raw",
    "user_from_raw",
]
