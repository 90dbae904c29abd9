"""Workable, through its SPI v3 (the recruiting API of one Workable account).

    connector = WorkableConnector.create(
        client, {"subdomain": "acme", "accessToken": token}, {"memberId": "13e0eb0e"},
        integration="9:workable",
    )
    async for job in connector.jobs(updated_since=last_sync):   # GET /jobs?updated_after=...
        ...
    await connector.move_stage("ce4da98", "Interview", Attribution(remote_id="1f395d"))
    # GET /stages, then POST /candidates/ce4da98/move
    #   {"member_id": "1f395d", "target_stage": "interview"}

What this connector relies on, with its source (looked up 2026-12 in Workable's
developer documentation, workable.readme.io, and where its stored copy stops short, in
public integrations that call the same endpoints):

- Base URL and auth (workable.readme.io/reference/webhook-subscriptions, its OpenAPI
  ``servers``: ``https://{subdomain}.workable.com/spi/v3``; security ``Authorization:
  Bearer <token>``; docs.unified.to and docs.n8n.io/credentials/workable: an account
  access token is generated under Integrations, and the subdomain is the part of the
  account's address before ``.workable.com``). Credentials here: ``subdomain`` and
  ``accessToken``; the subdomain must be one DNS label, so the token is never sent to
  another host. OAuth 2.0 exists only for accepted partners (client id and secret
  issued by Workable: docs.unified.to/skills/workable-oauth-app) and is not used.
- Paging (workable.readme.io/docs/whats-new-in-v3 and .../reference/job-candidates-index):
  lists answer ``{"<things>": [...], "paging": {"next": "<full URL>"}}``; ``limit``
  defaults to 50 and is at most 100; ``since_id``/``max_id`` scroll (the ``next`` URL
  carries them); candidates come oldest first. ``paging.next`` is followed as given,
  only on the API's own origin.
- Incremental reads (whats-new-in-v3): ``created_after`` and ``updated_after``
  (ISO-8601) filter jobs and candidates. Events (interviews) are filtered by when they
  take place only, so ``interviews()`` always reads them all.
- Rate limits (workable.readme.io/docs/rate-limits): per client, in 10-second
  intervals: account tokens 10 requests, OAuth and partner tokens 50; over that, 429.
  Every answer carries ``X-Rate-Limit-Limit``, ``X-Rate-Limit-Remaining`` and
  ``X-Rate-Limit-Reset`` ("timestamp of next interval"). The page names no
  ``Retry-After``, so ``WorkableAuth`` turns the reset time into one for
  ``HttpClient`` to wait out; the integration's own rate limit (config
  ``rateLimitPerSecond``) should be 1 for an account token.
- Records: jobs are keyed by ``shortcode`` (every job endpoint is
  ``/jobs/:shortcode``) with ``state`` draft/published/closed/archived; a candidate is
  one person in one job (``job: {"shortcode", "title"}``, ``stage``, ``disqualified``,
  ``disqualified_at``, ``disqualification_reason``, ``hired_at``; list keys in
  .../reference/job-candidates-index); ``GET /candidates/:id`` adds ``resume_url``,
  ``tags``, ``location`` (field list as NangoHQ/integration-templates'
  ``workable/actions/get-candidate.ts`` reads it). The resume is only in the details,
  so ``candidates()`` reads them for each listed candidate. Stage history is the
  ``moved`` entries of ``GET /candidates/:id/activities`` (``action``, ``stage_name``,
  ``member``, ``created_at``; shape as NangoHQ's ``list-candidate-activities.ts``; the
  action name ``moved`` is not confirmed by Workable's own pages); ``stageHistory:
  off`` skips those reads. ``GET /stages`` lists the account's pipeline (``slug``,
  ``name``, ``kind``, ``position``); ``GET /events?type=interview`` the interviews
  (``starts_at``, ``ends_at``, ``cancelled``, ``candidate``, ``members``: NangoHQ's
  ``list-events.ts``); ``GET /members`` the users. A job's owner comes from its hiring
  team, ``GET /jobs/:shortcode/members`` (workable.readme.io/reference/job-members:
  ``{"members": [{"id", "name", "email", "role", "collaboration_role"}]}``, the
  collaboration role one of admin, recruiting_admin, hiring_manager, simple, reviewer,
  recruiter): its recruiter, else recruiting admin, hiring manager or admin (one request
  per job read; ``jobOwners: off`` skips them). Offers (``GET
  /candidates/:id/offer``) have no common-model entity and are not read.
- Writes, each with the acting member's ``member_id`` (the recruiter's Workable member
  id, else config ``memberId``): move is ``POST /candidates/:id/move {"member_id",
  "target_stage": <stage slug>}`` (workable.readme.io/reference/move-candidate; the
  slug as in .../docs/relocate-candidates' example ``"target_stage": "applied"``);
  reject is ``POST /candidates/:id/disqualify`` (.../reference-link/disqualify-candidate:
  ``member_id`` required, a reason id, a note of at most 256 characters, ``withdrew``;
  the ``disqualification_reason`` text of the docs' example is marked DEPRECATED). The
  reference names the fields only by description; ``disqualify_note`` is the name
  NangoHQ's ``disqualify-candidate.ts`` sends, and the reason's text goes there.
  Notes are ``POST /candidates/:id/comments {"member_id", "comment": {"body"}}``
  (.../docs/comment-on-candidate). Workable has no API to schedule an interview here:
  not claimed.
- Webhooks (workable.readme.io/reference/webhook-subscriptions and
  .../webhook-subscriptions-candidates-employees): ``POST /subscriptions {"target",
  "event", "args": {"job_shortcode", "stage_slug"}}``, events ``candidate_created``,
  ``candidate_moved``, ``candidate_deleted`` (and employee events); Workable POSTs the
  event's resource to the target. The signature header ``X-Workable-Signature``, the hex
  HMAC-SHA256 of the raw body keyed with the subscription's token, is NOT in the
  stored copy of Workable's page (it stops before that section); it rests on the
  summary of workable.readme.io at mcp.waymark.network ("signs each request with
  HMAC-SHA256 over the raw request body using either the account token or OAuth
  application secret as the key, and sends the digest in the X-Workable-Signature
  header") and on public receivers that verify the same. The body's ``event_type`` and
  ``data`` keys likewise come from such receivers, not from Workable's page.

A Workable candidate is one application, so there are no "applications of a person"
to refetch: ``Capability.APPLICATIONS_BY_CANDIDATE`` is not claimed, and a webhook about
a candidate refetches the candidate and queues an incremental sync for its application.
The fake's error bodies (``{"error": "Not authorized"}`` with 401, 403 for a token
without the write scope, 422 for a bad ``member_id``) are this package's reading of
"401/403 as a bearer API answers", not quotes from Workable.

Where this differs from shorter summaries of the API: ``limit`` is at most 100; the
disqualify reason text is deprecated in favour of a reason id and a note; events are
not filtered by change time.

The package: ``auth`` (bearer token, rate-limit waits), ``records`` (mappers),
``connector``, ``webhooks`` (signature and notices).
"""

from connectors.kit.provider import ProviderSpec
from connectors.kit.webhooks import WebhookFunctions
from connectors.workable import webhooks
from connectors.workable.auth import WorkableAuth
from connectors.workable.connector import WorkableConnector
from connectors.workable.records import (
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)

PROVIDER = ProviderSpec(
    slug="workable",
    title="Workable",
    connector=WorkableConnector,
    auth="api_key",
    webhook=WebhookFunctions(
        webhooks.verify, webhooks.notice, frozenset({webhooks.SIGNATURE.lower()})
    ),
    rate_per_second=1.0,
)

__all__ = [
    "PROVIDER",
    "WorkableAuth",
    "WorkableConnector",
    "application_from_raw",
    "candidate_from_raw",
    "interview_from_raw",
    "job_from_raw",
    "stages_from_raw",
    "user_from_raw",
]
