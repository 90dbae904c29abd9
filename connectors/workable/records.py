"""Workable records as the common model: jobs (keyed by shortcode), stages, candidates
with their resume, applications with their stage moves, interviews (events) and
members (users).

A Workable "candidate" is one person in one job: it has a ``job`` (``{"shortcode":
...}``), a ``stage`` and a ``disqualified`` flag. So the same record is read twice
here: as the person (``candidate_from_raw``) and as their application to that job
(``application_from_raw``), both under the candidate's id. Read leniently
(``connectors.lenient``): a record without an id (a job without a shortcode, an
application without a job) raises ``MappingError``; anything else missing is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors import lenient
from connectors.models import (
    ApplicationState,
    InterviewState,
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

MOVE_ACTIONS = frozenset({"moved", "move", "stage_changed"})
"""Activity ``action`` values that record a stage move (with the new ``stage_name``)."""


def _id(value: object, entity: str, raw: Mapping[str, Any], what: str = "an id") -> str:
    found = lenient.identifier(value) if not isinstance(value, Mapping) else None
    return lenient.required(found, what, entity=entity, raw=raw)


def _clip(value: object, limit: int, *keys: str) -> str | None:
    return lenient.text(value, *keys, limit=limit)


def _url(value: object) -> str | None:
    url = _clip(value, lenient.URL_LIMIT)
    return url if url and url.startswith(("https://", "http://")) and " " not in url else None


def _name(record: Mapping[str, Any]) -> str | None:
    first = _clip(record.get("firstname"), lenient.NAME_LIMIT)
    last = _clip(record.get("lastname"), lenient.NAME_LIMIT)
    joined = " ".join(part for part in (first, last) if part)
    return _clip(record.get("name"), lenient.NAME_LIMIT) or _clip(joined, lenient.NAME_LIMIT)


def _location(value: object) -> str | None:
    """``{"location_str": "Athens, Greece", "city": ...}`` or plain text."""
    if isinstance(value, Mapping):
        parts = [lenient.text(value.get(key)) for key in ("city", "region", "country")]
        joined = ", ".join(part for part in parts if part)
        return _clip(value.get("location_str"), lenient.NAME_LIMIT) or _clip(
            joined, lenient.NAME_LIMIT
        )
    return _clip(value, lenient.NAME_LIMIT)


# jobs

_JOB_STATES: dict[str, JobState] = {
    "draft": "draft",
    "published": "open",
    "closed": "closed",
    "archived": "archived",
}


OWNER_ROLES = ("recruiter", "recruiting_admin", "hiring_manager", "admin")
"""Hiring-team roles (``collaboration_role``) in the order one is taken for the job's
owner; a member listed without one counts by an account ``role`` of ``recruiter``."""


def job_owner(members: Sequence[object]) -> tuple[str | None, str | None]:
    """The job's owner among ``GET /jobs/:shortcode/members``' hiring team, as (member
    id, email): its recruiter, else recruiting admin, hiring manager or admin."""
    team = [lenient.mapping(member) for member in members]

    def rank(member: Mapping[str, Any]) -> int:
        role = str(member.get("collaboration_role") or "").lower()
        if role in OWNER_ROLES:
            return OWNER_ROLES.index(role)
        if not role and str(member.get("role") or "").lower() == "recruiter":
            return 0
        return len(OWNER_ROLES)

    for member in sorted(team, key=rank):
        member_id = lenient.identifier(member.get("id"))
        if member_id is not None and rank(member) < len(OWNER_ROLES):
            return member_id, lenient.email(member.get("email"))
    return None, None


def job_from_raw(raw: object, members: Sequence[object] = ()) -> RemoteJob:
    """``{"shortcode": "GROOV005", "title": "Sales Intern", "state": "published",
    "department": "Sales", "location": {"location_str": ...}, ...}`` -> ``RemoteJob``
    keyed by its shortcode (the key every other endpoint names a job by); its owner from
    the job's hiring team (``members``, see ``job_owner``)."""
    record = lenient.record(raw, "jobs")
    shortcode = _id(record.get("shortcode"), "jobs", record, "a shortcode")
    owner_id, owner_email = job_owner(members)
    state_name = _clip(record.get("state"), lenient.SHORT_LIMIT)
    state = _JOB_STATES.get((state_name or "").lower(), "open")
    return RemoteJob(
        remote_id=shortcode,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        title=_clip(record.get("title"), lenient.TITLE_LIMIT)
        or _clip(record.get("full_title"), lenient.TITLE_LIMIT)
        or lenient.UNTITLED,
        status=state,
        remote_status=state_name,
        description=lenient.text(record.get("description"))
        or lenient.text(lenient.dig(record, "details", "description")),
        location=_location(record.get("location")),
        department=_clip(record.get("department"), lenient.TITLE_LIMIT),
        employment_type=_clip(record.get("employment_type"), lenient.SHORT_LIMIT),
        opened_at=lenient.timestamp(record.get("created_at")),
        closed_at=lenient.timestamp(record.get("closed_at")) if state == "closed" else None,
        recruiter_remote_id=owner_id,
        recruiter_email=owner_email,
    )


