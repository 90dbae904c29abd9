"""Lever records as the common model: postings (jobs), stages, opportunities (one
candidate per contact, one application per opportunity), interviews and users.

Lever keeps the person and the candidacy on one record: an opportunity carries the
contact's details (``contact`` is the person's id across opportunities) and its own
pipeline state (``stage``, ``stageChanges``, ``archived``, ``applications`` with the
posting). So a candidate here is the contact, named by ``contact``, and an application
is the opportunity, named by its ``id``. Times are epoch milliseconds. Read leniently
(``connectors.lenient``); a record without an id raises ``MappingError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors import lenient
from connectors.models import (
    ApplicationState,
    JobState,
    RemoteApplication,
    RemoteCandidate,
    RemoteDocument,
    RemoteInterview,
    RemoteJob,
    RemotePerson,
    RemoteStage,
    RemoteStageTransition,
    RemoteUser,
    StageKind,
)

TAG_LIMIT = 200


def _clip(value: object, limit: int, *keys: str) -> str | None:
    return lenient.text(value, *keys, limit=limit)


def _ms(value: object) -> Any:
    """Lever's epoch milliseconds (numbers or digit strings) as an aware time."""
    return lenient.timestamp(value, epoch_unit="ms")


# postings


_POSTING_STATES: dict[str, JobState] = {
    "published": "open",
    "internal": "open",
    "closed": "closed",
    "draft": "draft",
    "pending": "draft",
    "rejected": "closed",
}


def job_from_raw(raw: object) -> RemoteJob:
    """``{"id": "f2f01e16-...", "text": "Infrastructure Engineer", "state": "published",
    "categories": {"team": ..., "department": ..., "location": ..., "commitment": ...},
    "owner": "<user id>", "createdAt": 1463184866745, "updatedAt": ...}`` -> ``RemoteJob``.
    The posting owner (else its hiring manager) is the job's recruiter."""
    record = lenient.record(raw, "jobs")
    remote_id = lenient.record_id(record, "jobs")
    state_name = _clip(record.get("state"), lenient.SHORT_LIMIT)
    status = _POSTING_STATES.get((state_name or "").lower(), "open")
    categories = lenient.mapping(record.get("categories"))
    content = lenient.mapping(record.get("content"))
    owner = record.get("owner")
    owner_id = lenient.identifier(owner) or lenient.identifier(record.get("hiringManager"))
    return RemoteJob(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=_ms(record.get("updatedAt")),
        title=_clip(record.get("text"), lenient.TITLE_LIMIT) or lenient.UNTITLED,
        status=status,
        remote_status=state_name,
        description=lenient.text(content.get("descriptionHtml"))
        or lenient.text(content.get("description")),
        location=_clip(categories.get("location"), lenient.TITLE_LIMIT)
        or _clip(
            lenient.first_text(lenient.items(categories.get("allLocations"))), lenient.TITLE_LIMIT
        ),
        department=_clip(categories.get("department"), lenient.TITLE_LIMIT)
        or _clip(categories.get("team"), lenient.TITLE_LIMIT),
        employment_type=_clip(categories.get("commitment"), lenient.SHORT_LIMIT),
        opened_at=_ms(record.get("createdAt")),
        closed_at=_ms(record.get("updatedAt")) if status == "closed" else None,
        recruiter_remote_id=owner_id,
        recruiter_email=lenient.email(owner.get("email")) if isinstance(owner, Mapping) else None,
    )


# stages

_STAGE_WORDS: tuple[tuple[tuple[str, ...], StageKind], ...] = (
    (("reject", "archiv"), "rejected"),
    (("hired",), "hired"),
    (("offer",), "offer"),
    (("interview", "on-site", "onsite", "assessment"), "interview"),
    (("screen",), "screen"),
    (("applicant", "applied", "new lead", "reached out", "responded"), "applied"),
)


def stage_kind(name: str) -> StageKind:
    lowered = name.lower()
    for words, kind in _STAGE_WORDS:
        if any(word in lowered for word in words):
            return kind
    return "other"


def stages_from_raw(raws: Sequence[Any]) -> list[RemoteStage]:
    """``GET /stages`` (``[{"id": "lead-new", "text": "New lead"}, ...]``) in the
    account's pipeline order, as listed; one per name."""
    seen: dict[str, RemoteStage] = {}
    for raw in raws:
        record = lenient.mapping(raw)
        stage_id = lenient.identifier(record.get("id"))
        name = _clip(record.get("text"), lenient.SHORT_LIMIT) or _clip(
            record.get("name"), lenient.SHORT_LIMIT
        )
        if stage_id and name and name.lower() not in seen:
            seen[name.lower()] = RemoteStage(
                remote_id=stage_id, name=name, position=len(seen), kind=stage_kind(name)
            )
    return list(seen.values())


def stage_names(raws: Sequence[Any]) -> dict[str, str]:
    """Stage id -> name, for opportunities that name their stage by id."""
    names: dict[str, str] = {}
    for raw in raws:
        record = lenient.mapping(raw)
        stage_id = lenient.identifier(record.get("id"))
        name = _clip(record.get("text"), lenient.SHORT_LIMIT) or _clip(
            record.get("name"), lenient.SHORT_LIMIT
        )
        if stage_id and name:
            names.setdefault(stage_id, name)
    return names


