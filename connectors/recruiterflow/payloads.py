"""The shapes Recruiterflow answers: the fields the mappers read (``raw=`` keeps
everything else).
"""

from __future__ import annotations

from typing import Any, TypedDict


class RawRef(TypedDict, total=False):
    id: int | str | None
    name: str | None
    email: str | None


class RawMoney(TypedDict, total=False):
    number: int | float | str | None
    currency: str | None


class RawCustomFieldValue(TypedDict, total=False):
    id: int
    name: str
    value: Any


class RawLocation(TypedDict, total=False):
    id: int
    name: str | None
    city: str | None
    state: str | None
    country: str | None


class RawHiringTeamMember(TypedDict, total=False):
    user_id: int
    name: str
    email: str
    role: str


class RawVisibilityInfo(TypedDict, total=False):
    closed_on: str | None
    visibility_id: int


class RawJob(TypedDict, total=False):
    """``GET /job/list`` items and ``GET /job?job_id=`` bodies."""

    id: int
    name: str
    title: str
    about_position: str | None
    company: RawRef | None
    client_company_name: str | None
    created_at: str | None
    updated_at: str | None
    last_opened: str | None
    is_open: bool | None
    status: str | RawRef | None
    job_status: RawRef | None
    job_visibility_info: RawVisibilityInfo | None
    department: str | None
    employment_type: str | None
    job_type: RawRef | None
    locations: list[RawLocation]
    hiring_team: list[RawHiringTeamMember]
    created_by: RawRef | None
    owner: RawRef | int | str | None
    custom_fields: list[RawCustomFieldValue]
    fee: int | float | str | RawMoney | None
    expected_fee: RawMoney | None
    salary_range_currency: str | None


class RawCandidateJob(TypedDict, total=False):
    """One entry of a candidate's ``jobs`` in ``/candidate/list`` and ``/candidate/get``."""

    job_id: int
    name: str
    stage_name: str | None
    disqualification_reason: str | None


class RawCandidateLocation(TypedDict, total=False):
    location: str | None
    city: str | None
    state: str | None
    country: str | None


class RawFile(TypedDict, total=False):
    """``files[]`` of a candidate: the spec gives no ``type``; some accounts send one."""

    id: int
    filename: str
    link: str
    type: str | RawRef | None


class RawCandidate(TypedDict, total=False):
    id: int
    name: str | None
    first_name: str | None
    last_name: str | None
    email: list[str | dict[str, Any]]
    phone_number: list[str | dict[str, Any]]
    location: RawCandidateLocation | None
    current_designation: str | None
    current_organization: str | None
    source_name: str | None
    files: list[RawFile]
    resume: str | RawFile | None
    tags: list[str | dict[str, Any]]
    added_time: str | None
    latest_activity_time: str | None
    updated_at: str | None
    jobs: list[RawCandidateJob]


# ``from`` is a keyword, hence the functional form.
RawTransition = TypedDict(
    "RawTransition",
    {
        "from": str | None,
        "to": str | None,
        "entered": str | None,
        "left": str | None,
        "stage_moved_by": RawRef | None,
    },
    total=False,
)


class RawMovementJob(TypedDict, total=False):
    """One job in ``GET /candidate/activities/stage-movement/list``: ``data.jobs[]``."""

    id: int
    name: str
    added_by: RawRef | None
    transitions: list[RawTransition]


class RawActivity(TypedDict, total=False):
    activity_id: int
    candidate_id: int | None
    job_id: int | None
    subject: str | None
    text: str | None
    time: str | None
    type: RawRef | None
    user: RawRef | None


class RawUser(TypedDict, total=False):
    id: int
    email: str | None
    name: str | None
    first_name: str | None
    last_name: str | None
    roles: list[RawRef]


class RawCustomField(TypedDict, total=False):
    """``GET /job/custom-field/list`` items."""

    id: int
    name: str
    type: str | None
