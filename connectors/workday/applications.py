"""Job applications and their applicants, known only through the interview events
that name them: the API lists neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import MappingError
from connectors.lenient import text
from connectors.models import RemoteApplication, RemoteCandidate
from connectors.workday.mapping import record_of, ref_id
from connectors.workday.payloads import RawInterview

APPLICATION_STAGE = "Interview"
"""The stage of an application known only through its interview events: the API gives a
job application no status, step or date of its own."""

_NAME_SEPARATORS = (" - ", " \u2013 ", " \u2014 ")
_APPLICATION_LABEL = "job application:"


def applicant_name(descriptor: object) -> str | None:
    """The person in a job application's display name, which reads
    ``"<person> - <requisition>"``; a name without a separator is taken whole.

    applicant_name("Ada Lovelace - R-00042 Senior Engineer") -> "Ada Lovelace"
    applicant_name("Job Application: Ada Lovelace \u2013 Nurse") -> "Ada Lovelace"
    applicant_name(None) -> None
    """
    name = text(descriptor, "descriptor", "name")
    if name is None:
        return None
    if name.lower().startswith(_APPLICATION_LABEL):
        name = name[len(_APPLICATION_LABEL) :].strip()
    for separator in _NAME_SEPARATORS:
        person, found, _ = name.partition(separator)
        if found and person.strip():
            name = person
            break
    return name.strip() or None


def _application_ref(event: object, entity: str) -> tuple[str, Mapping[str, Any]]:
    """The id and reference of the event's ``jobApplication`` (a bare string is the id)."""
    record = record_of(event, entity)
    ref = record.get("jobApplication")
    application_id = ref_id(ref)
    if application_id is None:
        raise MappingError(
            "an interview event without a job application",
            entity=entity,
            remote_id=ref_id(record),
        )
    return application_id, ref if isinstance(ref, Mapping) else {"id": application_id}


def requisition_of(event: object) -> str | None:
    """The id of the job requisition an interview event names, if it names one."""
    return ref_id(event.get("jobRequisition")) if isinstance(event, Mapping) else None


def candidate_from_application(raw: RawInterview | Mapping[str, Any]) -> RemoteCandidate:
    """The applicant of the job application an interview event names: the only trace
    of the person the API gives. The remote id is the application's, the name the
    person part of its descriptor (else the whole descriptor, else the id); ``raw`` is
    the application reference.

    candidate_from_application({"id": "i1", "jobApplication":
        {"id": "ja1", "descriptor": "Ada Lovelace - Nurse"}})
    # -> RemoteCandidate(remote_id="ja1", name="Ada Lovelace", email=None, ...)
    """
    application_id, ref = _application_ref(raw, "candidates")
    return RemoteCandidate(
        remote_id=application_id,
        raw=ref,
        remote_updated_at=None,
        name=applicant_name(ref.get("descriptor")) or application_id,
    )


def application_from_event(
    raw: RawInterview | Mapping[str, Any], *, postings: Mapping[str, str]
) -> RemoteApplication:
    """The job application an interview event names, for the job posting of its
    requisition (``postings``: requisition id -> job posting id), applied by the
    applicant ``candidate_from_application`` gives. A requisition without a posting in
    ``postings`` is a ``MappingError`` naming it.

    application_from_event({"id": "i1", "jobApplication": {"id": "ja1"},
                            "jobRequisition": {"id": "r1"}}, postings={"r1": "p1"})
    # -> RemoteApplication(remote_id="ja1", job_remote_id="p1", candidate_remote_id="ja1",
    #                      status="active", current_stage="Interview")
    """
    application_id, ref = _application_ref(raw, "applications")
    requisition = requisition_of(raw)
    if requisition is None:
        raise MappingError(
            "a job application whose interview names no job requisition",
            entity="applications",
            remote_id=application_id,
        )
    posting = postings.get(requisition)
    if posting is None:
        raise MappingError(
            f"job requisition {requisition} has no job posting",
            entity="applications",
            remote_id=application_id,
        )
    return RemoteApplication(
        remote_id=application_id,
        raw=ref,
        remote_updated_at=None,
        job_remote_id=posting,
        candidate_remote_id=application_id,
        status="active",
        current_stage=APPLICATION_STAGE,
    )