# stages

_STAGE_KINDS: dict[str, StageKind] = {
    "sourced": "applied",
    "applied": "applied",
    "shortlisted": "screen",
    "phone-screen": "screen",
    "phone_screen": "screen",
    "assessment": "interview",
    "interview": "interview",
    "offer": "offer",
    "hired": "hired",
}
_STAGE_WORDS: tuple[tuple[tuple[str, ...], StageKind], ...] = (
    (("reject", "disqualif"), "rejected"),
    (("hired",), "hired"),
    (("offer",), "offer"),
    (("interview", "assessment"), "interview"),
    (("screen", "shortlist"), "screen"),
    (("applied", "sourced"), "applied"),
)


def stage_kind(name: str, kind: str | None = None) -> StageKind:
    """Workable's own ``kind`` where it gives a known one, else a guess from the name."""
    if kind and kind.lower() in _STAGE_KINDS:
        return _STAGE_KINDS[kind.lower()]
    lowered = name.lower()
    for words, found in _STAGE_WORDS:
        if any(word in lowered for word in words):
            return found
    return "other"


def stages_from_raw(raws: Sequence[Any]) -> list[RemoteStage]:
    """``{"slug": "phone-screen", "name": "Phone Screen", "kind": "phone-screen",
    "position": 2}`` records in pipeline order (``position``, then as listed), one per
    name, keyed by slug (what a move names as ``target_stage``)."""
    ordered: list[tuple[int, int, str, str, str | None]] = []
    for index, raw in enumerate(raws):
        record = lenient.mapping(raw)
        name = _clip(record.get("name"), lenient.SHORT_LIMIT)
        slug = lenient.identifier(record.get("slug")) or lenient.identifier(record.get("id"))
        if not name or not slug:
            continue
        position = lenient.integer(record.get("position"))
        ordered.append(
            (
                position if position is not None and abs(position) < 10**9 else index,
                index,
                slug,
                name,
                lenient.text(record.get("kind"), limit=lenient.SHORT_LIMIT),
            )
        )
    seen: dict[str, RemoteStage] = {}
    for _, _, slug, name, kind in sorted(ordered):
        if name.lower() not in seen:
            seen[name.lower()] = RemoteStage(
                remote_id=slug, name=name, position=len(seen), kind=stage_kind(name, kind)
            )
    return list(seen.values())


# candidates


def _documents(record: Mapping[str, Any]) -> tuple[RemoteDocument, ...]:
    resume = _url(record.get("resume_url"))
    if resume is None:
        return ()
    metadata = lenient.mapping(record.get("resume_metadata"))
    return (
        RemoteDocument(
            url=resume,
            name=_clip(metadata.get("filename"), lenient.NAME_LIMIT),
            kind="resume",
            content_type=_clip(metadata.get("filetype"), lenient.SHORT_LIMIT),
        ),
    )


