"""Jobvite v2 rows as talentgraph's models: requisitions, and the person and the
application of a candidate row (with its recruiter and resume link).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from connectors.custom_fields import custom_fields
from connectors.errors import MappingError
from connectors.jobvite.payloads import JobviteCandidateRaw, JobviteJobRaw
from connectors.jobvite.workflow import application_state, job_state
from connectors.lenient import (
    first_text,
    identifier,
    items,
    mapping,
    objects,
    required,
    text,
    timestamp,
)
from connectors.models import RemoteApplication, RemoteCandidate, RemoteDocument, RemoteJob


def custom_fields_of(holder: Mapping[str, Any]) -> dict[str, Any]:
    """``customField: [{"fieldCode": "costCenter", "value": "CC-12"}]`` (a requisition's,
    a candidate's or an application's) -> ``{"costCenter": "CC-12"}``."""
    return custom_fields(holder.get("customField"), names=("fieldCode", "name", "label"))


UNTITLED = "(untitled)"
"""The title of a requisition that has none: it is still a requisition (applications
point at it), so it is kept under this name rather than failed."""


def _record(raw: object, entity: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MappingError(f"a Jobvite {entity} row that is not an object", entity=entity)
    return raw


def _join(*parts: object) -> str | None:
    return ", ".join(p for p in (text(part) for part in parts) if p) or None


def _ms(value: object) -> datetime | None:
    """Jobvite's dates: epoch milliseconds (also as digit strings); ISO text is read too."""
    return timestamp(value, epoch_unit="ms")


def _user_id(user: object) -> str | None:
    """A Jobvite user's ``userId``; where only a login is given, its email (``userName``
    or ``email``). A bare string is taken as whichever of the two it is; one with
    spaces is a display name, not a user."""
    if isinstance(user, Mapping):
        found = identifier(user.get("userId")) or identifier(user.get("id"))
        if found is None:
            found = identifier(user.get("eId"))
        if found is not None:
            return found
        for key in ("email", "userName"):
            login = text(user.get(key))
            if login and "@" in login:
                return login[:255]
        return None
    found = identifier(user) if isinstance(user, str) else None
    return found if found and not any(c.isspace() for c in found) else None


def recruiter_of(raw: Mapping[str, Any]) -> str | None:
    """The requisition's recruiter: ``primaryRecruiter``, else the first of ``recruiters``
    that names someone. Hiring managers are not recruiters and are left in ``raw``."""
    for user in (raw.get("primaryRecruiter"), *items(raw.get("recruiters"))):
        found = _user_id(user)
        if found:
            return found
    return None


def recruiter_email_of(raw: Mapping[str, Any]) -> str | None:
    """The login email of the recruiter ``recruiter_of`` names, where the row gives one."""
    for user in (raw.get("primaryRecruiter"), *items(raw.get("recruiters"))):
        if _user_id(user) is None:
            continue
        if isinstance(user, Mapping):
            for key in ("email", "userName"):
                login = text(user.get(key))
                if login and "@" in login and len(login) <= 320:
                    return login
        return None
    return None


def job_from_raw(raw: JobviteJobRaw | Mapping[str, Any]) -> RemoteJob:
    """A requisition: ``jobState`` "Filled" -> ``status="closed"``, ``remote_status="Filled"``;
    ``primaryRecruiter.userId`` -> ``recruiter_remote_id``."""
    row = _record(raw, "jobs")
    remote_status = text(row.get("jobState"))
    return RemoteJob(
        remote_id=required(identifier(row.get("eId")), "an eId", entity="jobs", raw=row),
        raw=row,
        remote_updated_at=_ms(row.get("lastUpdatedDate")),
        title=text(row.get("title")) or UNTITLED,
        status=job_state(remote_status),
        remote_status=remote_status,
        description=text(row.get("description")) or text(row.get("briefDescription")),
        location=text(row.get("location"), "name", "city")
        or _join(row.get("locationCity"), row.get("locationState"), row.get("locationCountry")),
        department=text(row.get("department")) or text(row.get("category")),
        employment_type=text(row.get("jobType")),
        client_name=text(row.get("company")),
        opened_at=_ms(row.get("createdDate")),
        recruiter_remote_id=recruiter_of(row),
        recruiter_email=recruiter_email_of(row),
        custom_fields=custom_fields_of(row),
    )


def _candidate_updated_at(row: Mapping[str, Any]) -> datetime | None:
    application = mapping(row.get("application"))
    moments = [
        moment
        for moment in (_ms(row.get("lastUpdatedDate")), _ms(application.get("lastUpdatedDate")))
        if moment is not None
    ]
    return max(moments, default=None)


_URL_KEYS = ("url", "link", "href", "downloadUrl", "fileUrl", "resumeUrl")
_RESUME_WORDS = ("resume", "résumé", "cv", "curriculum")


def web_url(value: object, *keys: str) -> str | None:
    """An absolute ``http(s)`` URL of at most 2048 characters, from a string or the first
    of ``keys`` of an object; anything else ``None``."""
    if isinstance(value, Mapping):
        for key in keys or _URL_KEYS:
            found = web_url(value.get(key))
            if found:
                return found
        return None
    candidate = text(value, limit=2049)
    if candidate is None or len(candidate) > 2048 or any(c.isspace() for c in candidate):
        return None
    parts = urlsplit(candidate) if candidate.isascii() else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def _is_resume(attachment: Mapping[str, Any]) -> bool:
    label = " ".join(
        found
        for found in (text(attachment.get(key)) for key in ("type", "category", "name", "title"))
        if found
    ).lower()
    return any(word in label for word in _RESUME_WORDS)


