"""Recruiterflow candidates as ``RemoteCandidate`` (their resume file found among
their files), and their activities as ``RemoteActivity``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors import lenient
from connectors.custom_fields import custom_fields
from connectors.models import RemoteActivity, RemoteCandidate
from connectors.recruiterflow.fields import (
    DEFAULT_BASE_URL,
    FULL_NAME_LIMIT,
    HEADLINE_LIMIT,
    NAME_LIMIT,
    PHONE_LIMIT,
    PLACE_LIMIT,
    SOURCE_LIMIT,
    STATUS_LIMIT,
    URL_LIMIT,
    changed_at,
    clip,
    email_of,
    first_of,
    id_of,
    parse_time,
    record_of,
    whole,
)

_FILE_TYPE_KEYS = ("type", "file_type", "category", "document_type", "kind")
_FILE_LINK_KEYS = ("link", "url", "file_url", "download_link", "download_url")


def _file_type(file: Mapping[str, Any]) -> str | None:
    return lenient.first_text((file.get(key) for key in _FILE_TYPE_KEYS), "name", "value")


def _is_resume(kind: str | None) -> bool:
    if not kind:
        return False
    lowered = kind.lower()
    return "resume" in lowered or "résumé" in lowered or "cv" in lowered.replace("-", " ").split()


def resolve_url(link: object, base_url: str = DEFAULT_BASE_URL) -> str | None:
    """``"https://s3.../10250.pdf"`` as given; ``"/api/external/document/get?id=3202"``
    joined to the API base; ``"//cdn.x/a.pdf"`` over https. Other schemes, text with
    spaces or control characters, and URLs too long to store are no URL."""
    text = lenient.text(link, limit=URL_LIMIT + 1) if isinstance(link, str) else None
    if not text or any(c.isspace() or unicodedata.category(c).startswith("C") for c in text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme:
        url = text if parts.scheme.lower() in ("http", "https") and parts.netloc else None
    else:
        url = f"{base_url.rstrip('/')}/{text.lstrip('/')}"
    return url if url is not None and len(url) <= URL_LIMIT else None


def candidate_resume(raw: object, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any] | None:
    """The candidate's resume file: ``{"id", "filename", "type", "link", "url"}`` (``url``
    absolute), or ``None``.

    The spec's candidate ``files`` carry ``id``, ``filename`` and ``link`` but no type.
    A file typed as a resume (or CV) wins; then a ``resume`` field on the candidate (a
    link or a file object); then the first file that names no type at all, which is how
    the spec's example resume is listed. A file typed as something else is never taken."""
    record = lenient.mapping(raw)
    files = lenient.objects(record.get("files"))
    resume = record.get("resume")
    resume_files = [resume] if isinstance(resume, Mapping) else []
    choices = [
        *(f for f in files if _is_resume(_file_type(f)) or lenient.boolean(f.get("is_resume"))),
        *resume_files,
        *(
            f
            for f in files
            if _file_type(f) is None and lenient.boolean(f.get("is_resume")) is not False
        ),
    ]
    for file in choices:
        link = lenient.first_text(file.get(key) for key in _FILE_LINK_KEYS)
        url = resolve_url(link, base_url)
        if url is not None:
            return {
                "id": id_of(file.get("id")) or id_of(file.get("file_id")),
                "filename": clip(file.get("filename"), NAME_LIMIT)
                or clip(file.get("file_name"), NAME_LIMIT)
                or clip(file.get("name"), NAME_LIMIT),
                "type": _file_type(file),
                "link": link,
                "url": url,
            }
    if not isinstance(resume, Mapping):
        url = resolve_url(resume, base_url)
        if url is not None:
            return {"id": None, "filename": None, "type": "resume", "link": resume, "url": url}
    return None


def _candidate_location(value: object) -> str | None:
    """``{"location": "London, UK"}``, else its city, state and country; a string is the
    place itself."""
    if not isinstance(value, Mapping):
        return clip(value, PLACE_LIMIT)
    parts = (lenient.text(value.get(key)) for key in ("city", "state", "country"))
    return clip(value.get("location"), PLACE_LIMIT) or clip(
        ", ".join(part for part in parts if part), PLACE_LIMIT
    )


def candidate_from_raw(raw: object, *, base_url: str = DEFAULT_BASE_URL) -> RemoteCandidate:
    """``{"id": 154651, "name": "Sumit Neogi", "phone_number": ["23432443"], ...}`` ->
    ``RemoteCandidate(remote_id="154651", name="Sumit Neogi", phone="23432443", ...)``.

    The resume chosen by ``candidate_resume`` is ``resume_url`` (relative links joined to
    ``base_url``) and is also written to ``raw["resume_file"]``, name and type included."""
    record = record_of(raw, "candidates", "candidate")
    remote_id = lenient.required(
        id_of(record.get("id")) or id_of(record.get("prospect_id")),
        "an id",
        entity="candidates",
        raw=record,
    )
    first, last = (
        clip(record.get("first_name"), NAME_LIMIT),
        clip(record.get("last_name"), NAME_LIMIT),
    )
    designation = lenient.text(record.get("current_designation"), "name", "title")
    organization = lenient.text(record.get("current_organization"), "name")
    headline = " at ".join(part for part in (designation, organization) if part)
    added = parse_time(record.get("added_time"))
    resume = candidate_resume(record, base_url)
    payload: Mapping[str, Any] = record
    if resume is not None and "resume_file" not in record:
        payload = {**record, "resume_file": resume}
    return RemoteCandidate(
        remote_id=remote_id,
        raw=payload,
        remote_updated_at=changed_at(record)
        or parse_time(record.get("latest_activity_time"))
        or added,
        name=clip(record.get("name"), FULL_NAME_LIMIT)
        or clip(" ".join(p for p in (first, last) if p), FULL_NAME_LIMIT)
        or "",
        first_name=first,
        last_name=last,
        email=email_of(first_of(record.get("email"), "email")),
        phone=whole(first_of(record.get("phone_number"), "phone_number"), PHONE_LIMIT),
        location=_candidate_location(record.get("location")),
        headline=clip(headline, HEADLINE_LIMIT),
        source=clip(record.get("source_name"), SOURCE_LIMIT)
        or clip(record.get("source"), SOURCE_LIMIT, "name"),
        resume_url=resume["url"] if resume else None,
        tags=lenient.texts(record.get("tags"), "name"),
        created_at=added,
        custom_fields=custom_fields(record.get("custom_fields")),
    )


def activity_from_raw(raw: object, candidate_remote_id: str | None = None) -> RemoteActivity:
    """``{"activity_id": 1000, "type": {"name": "Added to job"}, "text": ...}`` ->
    ``RemoteActivity(remote_id="1000", kind="Added to job", ...)``. An activity read for
    ``candidate_remote_id`` that names no candidate is that candidate's."""
    record = record_of(raw, "activities", "activity")
    remote_id = lenient.required(
        id_of(record.get("activity_id")) or id_of(record.get("id")),
        "an activity_id",
        entity="activities",
        raw=record,
    )
    occurred = parse_time(record.get("time"))
    return RemoteActivity(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=occurred,
        kind=clip(record.get("type"), STATUS_LIMIT, "name") or "activity",
        description=lenient.text(record.get("text")) or lenient.text(record.get("subject")),
        occurred_at=occurred,
        candidate_remote_id=id_of(record.get("candidate_id")) or candidate_remote_id,
        job_remote_id=id_of(record.get("job_id")),
    )
