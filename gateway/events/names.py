"""Every event's name: the one place a bus event name is spelt."""

from __future__ import annotations

from enum import StrEnum


class EventName(StrEnum):
    APPLICATION_CREATED = "application.created"
    APPLICATION_UPDATED = "application.updated"
    APPLICATION_STAGE_CHANGED = "application.stage_changed"
    APPLICATION_ANALYZED = "application.analyzed"
    APPLICATION_DELETED = "application.deleted"
    CANDIDATE_CREATED = "candidate.created"
    CANDIDATE_UPDATED = "candidate.updated"
    CANDIDATE_DELETED = "candidate.deleted"
    JOB_CREATED = "job.created"
    JOB_UPDATED = "job.updated"
    JOB_STATUS_CHANGED = "job.status_changed"
    JOB_DELETED = "job.deleted"
    INTERVIEW_CREATED = "interview.created"
    INTERVIEW_UPDATED = "interview.updated"
    INTERVIEW_STATUS_CHANGED = "interview.status_changed"
    INTERVIEW_COMPLETED = "interview.completed"
    INTERVIEW_CANCELLED = "interview.cancelled"
    INTERVIEW_EVALUATED = "interview.evaluated"
    INTERVIEW_MESSAGE = "interview.message"
    INTERVIEW_DELTA = "interview.delta"
    INTERVIEW_HUMAN_REQUESTED = "interview.human_requested"
    INTERVIEW_DELETED = "interview.deleted"
    OFFER_CREATED = "offer.created"
    OFFER_SENT = "offer.sent"
    ONBOARDING_TASK_CREATED = "onboarding_task.created"
    ONBOARDING_TASK_UPDATED = "onboarding_task.updated"
    ONBOARDING_TASK_DELETED = "onboarding_task.deleted"
    SYNC_PROGRESS = "sync.progress"
    SYNC_FINISHED = "sync.finished"
    USER_CHANGED = "user.changed"
