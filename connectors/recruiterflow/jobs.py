"""Recruiterflow jobs as ``RemoteJob``: their state, fee and owning recruiter."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from connectors import lenient
from connectors.custom_fields import custom_fields
from connectors.models import JobState, RemoteJob, RemotePerson
from connectors.recruiterflow.fields import (
    FEE_LIMIT,
    NAME_LIMIT,
    PLACE_LIMIT,
    STATUS_LIMIT,
    TITLE_LIMIT,
    TYPE_LIMIT,
    changed_at,
    clip,
    currency_of,
    email_of,
    id_of,
    parse_decimal,
    parse_time,
    person_of,
    record_of,
)

UNTITLED = "(untitled)"
"""The title of a job the API sends without a name."""


# First word found in a status name decides (``"inactive"`` before ``"active"``).
_JOB_STATUS_WORDS: tuple[tuple[str, JobState], ...] = (
    ("draft", "draft"),
    ("hold", "on_hold"),
    ("pause", "on_hold"),
    ("archiv", "archived"),
    ("inactive", "closed"),
    ("close", "closed"),
    ("fill", "closed"),
    ("cancel", "closed"),
    ("lost", "closed"),
    ("placed", "closed"),
    ("open", "open"),
    ("active", "open"),
    ("sourcing", "open"),
)


def job_status_name(raw: object) -> str | None:
    """The status as Recruiterflow names it: ``status`` (text or ``{"name"}``), else the
    account-defined ``job_status.name``."""
    record = lenient.mapping(raw)
    return clip(record.get("status"), STATUS_LIMIT, "name") or clip(
        record.get("job_status"), STATUS_LIMIT, "name"
    )


def job_state(raw: object) -> JobState:
    """``{"is_open": false, "job_status": {"name": "On Hold"}}`` -> ``"on_hold"``.

    A status name that says draft/hold/archived/closed wins; otherwise ``is_open``
    decides, and an unknown status on an open job is ``"open"``."""
    name = (job_status_name(raw) or "").lower().replace("_", " ")
    mapped = next((state for word, state in _JOB_STATUS_WORDS if word in name), None)
    if lenient.boolean(lenient.mapping(raw).get("is_open")) is False and mapped in (None, "open"):
        return "closed"
    return mapped or "open"


def job_custom_field(raw: object, name: str) -> Any:
    """The value of the job custom field called ``name`` (case-insensitive), or ``None``."""
    wanted = name.strip().lower()
    for field in lenient.objects(lenient.mapping(raw).get("custom_fields")):
        if (lenient.text(field.get("name")) or "").lower() == wanted:
            return field.get("value")
    return None


def job_fee(raw: object, fee_field: str | None = None) -> tuple[Decimal | None, str | None]:
    """Estimated fee and its currency: the custom field ``fee_field`` when configured,
    else ``fee``, else ``expected_fee`` (contingent and retained jobs)."""
    record = lenient.mapping(raw)
    if fee_field:
        value = job_custom_field(record, fee_field)
    else:
        value = record.get("fee")
        if value is None:
            value = record.get("expected_fee")
    amount = parse_decimal(value)
    if amount is None or abs(amount) >= FEE_LIMIT:
        return None, None
    currency = value.get("currency") if isinstance(value, Mapping) else None
    return amount, currency_of(currency) or currency_of(record.get("salary_range_currency"))


_OWNER_FIELDS = ("owner", "job_owner", "recruiter", "owner_id", "recruiter_id")


def _team_member(value: object) -> RemotePerson | None:
    """A ``hiring_team`` entry: ``{"user_id": 10447, "email": ..., "role": "Recruiter"}``
    as read, or ``{"id": <role id>, "values": [{"user_id": 3}]}`` as job create takes it."""
    member = lenient.mapping(value)
    user_id = id_of(member.get("user_id"))
    if user_id is None and "values" in member:
        user_id = id_of(lenient.dig(lenient.objects(member["values"]), 0, "user_id"))
    elif user_id is None:
        user_id = id_of(member.get("id"))
    if user_id is None and email_of(member.get("email")) is None:
        return None
    return RemotePerson(
        remote_id=user_id,
        name=clip(member.get("name"), NAME_LIMIT)
        or clip(
            " ".join(
                part
                for part in (
                    lenient.text(member.get("first_name")),
                    lenient.text(member.get("last_name")),
                )
                if part
            ),
            NAME_LIMIT,
        ),
        email=email_of(member.get("email")),
    )


def _role(value: object) -> str:
    return (lenient.text(lenient.mapping(value).get("role"), "name") or "").lower()


def job_recruiter(raw: object) -> tuple[RemotePerson | None, str | None]:
    """Who owns the job, and the field that said so.

    The spec documents no owner field on jobs; it documents ``hiring_team`` (``user_id``,
    ``email``, ``role``) on job reads and ``created_by`` (``id``, ``email``) on job search.
    In that order of preference: an explicit ``owner``/``job_owner``/``recruiter`` (an
    object or a user id), a hiring-team member whose role says owner, then one whose role
    says recruiter, then the first member, then whoever created the job. A person with a
    user id wins over one known only by email; an email missing on the one chosen is
    taken from another entry with the same user id."""
    record = lenient.mapping(raw)
    team = [
        (person, _role(member))
        for member in lenient.items(record.get("hiring_team"))
        if (person := _team_member(member)) is not None
    ]
    ranked: list[tuple[RemotePerson | None, str]] = [
        (_team_member(value) if isinstance(value, Mapping) else person_of(value), key)
        for key in _OWNER_FIELDS
        if (value := record.get(key)) is not None
    ]
    ranked += [(person, "hiring_team") for person, role in team if "owner" in role]
    ranked += [(person, "hiring_team") for person, role in team if "recruiter" in role]
    ranked += [(person, "hiring_team") for person, _ in team[:1]]
    ranked.append((person_of(record.get("created_by")), "created_by"))
    found = [(person, source) for person, source in ranked if person is not None]
    chosen = next(((p, s) for p, s in found if p.remote_id), None)
    chosen = chosen or next(((p, s) for p, s in found if p.email), None)
    if chosen is None:
        return None, None
    person, source = chosen
    if person.email is None:
        everyone = [p for p, _ in found] + [p for p, _ in team]
        email = next(
            (p.email for p in everyone if p.remote_id == person.remote_id and p.email), None
        )
        person = RemotePerson(remote_id=person.remote_id, name=person.name, email=email)
    return person, source


def job_from_raw(raw: object, *, fee_field: str | None = None) -> RemoteJob:
    """``{"id": 1, "name": "Staging Job 1", "company": {"name": "Guarented I"}, ...}`` ->
    ``RemoteJob(remote_id="1", title="Staging Job 1", client_name="Guarented I", ...)``.

    Only an id is required: a job without a name is still a job its candidates are in,
    so it is titled ``"(untitled)"`` rather than failed. The recruiter found by
    ``job_recruiter`` is also written to ``raw["recruiter"]`` (``id``, ``email``,
    ``name``) unless the record has its own ``recruiter`` object, so the owner's email
    stays with the job for linking to a gateway user."""
    record = record_of(raw, "jobs", "job")
    remote_id = lenient.required(
        id_of(record.get("id")) or id_of(record.get("job_id")),
        "an id",
        entity="jobs",
        raw=record,
    )
    status = job_state(record)
    fee, currency = job_fee(record, fee_field)
    location = "; ".join(lenient.texts(record.get("locations"), "name", "city"))
    created = parse_time(record.get("created_at"))
    last_opened = parse_time(record.get("last_opened"))
    closed_on = parse_time(lenient.dig(record, "job_visibility_info", "closed_on"))
    recruiter, _ = job_recruiter(record)
    payload: Mapping[str, Any] = record
    if recruiter is not None and not isinstance(record.get("recruiter"), Mapping):
        payload = {
            **record,
            "recruiter": {
                "id": recruiter.remote_id,
                "email": recruiter.email,
                "name": recruiter.name,
            },
        }
    return RemoteJob(
        remote_id=remote_id,
        raw=payload,
        remote_updated_at=changed_at(record) or last_opened or created,
        title=clip(record.get("name"), TITLE_LIMIT)
        or clip(record.get("title"), TITLE_LIMIT)
        or UNTITLED,
        status=status,
        remote_status=job_status_name(record),
        description=lenient.text(record.get("about_position")),
        location=clip(location, PLACE_LIMIT),
        department=clip(record.get("department"), PLACE_LIMIT, "name"),
        employment_type=clip(record.get("employment_type"), TYPE_LIMIT, "name")
        or clip(record.get("job_type"), TYPE_LIMIT, "name"),
        client_name=clip(record.get("company"), PLACE_LIMIT, "name")
        or clip(record.get("client_company_name"), PLACE_LIMIT),
        opened_at=created or last_opened,
        closed_at=closed_on if status in ("closed", "archived") else None,
        estimated_fee=fee,
        currency=currency,
        recruiter_remote_id=recruiter.remote_id if recruiter else None,
        recruiter_email=recruiter.email if recruiter else None,
        custom_fields=custom_fields(record.get("custom_fields")),
    )