def resume_url_of(row: Mapping[str, Any]) -> str | None:
    """The candidate's resume link. Jobvite documents none publicly, so this reads the
    shapes integrations meet: ``resumeUrl``; ``resume`` as a URL or ``{url|link|href}``;
    and ``attachments``/``artifacts`` (of the candidate or its application), preferring
    one whose type or name says resume/CV. ``None`` when no http(s) link is given
    (attachments sent inline as base64 have none)."""
    application = mapping(row.get("application"))
    for holder in (row, application):
        for key in ("resumeUrl", "resumeURL", "resume_url", "resume"):
            found = web_url(holder.get(key))
            if found:
                return found
    attachments = [
        attachment
        for holder in (row, application)
        for key in ("attachments", "artifacts")
        for attachment in objects(holder.get(key))
    ]
    ranked = sorted(attachments, key=lambda attachment: not _is_resume(attachment))
    for attachment in ranked:
        found = web_url(attachment)
        if found:
            return found
    return None


MAX_DOCUMENTS = 50


def documents_of(row: Mapping[str, Any]) -> tuple[RemoteDocument, ...]:
    """Every attachment of the candidate row (and of its application) with an http(s)
    link, in the order given, once per link; at most ``MAX_DOCUMENTS``. Jobvite documents
    no attachment shape publicly, so this reads the ones ``resume_url_of`` reads:
    ``attachments``/``artifacts`` entries with ``url|link|href|downloadUrl|fileUrl``, a
    ``name``/``fileName``/``title``, a ``type``/``category`` and a ``contentType``/
    ``mimeType``. An entry without a link (an inline base64 file) is skipped, never the
    record."""
    application = mapping(row.get("application"))
    found: dict[str, RemoteDocument] = {}
    for holder in (row, application):
        for key in ("attachments", "artifacts"):
            for attachment in objects(holder.get(key)):
                url = web_url(attachment)
                if url is None or url in found or len(found) >= MAX_DOCUMENTS:
                    continue
                found[url] = RemoteDocument(
                    url=url,
                    name=text(attachment.get("name"), limit=255)
                    or text(attachment.get("fileName"), limit=255)
                    or text(attachment.get("title"), limit=255),
                    kind=text(attachment.get("type"), limit=64)
                    or text(attachment.get("category"), limit=64),
                    content_type=text(attachment.get("contentType"), limit=128)
                    or text(attachment.get("mimeType"), limit=128),
                )
    return tuple(found.values())


def candidate_from_raw(raw: JobviteCandidateRaw | Mapping[str, Any]) -> RemoteCandidate:
    """The person of a candidate row (its application is ``application_from_raw``'s)."""
    row = _record(raw, "candidates")
    remote_id = required(identifier(row.get("eId")), "an eId", entity="candidates", raw=row)
    first, last = text(row.get("firstName")), text(row.get("lastName"))
    email = text(row.get("email"), "email", "value")
    application = mapping(row.get("application"))
    return RemoteCandidate(
        remote_id=remote_id,
        raw=row,
        remote_updated_at=_candidate_updated_at(row),
        name=" ".join(p for p in (first, last) if p) or email or remote_id,
        first_name=first,
        last_name=last,
        email=email,
        phone=first_text(
            (row.get("mobile"), row.get("homePhone"), row.get("workPhone")), "number", "value"
        ),
        location=text(row.get("location"), "name", "city")
        or _join(row.get("city"), row.get("state"), row.get("country")),
        headline=_join(row.get("title"), row.get("companyName")),
        source=text(application.get("source")) or text(application.get("jobviteChannel")),
        resume_url=resume_url_of(row),
        custom_fields=custom_fields_of(row),
        documents=documents_of(row),
    )


def application_from_raw(
    raw: JobviteCandidateRaw | Mapping[str, Any],
) -> RemoteApplication | None:
    """The application a candidate row carries, ``None`` for a person without one."""
    row = _record(raw, "applications")
    application = row.get("application")
    if not application:
        return None
    if not isinstance(application, Mapping):
        raise MappingError(
            "a candidate row whose application is not an object",
            entity="applications",
            remote_id=identifier(row.get("eId")),
        )
    remote_id = required(
        identifier(application.get("eId")), "an eId", entity="applications", raw=application
    )

    def needed(value: str | None, what: str) -> str:
        if value is None:
            raise MappingError(
                f"application without {what}", entity="applications", remote_id=remote_id
            )
        return value

    workflow_state = text(application.get("workflowState"))
    state = application_state(workflow_state)
    return RemoteApplication(
        remote_id=remote_id,
        raw=row,
        remote_updated_at=_ms(application.get("lastUpdatedDate")),
        job_remote_id=needed(identifier(application.get("job")), "a job eId"),
        candidate_remote_id=needed(identifier(row.get("eId")), "a candidate eId"),
        status=state,
        current_stage=workflow_state,
        applied_at=_ms(application.get("sentDate")),
        rejection_reason=text(application.get("disposition")) if state == "rejected" else None,
        custom_fields=custom_fields_of(application),
    )
