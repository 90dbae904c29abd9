"""Greenhouse Recruiting, through Harvest v3: the API a new customer gets.

    connector = GreenhouseConnector.create(
        client, {"clientId": cid, "clientSecret": secret, "userId": "4080"}, {},
        integration="9:greenhouse",
    )
    async for job in connector.jobs(updated_since=last_sync):   # GET /v3/jobs?updated_at=gte|...
        ...
    await connector.move_stage("69306314", "Onsite", Attribution(remote_id="4080"))
    # GET /v3/applications/69306314, GET /v3/job_stages?job_id=..., then
    # POST /v3/applications/69306314/move {"to_stage_id": ...} with a token for user 4080

Why v3 and not v1 (looked up 2026-12; sources below): Greenhouse retired Harvest v1/v2
on 2026-08-31 ("The Harvest v1/v2 API is deprecated and will be removed on August 31,
2026. Please migrate to Harvest v3", quoted from the Harvest landing page at
dev.to/flarecanary "Greenhouse Harvest v1/v2 retires August 31"; Workato's migration
guide docs.workato.com/connectors/greenhouse/migration: "API key authentication (v1/v2)
is available only for existing connections"; StackOne hub-docs PR #399, Prismatic's
2026-06-12 changelog). A new customer creates "Harvest V3 (OAuth)" credentials, so the
v1 facts (Basic auth with the API key, ``On-Behalf-Of``, ``updated_after``, page
numbers) describe an API that no longer answers and are not used here.

What this connector relies on, with its source:

- Auth (harvestdocs.greenhouse.io/docs/authentication): custom integrations use the
  OAuth 2.0 client-credentials grant, ``POST https://auth.greenhouse.io/token`` with
  HTTP Basic ``client_id:client_secret`` and the form ``grant_type=client_credentials``
  and ``sub=<Greenhouse user id>``; then ``Authorization: Bearer <token>``. Access
  tokens live an hour (harvestdocs .../harvest-partner-oauth). Credentials here:
  ``clientId``, ``clientSecret``, ``userId`` (the ``sub`` reads run as). A bad client
  is refused at the token endpoint: ``AuthError`` at ``integrationCreate``'s check.
- Attribution: the token's ``sub`` is who the API records as acting (nango.dev's
  Greenhouse client-credentials guide: "Any API requests made with that token will
  appear as if that user performed them"); v3 has no ``On-Behalf-Of`` header. So a
  write done as a recruiter is sent with a token minted for their user id
  (``connectors.greenhouse.auth``).
- Paging (harvestdocs .../docs/pagination): cursor paging; follow the ``Link``
  header's ``rel="next"`` URL exactly ("when you pass a cursor, it must be the only
  query parameter"); no ``prev``/``last``; no header on the last page. ``per_page``
  1-500, default 100 (.../reference/get_v3-rejection-details). Only links to the API's
  own origin are followed, so the token never travels elsewhere.
- Filters (harvestdocs .../docs/list-endpoints): ``ids`` (at most 50), parent ids
  (``candidate_ids``, ``job_id``), ``created_at``/``updated_at`` with operators
  written ``updated_at=gte|2024-01-01T00:00:00Z``: the incremental reads.
- Rate limits (developers.greenhouse.io/harvest.html#throttling, kept for v3 by
  apis.io's Greenhouse profile): ``X-RateLimit-Limit`` requests per 10 s,
  ``X-RateLimit-Remaining``; over it, 429 with ``Retry-After`` (which ``HttpClient``
  waits out).
- Writes: move is ``POST /v3/applications/{id}/move`` with ``to_stage_id`` (harvestdocs
  .../docs/write-endpoint-migration-guide); reject is ``POST /v3/applications/{id}/reject``
  with a required ``rejection_reason_id`` and optional ``notes``, answered 204
  (.../reference/post_v3-applications-id-reject). Notes: no v3 endpoint for candidate
  notes could be confirmed, so ``NOTES`` is not claimed.
- Webhooks (developers.greenhouse.io/webhooks.html, copied in
  ``shared/specs/greenhouse``): ``Signature: sha256 <hex HMAC-SHA256(secret, raw body)>``
  and a ``Greenhouse-Event-ID`` header per delivery (``connectors.webhooks``).
- Records: the field names are those of the v1 reference (developers.greenhouse.io/
  harvest.html: snake_case, ISO-8601 times, ``null`` for missing values, attachments as
  signed URLs valid for 7 days). v3 renames some fields (harvestdocs .../docs/
  step-by-step-migration-instructions, not verified field by field here), so the
  mappers take either form where one is known (``job_id`` or ``jobs[0].id``,
  ``current_stage`` as an object or an id named from ``/v3/job_stages``) and read
  everything else leniently; checking them against a live v3 account is still to do.

Offers are read by no common-model entity and so are not read. Harvest keeps no stage
history on an application: its one transition is the current stage, entered at
``last_activity_at``.

The package: ``auth`` (tokens per acting user), ``records`` (mappers), ``connector``.
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