# opportunities: candidates


def contact_id(record: Mapping[str, Any]) -> str | None:
    """The person behind an opportunity: ``contact`` (an id, or an object with one)."""
    return lenient.identifier(record.get("contact"))


def resume_documents(
    resumes: Sequence[Any], opportunity_id: str, base_url: str
) -> tuple[RemoteDocument, ...]:
    """``GET /opportunities/:id/resumes`` entries, newest first, as documents: the
    file's ``downloadUrl`` where it is a web address, else the documented download
    endpoint ``{base}/opportunities/:id/resumes/:resume/download`` (read with the
    API's own credentials: it is on the API's origin)."""
    dated: list[tuple[float, int, RemoteDocument]] = []
    seen: set[str] = set()
    for index, raw in enumerate(resumes):
        record = lenient.mapping(raw)
        resume_id = lenient.identifier(record.get("id"))
        file = lenient.mapping(record.get("file"))
        url = _clip(file.get("downloadUrl"), lenient.URL_LIMIT)
        if not url or not url.startswith(("https://", "http://")):
            if not resume_id:
                continue
            url = (
                f"{base_url.rstrip('/')}/opportunities/{opportunity_id}"
                f"/resumes/{resume_id}/download"
            )
            if len(url) > lenient.URL_LIMIT:
                continue
        if url in seen:
            continue
        seen.add(url)
        created = _ms(record.get("createdAt")) or _ms(file.get("uploadedAt"))
        document = RemoteDocument(
            url=url, name=_clip(file.get("name"), lenient.NAME_LIMIT), kind="resume"
        )
        dated.append((-(created.timestamp() if created else 0.0), index, document))
    dated.sort(key=lambda entry: (entry[0], entry[1]))
    return tuple(document for _, _, document in dated)[:50]


def candidate_from_raw(raw: object, documents: Sequence[RemoteDocument] = ()) -> RemoteCandidate:
    """``{"id": "250d8f03-...", "contact": "7f23e772-...", "name": "Shane Smith",
    "headline": "Brickly LLC, ...", "emails": ["shane@example.com"], "phones":
    [{"type": "mobile", "value": "(123) 456-7891"}], "location": "Oakland",
    "tags": [...], "sources": [...], "createdAt": ..., "updatedAt": ...}`` -> the
    contact as a ``RemoteCandidate`` (id: ``contact``, else the opportunity's own).
    ``documents`` are the opportunity's resumes, newest first; the first is the resume."""
    record = lenient.record(raw, "candidates")
    remote_id = contact_id(record) or lenient.record_id(record, "candidates")
    email = next(
        (found for found in map(lenient.email, lenient.items(record.get("emails"))) if found), None
    )
    name = _clip(record.get("name"), lenient.NAME_LIMIT)
    first, _, last = (name or "").partition(" ")
    phone = lenient.first_text(lenient.items(record.get("phones")), "value")
    return RemoteCandidate(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=_ms(record.get("updatedAt")),
        name=name or email or remote_id,
        first_name=_clip(first, lenient.NAME_LIMIT),
        last_name=_clip(last, lenient.NAME_LIMIT),
        email=email,
        phone=lenient.whole(phone, lenient.PHONE_LIMIT),
        location=_clip(record.get("location"), lenient.NAME_LIMIT, "name"),
        headline=_clip(record.get("headline"), lenient.NAME_LIMIT),
        source=_clip(lenient.first_text(lenient.items(record.get("sources"))), lenient.SOURCE_LIMIT)
        or _clip(record.get("origin"), lenient.SOURCE_LIMIT),
        resume_url=documents[0].url if documents else None,
        tags=tuple(dict.fromkeys(tag[:TAG_LIMIT] for tag in lenient.texts(record.get("tags")))),
        created_at=_ms(record.get("createdAt")),
        documents=tuple(documents),
    )


# opportunities: applications


def posting_id(record: Mapping[str, Any]) -> str | None:
    """The posting an opportunity is for: its first application's ``posting``
    (``expand=applications``), else a top-level ``posting``/``postingId``."""
    for application in lenient.objects(record.get("applications")):
        found = lenient.identifier(application.get("posting"))
        if found:
            return found
    return lenient.identifier(record.get("posting")) or lenient.identifier(record.get("postingId"))


def _stage_name(value: object, stages: Mapping[str, str]) -> str | None:
    if isinstance(value, Mapping):
        named = _clip(value, lenient.SHORT_LIMIT, "text", "name")
        if named:
            return named
    stage_id = lenient.identifier(value)
    return stages.get(stage_id) if stage_id else None


