"""Applications, which Recruiterflow has no resource for: one per job in a
candidate's stage movements, ``"<candidate>:<job>"``, with its stage transitions.
"""

from __future__ import annotations

from typing import Any, cast

from connectors import lenient
from connectors.errors import MappingError, UnprocessableError
from connectors.models import ApplicationState, RemoteApplication, RemoteStageTransition, StageKind
from connectors.recruiterflow.fields import (
    ID_LIMIT,
    STAGE_LIMIT,
    clip,
    id_of,
    parse_time,
    person_of,
    record_of,
)


def application_id(candidate_remote_id: str, job_remote_id: str) -> str:
    """``application_id("154651", "12")`` -> ``"154651:12"``."""
    return f"{candidate_remote_id}:{job_remote_id}"


def split_application_id(application_remote_id: str) -> tuple[int, int]:
    """``"154651:12"`` -> ``(154651, 12)``; anything else is ``UnprocessableError``."""
    candidate, sep, job = application_remote_id.partition(":")
    if not sep or not candidate.isdigit() or not job.isdigit():
        raise UnprocessableError(
            f"not a Recruiterflow application id (candidate:job): {application_remote_id!r}"
        )
    return int(candidate), int(job)


def stage_kind(name: str) -> StageKind:
    """``"Client Interview"`` -> ``"interview"``; ``"Disqualified"`` -> ``"rejected"``."""
    lowered = name.lower()
    for words, kind in (
        (("disqualif", "reject"), "rejected"),
        (("hired", "placed", "placement"), "hired"),
        (("offer",), "offer"),
        (("interview",), "interview"),
        (("screen",), "screen"),
        (("sourced", "applied"), "applied"),
    ):
        if any(word in lowered for word in words):
            return cast(StageKind, kind)
    return "other"


def _application_state(stage: str | None) -> ApplicationState:
    kind = stage_kind(stage) if stage else "other"
    if kind == "rejected":
        return "rejected"
    if kind == "hired":
        return "hired"
    return "active"


def transition_from_raw(raw: object) -> RemoteStageTransition | None:
    """``{"from": "Sourced", "to": "Recruiter Screen", "entered": "...+0000", ...}`` ->
    ``RemoteStageTransition``; ``None`` when it has no target stage or entry time."""
    record = lenient.mapping(raw)
    to_stage = clip(record.get("to"), STAGE_LIMIT, "name")
    entered = parse_time(record.get("entered"))
    if to_stage is None or entered is None:
        return None
    return RemoteStageTransition(
        to_stage=to_stage,
        from_stage=clip(record.get("from"), STAGE_LIMIT, "name"),
        entered_at=entered,
        left_at=parse_time(record.get("left")),
        moved_by=person_of(record.get("stage_moved_by")),
    )


def application_from_raw(
    candidate_remote_id: str,
    raw: object,
    listing: object = None,
) -> RemoteApplication:
    """One ``data.jobs[]`` entry of a candidate's stage movements -> their application.

    ``listing`` is the same job in the candidate's ``jobs`` (candidate list), which tells
    the current stage and the disqualification reason; it rides along in ``raw``."""
    record = record_of(raw, "applications", "stage movement")
    entry = lenient.mapping(listing)
    job_remote_id = id_of(record.get("id")) or id_of(entry.get("job_id"))
    if job_remote_id is None:
        raise MappingError(
            f"Recruiterflow stage movement of candidate {candidate_remote_id} without a job id",
            entity="applications",
        )
    remote_id = application_id(candidate_remote_id, job_remote_id)
    if len(remote_id) > ID_LIMIT:
        raise MappingError("Recruiterflow application id too long", entity="applications")
    transitions = sorted(
        (
            t
            for t in map(transition_from_raw, lenient.items(record.get("transitions")))
            if t is not None
        ),
        key=lambda t: t.entered_at,
    )
    last = transitions[-1] if transitions else None
    current = (last.to_stage if last else None) or clip(
        entry.get("stage_name"), STAGE_LIMIT, "name"
    )
    status = _application_state(current)
    times = [t for tr in transitions for t in (tr.entered_at, tr.left_at) if t is not None]
    payload: dict[str, Any] = {**record, "candidate_id": candidate_remote_id}
    if listing is not None:
        payload["candidate_job"] = listing
    return RemoteApplication(
        remote_id=remote_id,
        raw=payload,
        remote_updated_at=max(times) if times else None,
        job_remote_id=job_remote_id,
        candidate_remote_id=candidate_remote_id,
        status=status,
        current_stage=current,
        applied_at=transitions[0].entered_at if transitions else None,
        rejected_at=last.entered_at if last and status == "rejected" else None,
        rejection_reason=lenient.text(entry.get("disqualification_reason"), "name")
        if status == "rejected"
        else None,
        transitions=tuple(transitions),
    )