def candidate_from_raw(raw: object) -> RemoteCandidate:
    """``{"id": "ce4da98", "name": "Lakita Marrero", "email": ..., "phone": ...,
    "headline": ..., "resume_url": "https://...", "tags": ["python"], ...}`` (a list
    record merged with its ``GET /candidates/:id`` details) -> ``RemoteCandidate``."""
    record = lenient.record(raw, "candidates")
    remote_id = _id(record.get("id"), "candidates", record)
    email = lenient.email(record.get("email"))
    documents = _documents(record)
    return RemoteCandidate(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        name=_name(record) or email or remote_id,
        first_name=_clip(record.get("firstname"), lenient.NAME_LIMIT),
        last_name=_clip(record.get("lastname"), lenient.NAME_LIMIT),
        email=email,
        phone=lenient.whole(lenient.text(record.get("phone")), lenient.PHONE_LIMIT),
        location=_location(record.get("location"))
        or _clip(record.get("address"), lenient.NAME_LIMIT),
        headline=_clip(record.get("headline"), lenient.NAME_LIMIT),
        source=_clip(record.get("domain"), lenient.SOURCE_LIMIT),
        resume_url=documents[0].url if documents else None,
        tags=tuple(
            dict.fromkeys(tag[: lenient.TAG_LIMIT] for tag in lenient.texts(record.get("tags")))
        )[:200],
        created_at=lenient.timestamp(record.get("created_at")),
        documents=documents,
    )


# applications


def _person(value: object) -> RemotePerson | None:
    member = lenient.mapping(value)
    remote_id = lenient.identifier(member.get("id"))
    name = _clip(member.get("name"), lenient.NAME_LIMIT)
    if not remote_id and not name:
        return None
    return RemotePerson(remote_id=remote_id, name=name, email=lenient.email(member.get("email")))


def _moves(activities: Sequence[Any]) -> list[tuple[datetime, str, RemotePerson | None]]:
    """The stage moves among a candidate's activities, oldest first."""
    found: list[tuple[datetime, str, RemotePerson | None]] = []
    for raw in activities:
        activity = lenient.mapping(raw)
        action = (lenient.text(activity.get("action")) or "").lower()
        stage = _clip(activity.get("stage_name"), lenient.SHORT_LIMIT) or _clip(
            activity.get("target_stage"), lenient.SHORT_LIMIT, "name"
        )
        moment = lenient.timestamp(activity.get("created_at"))
        if action in MOVE_ACTIONS and stage and moment:
            found.append((moment, stage, _person(activity.get("member"))))
    found.sort(key=lambda move: move[0])
    return found


def _transitions(
    current: str | None,
    entered: datetime | None,
    moves: list[tuple[datetime, str, RemotePerson | None]],
) -> tuple[RemoteStageTransition, ...]:
    """Each move as a transition from the stage before; the current stage closes the
    history where the last move does not name it (activities are paged and may be cut
    short)."""
    steps = list(moves)
    closes = not steps or (
        steps[-1][1] != current and entered is not None and entered >= steps[-1][0]
    )
    if current and entered is not None and closes:
        steps.append((entered, current, None))
    transitions: list[RemoteStageTransition] = []
    for index, (moment, stage, mover) in enumerate(steps):
        left = steps[index + 1][0] if index + 1 < len(steps) else None
        transitions.append(
            RemoteStageTransition(
                to_stage=stage,
                entered_at=moment,
                from_stage=steps[index - 1][1] if index else None,
                left_at=left,
                moved_by=mover,
            )
        )
    return tuple(transitions)


def application_job_id(record: Mapping[str, Any]) -> str | None:
    job = record.get("job")
    if isinstance(job, Mapping):
        return lenient.identifier(job.get("shortcode"))
    return lenient.identifier(job) or lenient.identifier(record.get("shortcode"))


