"""BPOC, the agency platform: recruiters, requisitions, applications released to
clients, client interviews and onboarding, every write attributed to a recruiter.

    connector = BpocConnector.create(client, {"apiKey": key}, {}, integration="9:bpoc")
    await connector.create_job(JobDraft(title="Senior Developer"), Attribution(remote_id=uuid))
    # -> POST https://bpoc.io/api/v1/jobs/create {"title": "Senior Developer", "postedBy": uuid}

From BPOC's "Recruiter ID Synchronization Guide" (v1.0):

- Base ``https://bpoc.io/api/v1`` (config ``baseUrl`` overrides it); the agency's key
  goes in ``X-API-Key`` (credential ``apiKey``). A missing or wrong key is a 401.
- Recruiters are ``agency_recruiters.id`` UUIDs. ``GET /agency/recruiters`` answers
  ``{"recruiters": [...]}`` in one piece; ``POST /recruiters/create`` answers
  ``{"recruiterId": ...}``; ``POST /team/invite`` answers ``{"inviteToken": ...}``.
- Every write names the acting recruiter in its own field:

  =====================================  ====================================
  ``POST /jobs/create``                  ``postedBy``
  ``POST /jobs/{id}/approve``            ``approvedBy``
  ``POST /applications/{id}/release``    ``releasedBy`` (with ``notes``)
  ``POST /applications/{id}/reject``     ``rejectedBy`` (with ``reason``)
  ``POST /interviews``                   ``scheduledBy`` (and ``interviewerId``)
  ``POST /onboarding``                   ``createdBy`` (with ``tasks``)
  ``PUT /onboarding/{taskId}``           ``reviewedBy`` (with ``action``)
  =====================================  ====================================

- A recruiter of another agency is refused with 403
  ``{"error": "Recruiter does not belong to your agency", "status": 403}``
  (``RecruiterNotInAgencyError``); an unknown or inactive recruiter with an
  "Invalid recruiter ID" message (``InvalidRecruiterError``). The guide gives no
  status for the latter; ``demo/sandbox/bpoc/`` answers 400, and the message decides
  here whatever the status.

Not in the guide, chosen here and served the same way by ``demo/sandbox/bpoc/``:

- Read endpoints ``GET /jobs``, ``/applications``, ``/interviews`` and ``/onboarding``
  page with ``page`` (1-based) and ``limit`` (at most 100) and answer
  ``{"jobs": [...], "pagination": {"page", "limit", "total", "totalPages"}}`` (items
  under ``applications``, ``interviews`` and ``tasks`` for the others). The first page
  shorter than ``limit`` is the last (``PageNumberPaginator``); a configured
  ``pageSize`` above 100 is lowered to 100, or the server's cap would look like a
  short last page.
- There is no candidate list: each application embeds its ``candidate``, and
  ``candidates()`` reads them from ``/applications``.
- No server-side ``updated_since`` filter, so no ``INCREMENTAL``: reads filter on
  ``updatedAt`` client-side.
- No stage-move endpoint, so no ``MOVE_STAGE``: an application moves through BPOC's
  own actions (release, reject, interviews, onboarding). ``stages()`` lists its
  application statuses as the pipeline, in order, positions 0, 1, 2...
- An application's ``status`` is its current stage; ``statusHistory`` lists its status
  changes (``[{"status", "changedAt", "changedBy"}]``). With ``appliedAt``,
  ``releasedAt`` and ``rejectedAt`` they make its transitions, which always end at the
  current stage (see ``connectors.bpoc.pipeline``).
- A job's owner is the recruiter who posted it (``postedBy``, the guide's
  ``jobs.posted_by``); a candidate's résumé is at ``resumeUrl``.
- Records are read leniently (``connectors.lenient``); one that cannot be read (no id,
  an application without its job or candidate) is skipped and reported through
  ``map_record`` while the listing goes on.
- JSON fields are camelCase like the guide's request bodies; times are ISO 8601.
  Writes answer the record they touched: ``{"job": ...}``, ``{"application": ...}``,
  ``{"interview": ...}``, ``{"tasks": [...]}`` or ``{"task": ...}``.

The package: ``payloads`` (the raw shapes), ``fields`` (one value at a time),
``mapping`` (records as models), ``pipeline`` (statuses as stages, application
histories), ``attribution`` (the acting recruiter and its errors) and ``connector``.
"""

from connectors.bpoc.connector import BpocAuth, BpocConnector
from connectors.bpoc.webhooks import BPOC_WEBHOOKS
from connectors.kit.provider import ProviderSpec

PROVIDER = ProviderSpec(
    slug="bpoc",
    title="BPOC",
    connector=BpocConnector,
    auth="api_key",
    webhook=BPOC_WEBHOOKS,
)

__all__ = ["PROVIDER", "BpocAuth", "BpocConnector"]
