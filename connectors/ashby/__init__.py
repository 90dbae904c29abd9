"""Ashby, through its public RPC API (``https://api.ashbyhq.com``).

    connector = AshbyConnector.create(client, {"apiKey": key}, {}, integration="9:ashby")
    async for job in connector.jobs(updated_since=last_sync):   # POST /job.list, cursor paging
        ...
    await connector.move_stage(application_id, "Onsite", attribution)
    # POST /application.info, /interviewStage.list {"interviewPlanId"}, then
    # POST /application.changeStage {"applicationId", "interviewStageId"}

What this connector relies on, with its source (read 2026-12):

- Shape (developers.ashbyhq.com/docs/introduction): RPC style, ``POST /CATEGORY.method``
  even for reads, parameters in a JSON body with ``Content-Type: application/json``;
  the docs' examples send ``Accept: application/json; version=1``
  (developers.ashbyhq.com/docs/authentication), as this connector does.
- Auth (developers.ashbyhq.com/docs/authentication): HTTP Basic, the API key as user
  name and an empty password; no OAuth for a customer's own key. A missing key is 401,
  a wrong or deactivated key 403, and a key without the module permission an endpoint
  needs 403 ``missing_endpoint_permission``: all ``AuthError``, so ``check()`` (one
  ``user.list``, Organization read) fails ``integrationCreate`` with a bad key.
- Answers (developers.ashbyhq.com/docs/responses): ``{"success": true, "results": ...}``;
  what would be a 4xx elsewhere comes back **with HTTP 200** as ``{"success": false,
  "errorInfo": {"code", "message", "requestId"}}`` (the OpenAPI schemas also show
  ``"errors": [code]``); both are read by ``connectors.ashby.rpc`` and raised as the
  typed error the code stands for. ``warnings`` on a success are ignored.
- Paging and incremental reads (developers.ashbyhq.com/docs/pagination-and-incremental-sync,
  and each ``*.list`` request schema in the API reference): ``limit`` (at most 100),
  ``cursor`` = the previous page's ``nextCursor`` while ``moreDataAvailable`` is true;
  the last page of a read carries a ``syncToken`` that a later read sends back to get
  only what changed since. The only time filter is ``createdAfter`` (epoch ms), which
  misses updates to older records. The request schemas of ``job.list``,
  ``candidate.list``, ``application.list`` and ``interviewSchedule.list`` take a
  ``syncToken`` (the API reference; docs.estuary.dev's Ashby connector reads all four
  through sync tokens). **Design**: a full run keeps the last page's token of each of those
  lists (``AshbyConnector.cursors``); the sync stores them on the integration once the
  run succeeds (``sync_cursor["source"]``) and hands them back before the next
  incremental run (``use_cursors``), which reads each list through its token: only what
  changed since, and a newer token. Without a token, a read since a time is a whole read
  filtered on each record's ``updatedAt`` (records without one are kept). A token Ashby
  will not serve, ``sync_token_expired``, ``sync_token_invalid`` or
  ``incremental_sync_too_large`` (changelog 2026-05-14 and 2026-08-04: "discard the
  token and perform a full sync"), costs a whole read of that list, not the run.
- Rate limits: Ashby limits requests per API key and answers 429 with ``Retry-After``
  (apis.io's Ashby rate-limit profile; developers.ashbyhq.com/changelog
  2026-10-14 adds ``X-RateLimit-Scope: integration-partner`` to partner-wide 429s and
  says per-key 429s lack it). No limit figures are published; ``HttpClient`` waits
  ``Retry-After`` out and the integration's own bucket (``rateLimitPerSecond``) paces.
- Records (API reference, ``*.info``/``*.list`` schemas): UUID string ids, ISO 8601
  times. Candidates: ``primaryEmailAddress``/``emailAddresses`` ``{value, type}``,
  ``resumeFileHandle {id, name, handle}``; a handle becomes a signed URL through
  ``POST /file.info {"fileHandle"}`` -> ``results.url`` (candidatesRead; Ashby's demo data
  may refuse it, and the candidate then has no resume). Applications: ``status``
  (Active, Hired, Archived, Lead), ``candidate``, ``job``, ``currentInterviewStage``,
  ``archiveReason``, and ``applicationHistory`` (``stageNumber``, ``title``,
  ``enteredStageAt``, ``leftStageAt``, ``actorId``): the stage history. Stages come
  per interview plan from ``interviewStage.list {"interviewPlanId"}`` in order
  (``orderInInterviewPlan``; ``type`` Lead, PreInterviewScreen, Active, Offer, Hired,
  Archived); a job names its plans in ``defaultInterviewPlanId``/``interviewPlanIds``.
  Interviews are ``interviewSchedule.list`` schedules with their ``interviewEvents``.
  Offers (``offer.list``) fit no common-model entity and are not read.
- Writes: ``application.changeStage {applicationId, interviewStageId}``; archiving (the
  rejection) is a change to the plan's ``Archived`` stage and then requires an
  ``archiveReasonId`` (from ``archiveReason.list``, whose request takes only
  ``includeArchived``, matched by ``text``, else the first) (API reference,
  application.changeStage and archiveReason.list). ``candidate.createNote {candidateId, note,
  sendNotifications}`` takes plain text or ``{"type": "text/plain", "value"}``.
- Attribution: no write endpoint takes an acting user: changeStage has no actor field
  and createNote no author (its answer's ``author`` is the API key's user). So
  ``ATTRIBUTION`` is not claimed; a note names the recruiter it was written for in
  its text (``connector.attributed``), and moves and archives are recorded by Ashby as
  the API key's user. (The summary this connector was specified from suggested a
  ``createdById``: the reference has none.)
- Webhooks: ``connectors.ashby.webhooks`` (``Ashby-Signature: sha256=<hex>``,
  ``webhookActionId`` per event), declared to the registry as ``ASHBY_WEBHOOKS``.
- Rate: no per-key figure is published, so ``PROVIDER`` declares no
  ``rate_per_second`` and the integration's own ``rateLimitPerSecond`` applies.

The package: ``rpc`` (the envelope and paging), ``records`` (mappers), ``connector``,
``webhooks`` (signature and notices), and ``PROVIDER`` (``connectors.kit``).
"""

from connectors.ashby.connector import AshbyConnector
from connectors.ashby.records import (
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)
from connectors.ashby.webhooks import ASHBY_WEBHOOKS
from connectors.kit.provider import ProviderSpec

PROVIDER = ProviderSpec(
    slug="ashby",
    title="Ashby",
    connector=AshbyConnector,
    auth="api_key",
    webhook=ASHBY_WEBHOOKS,
)

__all__ = [
    "PROVIDER",
    "AshbyConnector",
    "application_from_raw",
    "candidate_from_raw",
    "interview_from_raw",
    "job_from_raw",
    "stages_from_raw",
    "user_from_raw",
]
