"""The rows Jobvite's API v2 answers: the fields the mappers read (``raw=`` keeps the
rest).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class JobviteUserRaw(TypedDict, total=False):
    userId: str
    userName: str
    firstName: str
    lastName: str


class JobviteJobRaw(TypedDict):
    eId: str
    title: NotRequired[str | None]
    requisitionId: NotRequired[str | None]
    jobState: NotRequired[str | None]
    department: NotRequired[str | None]
    category: NotRequired[str | None]
    location: NotRequired[str | None]
    locationCity: NotRequired[str | None]
    locationState: NotRequired[str | None]
    locationCountry: NotRequired[str | None]
    jobType: NotRequired[str | None]
    description: NotRequired[str | None]
    briefDescription: NotRequired[str | None]
    company: NotRequired[str | None]
    primaryRecruiter: NotRequired[JobviteUserRaw | None]
    recruiters: NotRequired[list[JobviteUserRaw]]
    primaryHiringManager: NotRequired[JobviteUserRaw | None]
    hiringManagers: NotRequired[list[JobviteUserRaw]]
    createdDate: NotRequired[int | None]
    lastUpdatedDate: NotRequired[int | None]


class JobviteApplicationRaw(TypedDict):
    eId: str
    job: NotRequired[JobviteJobRaw | None]
    workflowState: NotRequired[str | None]
    workflowStateEId: NotRequired[str | None]
    disposition: NotRequired[str | None]
    source: NotRequired[str | None]
    sourceType: NotRequired[str | None]
    jobviteChannel: NotRequired[str | None]
    sentDate: NotRequired[int | None]
    lastUpdatedDate: NotRequired[int | None]


class JobviteCandidateRaw(TypedDict):
    eId: str
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    email: NotRequired[str | None]
    homePhone: NotRequired[str | None]
    workPhone: NotRequired[str | None]
    mobile: NotRequired[str | None]
    location: NotRequired[str | None]
    city: NotRequired[str | None]
    state: NotRequired[str | None]
    country: NotRequired[str | None]
    title: NotRequired[str | None]
    companyName: NotRequired[str | None]
    lastUpdatedDate: NotRequired[int | None]
    application: NotRequired[JobviteApplicationRaw | None]
