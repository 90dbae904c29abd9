"""Greenhouse Recruiting, through Harvest v3: the API a new customer gets.

    connector = GreenhouseConnector.create(
        client, {"clientId": cid, "clientSecret": secret, "userId": "4080"}, {},
        integration="9:greenhouse",
    )
    async for job in connector.jobs(updated_since=last_sync):   # GET /v3/jobs?updated_at=gte|...
        ...
    await connector.move_stage("69306314", "Onsite", Attribution(remote_id="4080"))
    # GET /v3/applications?ids=69306314, GET /v3/job_interview_stages?job_ids=..., then
    # POST /v3/applications/69306314/move {"from_stage_id": ..., "to_stage_id": ...}
    # with a token for user 4080

Why v3 and not v1 (looked up 2026-12; sources below): Greenhouse retired Harvest v1/v2
on 2026-08-31 ("The Harvest v1/v2 API is deprecated and will be removed on August 31,
2026. Please migrate to Harvest v3", quoted from the Harvest landing page at
dev.to/flarecanary "Greenhouse Harvest v1/v2 retires August 31"; Workato's migration
guide docs.workato.com/connectors/greenhouse/migration: "API key authentication (v1/v2)
is available only for existing connections"; StackOne hub-docs PR #399, Prismatic's
2026-06-12 changelog). A new customer creates "Harvest V3 (OAuth)" credentials, so the
v1 facts (Basic auth with the API key, ``On-Behalf-Of``, ``updated_after``, page
numbers) describe an API that no longer answers and are not used here.

Sources, "the v3 spec" below: Greenhouse publishes no OpenAPI file, but every page of
harvestdocs.greenhouse.io/reference embeds its OpenAPI 3.1 document ("Harvest API",
version v3); it was read as copied into github.com/amp-labs/connectors
(providers/greenhouse/metadata/openapi/harvest-api.json, whose README says how it was
extracted), with the parameter and field lists generated from the vendored reference
pages in github.com/sam-vangelos/greenhouse-mcp
(packages/recruiter-mcp/src/harvest-v3-registry.generated.ts). Of harvestdocs' guides,
the READ and WRITE migration guides were read as far as their opening sections
(cursor paging, the activity feed's move to ``/v3/notes``, advance and move as
``/move``); the spec copy has the full schemas of every resource but the request
details of only some paths (applications, application stages, users and a few more).

What this connector relies on, with its source:

- Auth (harvestdocs .../docs/authentication; the v3 spec's ``oauth2`` scheme:
  ``clientCredentials`` at ``https://auth.greenhouse.io/token``): custom integrations
  use the OAuth 2.0 client-credentials grant, ``POST https://auth.greenhouse.io/token``
  with HTTP Basic ``client_id:client_secret`` and the form
  ``grant_type=client_credentials`` and ``sub=<Greenhouse user id>``; then
  ``Authorization: Bearer <token>``. Access tokens live an hour (harvestdocs
  .../harvest-partner-oauth). Credentials here: ``clientId``, ``clientSecret``,
  ``userId`` (the ``sub`` reads run as); config ``tokenUrl`` replaces the token
  endpoint (a sandbox, a replay). A bad client is refused at the token endpoint:
  ``AuthError`` at ``integrationCreate``'s check. Scopes the credentials need:
  ``harvest:<resource>:list`` for jobs, job_owners, departments, offices,
  job_interview_stages, job_interviews, candidates, attachments, applications,
  application_stages, rejection_details, rejection_reasons, interviews, interviewers,
  users, notes; ``harvest:applications:move``,
  ``:reject``, ``:create`` and ``harvest:notes:create`` for the writes.
- Attribution: the token's ``sub`` is who the API records as acting (nango.dev's
  Greenhouse client-credentials guide: "Any API requests made with that token will
  appear as if that user performed them"); v3 has no ``On-Behalf-Of`` header. So a
  write done as a recruiter is sent with a token minted for their user id
  (``connectors.greenhouse.auth``); a note also names them as its ``user_id``.
- Paging (harvestdocs .../docs/pagination; READ migration guide): cursor paging; follow
  the ``Link`` header's ``rel="next"`` URL exactly (the spec's ``cursor`` parameter: "Do
  not use any other parameters when using this"); ``next`` and ``prev`` only, no
  ``last``; no header on the last page. ``per_page`` 1-500, default 100 (every list
  endpoint of the spec). Only links to the API's own origin are followed, so the token
  never travels elsewhere.
- Filters (harvestdocs .../docs/list-endpoints; the spec): ``ids`` and parent ids as
  comma-separated lists of at most 50 (``candidate_ids``, ``job_ids``,
  ``application_ids``), ``created_at``/``updated_at`` as ``pipeDelimited`` objects of
  ``gte``/``lte``/``gt``/``lt``, written ``updated_at=gte|2024-01-01T00:00:00Z``: the
  incremental reads. ``/v3/job_owners`` also filters on ``type`` (``recruiter``).
- Rate limits (developers.greenhouse.io/harvest.html#throttling, kept for v3 by
  apis.io's Greenhouse profile; harvestdocs' own rate-limiting guide could not be read
  here): ``X-RateLimit-Limit`` requests per 10 s, ``X-RateLimit-Remaining``; over it,
  429 with ``Retry-After`` (which ``HttpClient`` waits out).
- Reads (paths and fields from the v3 spec's schemas): ``/v3/jobs`` (``name``,
  ``status`` open/draft/closed, ``department_id``, ``office_ids``, ``custom_fields``
  as ``{name_key: {name, type, value}}``), named through ``/v3/departments`` and
  ``/v3/offices`` and owned through ``/v3/job_owners`` (``type`` recruiter,
  ``responsible``); ``/v3/job_interview_stages`` (``job_id``, ``name``,
  ``sort_order``: v1's ``/job_stages`` and ``priority``); ``/v3/candidates``
  (``email_addresses``/``phone_numbers`` as ``{value, type}``, ``tags`` as strings,
  ``last_activity_at``; no attachments) with ``/v3/attachments?candidate_ids=``
  (``type`` resume/cover_letter/..., ``filename``, ``url``; signed storage URLs);
  ``/v3/applications`` (``candidate_id``, ``job_id``, ``status``
  in_process/rejected/hired/converted, ``stage_id``, ``stage_name``, ``created_at``,
  ``rejected_at``, ``last_activity_at``; no ``applied_at``, ``jobs``,
  ``current_stage`` or ``rejection_reason``) with, per page, their
  ``/v3/application_stages`` (``job_interview_stage_id``, ``entered_at``,
  ``exited_at``: the stage history) and, for the rejected ones,
  ``/v3/rejection_details`` (``rejection_reason_id``, named through
  ``/v3/rejection_reasons``); ``/v3/interviews`` (``application_id``,
  ``job_interview_id``, ``starts_at``, ``status``; v1's ``/scheduled_interviews``),
  named through ``/v3/job_interviews``, with their ``/v3/interviewers``
  (``interview_ids``; ``user_id``); ``/v3/users`` (``primary_email``, ``emails``
  as strings, ``site_admin``); ``/v3/notes?candidate_ids=`` (``type``, ``body``,
  ``subject``, ``created_at``: v1's activity feed, per the READ migration guide) as
  activities. v1's names are still read where they differ (``jobs[0].id``,
  ``current_stage``, ``primary_email_address``, ``priority``, embedded
  ``attachments``, ``start.date_time``, ``interviewers``) so older payloads map too.
  v3 has no read of one record by path (``/v3/applications/{id}`` takes only PATCH and
  DELETE): one record is ``?ids=<id>``.
- Writes (the v3 spec; WRITE migration guide): move is ``POST
  /v3/applications/{id}/move`` with ``from_stage_id`` (required: the application's
  current ``stage_id``) and ``to_stage_id`` (a job interview stage), answered 204;
  reject is ``POST /v3/applications/{id}/reject`` with a required
  ``rejection_reason_id`` and optional ``notes``, answered 204; adding a candidate to a
  job is ``POST /v3/applications`` with ``candidate_id`` and ``job_id``, answered 201
  with the application; a note is ``POST /v3/notes`` (scope ``harvest:notes:create``)
  with ``candidate_id``, ``user_id``, ``body``, ``note_type`` ``NOTE`` and
  ``visibility`` ``public`` (the write side's vocabulary: public/private/admin_only;
  notes are listed as publicly_visible etc.), answered 201 with the note. The body of
  the notes write is not in the spec copy read here: it is as two public v3 clients
  send it (sam-vangelos/greenhouse-mcp's candidate-note action, and two other public v3
  clients on GitHub agree); checking it against a live account is still to do. Scheduling
  an interview is not offered: ``POST /v3/interviews`` records an event already on a
  calendar (it requires its ``external_event_id``), which the common model's request
  does not carry.
- Webhooks (developers.greenhouse.io/webhooks.html, copied in
  ``shared/specs/greenhouse``): ``Signature: sha256 <hex HMAC-SHA256(secret, raw body)>``
  and a ``Greenhouse-Event-ID`` header per delivery (``connectors.webhooks``); v3's
  webhook resource names the same actions (``candidate_stage_change``,
  ``reject_candidate``, ``new_candidate_application``...).

Offers (``/v3/offers``) are read by no common-model entity and so are not read. A
stage never entered (``entered_at`` null: skipped) is no transition; an application
whose history does not reach its current ``stage_name`` gets that stage as its last
transition, entered at ``last_activity_at``.

The package: ``auth`` (tokens per acting user), ``records`` (mappers), ``related``
(what v3 lists apart, read per page of records), ``connector``.
"""

from connectors.greenhouse.auth import GreenhouseAuth
from connectors.greenhouse.connector import GreenhouseConnector
from connectors.greenhouse.records import (
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)
from connectors.greenhouse.webhooks import GREENHOUSE_WEBHOOKS
from connectors.kit.provider import ProviderSpec

PROVIDER = ProviderSpec(
    slug="greenhouse",
    title="Greenhouse",
    connector=GreenhouseConnector,
    auth="oauth2",
    webhook=GREENHOUSE_WEBHOOKS,
)

__all__ = [
    "PROVIDER",
    "GreenhouseAuth",
    "GreenhouseConnector",
    "application_from_raw",
    "candidate_from_raw",
    "interview_from_raw",
    "job_from_raw",
    "stages_from_raw",
    "user_from_raw",
]
