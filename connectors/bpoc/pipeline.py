"""BPOC's application pipeline: its statuses as stages, and an application with the
stage transitions its status history tells.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.bpoc.fields import (
    custom_fields_of,
    person_of,
    record_of,
    required_id,
    status_key,
)
from connectors.lenient import identifier, objects, required, text, timestamp
from connectors.models import (
    ApplicationState,
    RemoteApplication,
    RemotePerson,
    RemoteStageTransition,
    StageKind,
)

MAX_HISTORY = 1_000
"""Status changes read per application; a longer history keeps its first ones."""


# status -> (stage name, stage kind, application state), in pipeline order
PIPELINE: dict[str, tuple[str, StageKind, ApplicationState]] = {
    "submitted": ("Submitted", "applied", "active"),
    "under_review": ("Under Review", "screen", "active"),
    "shortlisted": ("Shortlisted", "screen", "active"),
    "released": ("Released to Client", "screen", "released"),
    "interviewing": ("Client Interview", "interview", "released"),
    "offered": ("Offer", "offer", "released"),
    "hired": ("Hired", "hired", "hired"),
    "rejected": ("Rejected", "rejected", "rejected"),
    "withdrawn": ("Withdrawn", "other", "withdrawn"),
}

STATUS_BY_STAGE_NAME = {name.lower(): status for status, (name, _kind, _state) in PIPELINE.items()}


def _stage(status: str) -> str:
    """``"shortlisted"`` -> ``"Shortlisted"``; a status BPOC has not documented is its
    own stage name."""
    key = status_key(status)
    known = PIPELINE.get(key) or PIPELINE.get(STATUS_BY_STAGE_NAME.get(status.lower(), ""))
    return known[0] if known else status[:255]


@dataclass(frozen=True, slots=True)
class _Move:
    at: datetime
    order: int
    stage: str
    by: RemotePerson | None


def _moves(record: Mapping[str, Any]) -> list[_Move]:
    """Every timed status change: applied, the ``statusHistory`` entries, released and
    rejected, ordered by time (ties keep this order)."""
    found: list[tuple[object, object, object]] = [
        ("submitted", record.get("appliedAt") or record.get("createdAt"), None)
    ]
    history = objects(record.get("statusHistory") or record.get("stageHistory"))
    for entry in history[:MAX_HISTORY]:
        found.append(
            (
                entry.get("status") or entry.get("stage") or entry.get("toStatus"),
                entry.get("changedAt") or entry.get("at") or entry.get("enteredAt"),
                entry.get("changedBy") or entry.get("by"),
            )
        )
    found.append(("released", record.get("releasedAt"), record.get("releasedBy")))
    found.append(("rejected", record.get("rejectedAt"), record.get("rejectedBy")))
    moves = [
        _Move(at, order, _stage(status), person_of(by))
        for order, (status_value, when, by) in enumerate(found)
        if (status := text(status_value, "id", "name", limit=255))
        and (at := timestamp(when)) is not None
    ]
    return sorted(moves, key=lambda move: (move.at, move.order))


def _transitions(
    record: Mapping[str, Any], current: str | None
) -> tuple[RemoteStageTransition, ...]:
    """The application's moves, oldest first, ending at its ``current`` stage.

    Each move enters a stage other than the one before it (a status recorded twice in a
    row is one stay, from its first record). If the last recorded move is not to the
    current stage, BPOC changed the status without recording it: a move to the current
    stage is added, entered at ``updatedAt`` (or the last move's time, if that is later)."""
    moves: list[_Move] = []
    for move in _moves(record):
        if moves and moves[-1].stage == move.stage:
            if moves[-1].by is None and move.by is not None:
                moves[-1] = _Move(moves[-1].at, moves[-1].order, moves[-1].stage, move.by)
            continue
        moves.append(move)
    if current and (not moves or moves[-1].stage != current):
        times = [moves[-1].at] if moves else []
        updated = timestamp(record.get("updatedAt"))
        if updated is not None:
            times.append(updated)
        if times:
            moves.append(_Move(max(times), len(moves), current, None))
    return tuple(
        RemoteStageTransition(
            to_stage=move.stage,
            entered_at=move.at,
            from_stage=moves[index - 1].stage if index else None,
            left_at=moves[index + 1].at if index + 1 < len(moves) else None,
            moved_by=move.by,
        )
        for index, move in enumerate(moves)
    )


def application_from_raw(raw: object) -> RemoteApplication:
    """An application: its ``status`` is the current stage, and the stage history is
    ``appliedAt``, ``statusHistory``, ``releasedAt`` and ``rejectedAt`` (who moved it
    from ``changedBy``, ``releasedBy``, ``rejectedBy``), always ending at that stage."""
    record = record_of(raw, "applications")
    remote_id = required_id(record, "applications")
    job_id = identifier(record.get("jobId")) or identifier(record.get("job"))
    candidate_id = identifier(record.get("candidateId")) or identifier(record.get("candidate"))
    status = text(record.get("status"), "id", "name", limit=255)
    stage: str | None = None
    state: ApplicationState = "active"
    if status:
        stage = _stage(status)
        known = PIPELINE.get(status_key(status)) or PIPELINE.get(
            STATUS_BY_STAGE_NAME.get(status.lower(), "")
        )
        if known:
            state = known[2]
    return RemoteApplication(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        job_remote_id=required(job_id, "a job id", entity="applications", raw=record),
        candidate_remote_id=required(
            candidate_id, "a candidate id", entity="applications", raw=record
        ),
        status=state,
        current_stage=stage,
        applied_at=timestamp(record.get("appliedAt")) or timestamp(record.get("createdAt")),
        rejected_at=timestamp(record.get("rejectedAt")),
        rejection_reason=text(record.get("rejectionReason"), "reason", "text"),
        transitions=_transitions(record, stage),
        custom_fields=custom_fields_of(record),
    )