def _transitions(
    record: Mapping[str, Any], stages: Mapping[str, str]
) -> tuple[RemoteStageTransition, ...]:
    """``stageChanges`` (``[{"toStageId": ..., "updatedAt": ..., "userId": ...}]``) in
    time order, each leaving the one before; changes to an unknown stage or without a
    time are skipped."""
    changes: list[tuple[Any, int, str, str | None]] = []
    for index, change in enumerate(lenient.objects(record.get("stageChanges"))):
        moment = _ms(change.get("updatedAt"))
        name = _stage_name(change.get("toStageId"), stages)
        if moment is None or name is None:
            continue
        changes.append((moment, index, name, lenient.identifier(change.get("userId"))))
    changes.sort(key=lambda c: (c[0], c[1]))
    found: list[RemoteStageTransition] = []
    for position, (moment, _, name, user) in enumerate(changes):
        left = changes[position + 1][0] if position + 1 < len(changes) else None
        found.append(
            RemoteStageTransition(
                to_stage=name,
                entered_at=moment,
                from_stage=found[-1].to_stage if found else None,
                left_at=left,
                moved_by=RemotePerson(remote_id=user) if user else None,
            )
        )
    return tuple(found)


def application_from_raw(
    raw: object,
    stages: Mapping[str, str] | None = None,
    archive_reasons: Mapping[str, tuple[str, str]] | None = None,
) -> RemoteApplication:
    """An opportunity as the application of its contact to its posting. ``stages``
    names stage ids; ``archive_reasons`` maps a reason id to ``(text, status)`` where
    status is Lever's ``hired`` or ``non-hired``. Archived for a hired reason is
    ``hired``; for any other, ``rejected`` with the reason's text. An opportunity for
    no posting (a sourced lead) is no application to a job and fails as such."""
    record = lenient.record(raw, "applications")
    remote_id = lenient.record_id(record, "applications")
    job_id = lenient.required(posting_id(record), "a posting", entity="applications", raw=record)
    candidate = lenient.required(contact_id(record), "a contact", entity="applications", raw=record)
    stage_map = stages or {}
    archived = record.get("archived")
    archived = archived if isinstance(archived, Mapping) else {}
    reason_id = lenient.identifier(archived.get("reason"))
    archived_at = _ms(archived.get("archivedAt"))
    status: ApplicationState = "active"
    reason_text: str | None = None
    if archived and (reason_id or archived_at):
        text, kind = (archive_reasons or {}).get(reason_id or "", (None, None))
        reason_text = text or _clip(archived.get("reason"), 255, "text")
        status = "hired" if kind == "hired" else "rejected"
    transitions = _transitions(record, stage_map)
    current = _stage_name(record.get("stage"), stage_map)
    return RemoteApplication(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=_ms(record.get("updatedAt")),
        job_remote_id=job_id,
        candidate_remote_id=candidate,
        status=status,
        current_stage=current,
        applied_at=_ms(record.get("createdAt")),
        rejected_at=archived_at if status == "rejected" else None,
        rejection_reason=reason_text if status == "rejected" else None,
        transitions=transitions,
    )


def archive_reason_map(raws: Sequence[Any]) -> dict[str, tuple[str, str]]:
    """``GET /archive_reasons`` (``[{"id": ..., "text": "Hired", "status": "hired"}]``)
    as id -> (text, status)."""
    found: dict[str, tuple[str, str]] = {}
    for raw in raws:
        record = lenient.mapping(raw)
        reason_id = lenient.identifier(record.get("id"))
        text = _clip(record.get("text"), 255)
        if reason_id and text:
            found[reason_id] = (text, (lenient.text(record.get("status")) or "").lower())
    return found


# interviews


def interview_from_raw(raw: object, opportunity_id: str | None = None) -> RemoteInterview:
    """``GET /opportunities/:id/interviews`` entries: ``{"id": ..., "subject": "On-site
    interview", "date": 1423187000000, "duration": 60, "interviewers": [{"id": ...}],
    "canceledAt": null}``; the opportunity is the application."""
    record = lenient.record(raw, "interviews")
    remote_id = lenient.record_id(record, "interviews")
    interviewer = lenient.dig(lenient.objects(record.get("interviewers")), 0)
    canceled = record.get("canceledAt")
    return RemoteInterview(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=_ms(record.get("updatedAt")) or _ms(record.get("createdAt")),
        application_remote_id=opportunity_id
        or lenient.identifier(record.get("opportunityId"))
        or lenient.identifier(record.get("opportunity")),
        interview_type=_clip(record.get("subject"), lenient.SHORT_LIMIT),
        status="cancelled" if canceled not in (None, False, "", 0) else "scheduled",
        scheduled_at=_ms(record.get("date")),
        interviewer_remote_id=lenient.identifier(interviewer),
    )


# users


def user_from_raw(raw: object) -> RemoteUser:
    """``{"id": "...", "name": "Chandler Bing", "email": "chandler@example.com",
    "accessRole": "super admin", ...}``."""
    record = lenient.record(raw, "users")
    remote_id = lenient.record_id(record, "users")
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=_ms(record.get("updatedAt")) or _ms(record.get("createdAt")),
        email=lenient.email(record.get("email")),
        name=_clip(record.get("name"), lenient.NAME_LIMIT),
        role=_clip(record.get("accessRole"), lenient.SHORT_LIMIT),
    )
