"""How one BPOC value is read: times, ids, status keys, currencies, people and web
addresses (every one through ``connectors.lenient``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from connectors.custom_fields import custom_fields
from connectors.errors import MappingError
from connectors.lenient import identifier, required, text, timestamp
from connectors.models import RemotePerson

UNTITLED = "(untitled)"
"""The title of a job or onboarding task BPOC sends without one: the record is kept
(its applications and candidates still need it), the gap is visible."""


def parse_time(value: object) -> datetime | None:
    """``"2024-02-01T10:00:00Z"`` -> ``datetime(2024, 2, 1, 10, tzinfo=UTC)``; a time
    without an offset is UTC, epoch seconds or milliseconds are read too, anything
    unreadable is ``None``."""
    return timestamp(value)


def format_time(moment: datetime) -> str:
    """``datetime(2024, 2, 1, 10, tzinfo=UTC)`` -> ``"2024-02-01T10:00:00Z"`` (naive is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def record_of(raw: object, entity: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MappingError(f"{entity} record is {type(raw).__name__}, not an object", entity=entity)
    return raw


def required_id(raw: Mapping[str, Any], entity: str) -> str:
    return required(identifier(raw.get("id")), "an id", entity=entity, raw=raw)


def full_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def status_key(value: object) -> str:
    """``"Under Review"``, ``"under-review"`` -> ``"under_review"``: how statuses are looked up."""
    return (
        (text(value, "id", "code", "name", "value") or "")
        .lower()
        .replace(" ", "_")
        .replace("-", "_")
    )


def currency_of(value: object) -> str | None:
    code = text(value, "code", "currency", "name")
    return code.upper() if code and len(code) == 3 and code.isalpha() else None


def person_of(value: object) -> RemotePerson | None:
    """Who acted: a recruiter UUID, or an object with its id, name or email."""
    if isinstance(value, Mapping):
        first = text(value.get("firstName"), limit=255)
        person = RemotePerson(
            remote_id=identifier(value),
            name=text(value.get("name"), limit=255)
            or full_name(first, text(value.get("lastName"), limit=255))
            or None,
            email=text(value.get("email"), limit=320),
        )
        return person if person.remote_id or person.name or person.email else None
    remote_id = identifier(value)
    return RemotePerson(remote_id=remote_id) if remote_id else None


def web_url(value: object, base_url: str | None) -> str | None:
    """An ``http(s)`` address, or a path on BPOC's host (``"/resumes/x.pdf"``) made
    absolute with ``base_url``. Other schemes (``javascript:``...) and addresses longer
    than the store keeps are dropped rather than cut into a wrong link."""
    found = text(value, "url", "fileUrl", "downloadUrl", "href", "resumeUrl")
    if not found or len(found) > 2048 or any(c.isspace() for c in found):
        return None
    if found.startswith("/") and not found.startswith("//") and base_url:
        found = urljoin(base_url, found)
    scheme, _, rest = found.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or len(found) > 2048:
        return None
    return found


def custom_fields_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """A job's, candidate's or application's ``customFields``: an object of name to value
    (``{"shift": "night"}``) or a list of ``{"name"|"key", "value"}``."""
    return custom_fields(record.get("customFields"), names=("name", "key", "label"))