def application_from_raw(raw: object, activities: Sequence[Any] = ()) -> RemoteApplication:
    """A Workable candidate as its application to its job: ``{"id": "ce4da98", "job":
    {"shortcode": "GROOV005"}, "stage": "Interview", "disqualified": false, ...}`` with
    the candidate's activities (``GET /candidates/:id/activities``), whose ``moved``
    entries are the stage history. Disqualified is rejected (or withdrawn, where
    ``withdrew`` says so); ``hired_at`` is hired."""
    record = lenient.record(raw, "applications")
    remote_id = _id(record.get("id"), "applications", record)
    job_id = lenient.required(
        application_job_id(record), "a job", entity="applications", raw=record
    )
    current = _clip(record.get("stage"), lenient.SHORT_LIMIT, "name") or _clip(
        record.get("stage_name"), lenient.SHORT_LIMIT
    )
    disqualified = lenient.boolean(record.get("disqualified")) is True
    hired = lenient.timestamp(record.get("hired_at"))
    status: ApplicationState = "active"
    if disqualified:
        status = "withdrawn" if lenient.boolean(record.get("withdrew")) else "rejected"
    elif hired is not None or (current or "").lower() == "hired":
        status = "hired"
    created = lenient.timestamp(record.get("created_at"))
    updated = lenient.timestamp(record.get("updated_at"))
    moves = _moves(activities)
    return RemoteApplication(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=updated or created,
        job_remote_id=job_id,
        candidate_remote_id=remote_id,
        status=status,
        current_stage=current,
        applied_at=created,
        rejected_at=lenient.timestamp(record.get("disqualified_at")) if disqualified else None,
        rejection_reason=lenient.text(record.get("disqualification_reason"), limit=1000)
        if disqualified
        else None,
        transitions=_transitions(
            current, (moves[-1][0] if moves else None) or updated or created, moves
        ),
    )


# interviews (events)


def interview_from_raw(raw: object, *, now: datetime | None = None) -> RemoteInterview:
    """``{"id": "1a2b", "title": "Onsite interview", "type": "interview", "starts_at":
    ..., "ends_at": ..., "cancelled": false, "candidate": {"id": "ce4da98"},
    "members": [{"id": "13e0eb0e"}]}`` -> ``RemoteInterview`` of the candidate's
    application (in Workable the two are one record)."""
    record = lenient.record(raw, "interviews")
    remote_id = _id(record.get("id"), "interviews", record)
    starts = lenient.timestamp(record.get("starts_at"))
    ends = lenient.timestamp(record.get("ends_at"))
    moment = now or datetime.now(UTC)
    status: InterviewState = "scheduled"
    if lenient.boolean(record.get("cancelled")):
        status = "cancelled"
    elif (finish := ends or starts) is not None and finish < moment:
        status = "completed"
    interviewer = lenient.dig(lenient.objects(record.get("members")), 0)
    return RemoteInterview(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        application_remote_id=lenient.identifier(
            lenient.mapping(record.get("candidate")).get("id")
        ),
        interview_type=_clip(record.get("title"), lenient.SHORT_LIMIT)
        or _clip(record.get("type"), lenient.SHORT_LIMIT),
        status=status,
        scheduled_at=starts,
        interviewer_remote_id=lenient.identifier(interviewer),
    )


# members (users)


def user_from_raw(raw: object) -> RemoteUser:
    """``{"id": "13e0eb0e", "name": "Eduardo Vallente", "email": ..., "role": "admin"}``."""
    record = lenient.record(raw, "users")
    remote_id = _id(record.get("id"), "users", record)
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        email=lenient.email(record.get("email")),
        name=_clip(record.get("name"), lenient.NAME_LIMIT),
        role=_clip(record.get("role"), lenient.SHORT_LIMIT),
    )
