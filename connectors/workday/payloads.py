"""The shapes Workday Recruiting v4 answers (``workday-recruiting-v4.json``), only the
fields the mappers read; ``raw=`` keeps the rest.
"""

from __future__ import annotations

from typing import Any, TypedDict


class RawRef(TypedDict, total=False):
    """An instance reference: ``INSTANCE_MODEL_REFERENCE``."""

    id: str
    descriptor: str
    href: str


class RawLocation(RawRef, total=False):
    country: dict[str, Any]
    region: dict[str, Any]


class RawJobPosting(TypedDict, total=False):
    """``jobPostingAnchorSummary``."""

    id: str
    title: str
    jobDescription: str
    startDate: str
    endDate: str
    url: str
    spotlightJob: bool
    timeType: RawRef
    jobType: RawRef
    categories: list[RawRef]
    primaryLocation: RawLocation
    additionalLocations: list[RawLocation]
    company: RawRef
    jobSite: RawRef
    remoteType: dict[str, str]


class RawName(TypedDict, total=False):
    fullName: str
    firstName: str
    middleName: str
    lastName: str
    descriptor: str
    country: RawRef


class RawPhone(TypedDict, total=False):
    phoneNumber: str
    extension: str
    descriptor: str
    countryPhoneCode: RawRef
    deviceType: RawRef


class RawCandidate(TypedDict, total=False):
    """``candidateSummary``: the person behind a prospect."""

    id: str
    descriptor: str
    email: str
    name: RawName
    phone: RawPhone


class RawProspect(TypedDict, total=False):
    """``prospectSummary``."""

    id: str
    descriptor: str
    href: str
    candidate: RawCandidate
    status: RawRef
    source: RawRef
    type: RawRef
    level: RawRef
    referredBy: RawRef
    candidateTags: list[RawRef]
    candidatePools: list[RawRef]
    contactConsent: bool


class RawInterview(TypedDict, total=False):
    """``interviewEventWithJobApplicationJobRequisitionInterviewerDetails``."""

    id: str
    descriptor: str
    jobApplication: RawRef
    jobRequisition: RawRef
    interviewers: list[RawRef]
    interviewStatuses: list[RawRef]
    workersPendingFeedback: list[RawRef]
    overallRating: str
    overallComment: str
    giveInterviewFeedbackLink: str
