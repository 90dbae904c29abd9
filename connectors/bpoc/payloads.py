"""The shapes BPOC's agency API answers, as the Recruiter ID Synchronization Guide and
``demo/sandbox/bpoc/`` give them; ``raw=`` keeps every field.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class RawRecruiter(TypedDict):
    id: str
    email: str
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    role: NotRequired[str | None]  # "admin" | "manager" | "recruiter"
    isActive: NotRequired[bool]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawJob(TypedDict):
    id: str
    title: str
    status: NotRequired[str | None]  # draft, pending_approval, active, paused, closed, filled
    clientId: NotRequired[str | None]
    clientName: NotRequired[str | None]
    description: NotRequired[str | None]
    location: NotRequired[str | None]
    employmentType: NotRequired[str | None]
    currency: NotRequired[str | None]
    postedBy: NotRequired[str | None]
    approvedBy: NotRequired[str | None]
    approvedAt: NotRequired[str | None]
    closedAt: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawCandidate(TypedDict):
    id: str
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    email: NotRequired[str | None]
    phone: NotRequired[str | None]
    location: NotRequired[str | None]
    headline: NotRequired[str | None]
    source: NotRequired[str | None]
    resumeUrl: NotRequired[str | None]
    skills: NotRequired[list[str]]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawStatusChange(TypedDict):
    status: str  # see PIPELINE
    changedAt: str
    changedBy: NotRequired[str | None]


class RawApplication(TypedDict):
    id: str
    jobId: str
    candidateId: str
    candidate: RawCandidate
    status: NotRequired[str | None]  # see PIPELINE
    statusHistory: NotRequired[list[RawStatusChange]]
    appliedAt: NotRequired[str | None]
    reviewedBy: NotRequired[str | None]
    releasedAt: NotRequired[str | None]
    releasedBy: NotRequired[str | None]
    releaseNotes: NotRequired[str | None]
    rejectedAt: NotRequired[str | None]
    rejectedBy: NotRequired[str | None]
    rejectionReason: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawInterview(TypedDict):
    id: str
    applicationId: str | None
    interviewType: NotRequired[str | None]  # e.g. "client_round_1"
    status: NotRequired[str | None]
    scheduledAt: NotRequired[str | None]
    interviewerId: NotRequired[str | None]
    scheduledBy: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawOnboardingTask(TypedDict):
    id: str
    title: str
    applicationId: NotRequired[str | None]
    candidateId: NotRequired[str | None]
    description: NotRequired[str | None]
    taskType: NotRequired[str | None]
    status: NotRequired[str | None]  # pending, in_progress, submitted, approved, rejected
    dueDate: NotRequired[str | None]
    createdBy: NotRequired[str | None]
    reviewedBy: NotRequired[str | None]
    reviewedAt: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]
