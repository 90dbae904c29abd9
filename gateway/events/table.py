"""Who listens to each event on the bus, and the README's table of events built from
the catalogue (name, payload keys, listeners)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from gateway.events.catalogue import PAYLOADS
from gateway.events.names import EventName
from gateway.events.payload import Payload, _optional, _wire

PIPELINE_UPDATES = "`pipelineUpdates`"
SYNC_PROGRESS = "`syncProgress`"
INTERVIEW_CHAT = "`interviewChat`, `publicInterviewChat`"
RESUME_ANALYSIS = "resume analysis (new active applications)"
CANDIDATE_ACTIVITY = "the sync run (reads the activity logs of the candidates it wrote)"
SIGNED_IN_USERS = "every `serve` process (drops the user's cached sign-ins)"

LISTENERS: dict[EventName, tuple[str, ...]] = {
    EventName.APPLICATION_CREATED: (PIPELINE_UPDATES, RESUME_ANALYSIS),
    EventName.APPLICATION_UPDATED: (PIPELINE_UPDATES,),
    EventName.APPLICATION_STAGE_CHANGED: (PIPELINE_UPDATES,),
    EventName.CANDIDATE_CREATED: (CANDIDATE_ACTIVITY,),
    EventName.CANDIDATE_UPDATED: (CANDIDATE_ACTIVITY,),
    EventName.INTERVIEW_STATUS_CHANGED: (INTERVIEW_CHAT,),
    EventName.INTERVIEW_MESSAGE: (INTERVIEW_CHAT,),
    EventName.INTERVIEW_DELTA: (INTERVIEW_CHAT,),
    EventName.INTERVIEW_HUMAN_REQUESTED: (INTERVIEW_CHAT,),
    EventName.SYNC_PROGRESS: (SYNC_PROGRESS,),
    EventName.SYNC_FINISHED: (SYNC_PROGRESS,),
    EventName.USER_CHANGED: (SIGNED_IN_USERS,),
}
"""Who reads each event on the bus, besides outbound webhooks (``outbound_events.FIRES``)."""


def wire_fields(kind: type[Payload]) -> Iterator[str]:
    """The payload's keys on the wire, optional ones with a ``?``."""
    for item in fields(kind):
        yield _wire(item) + ("?" if _optional(item) else "")


def markdown_table() -> str:
    """The README's table of bus events: name, payload keys, who listens."""
    from gateway.outbound_events import FIRES

    lines = ["| event | data | listened to by |", "|---|---|---|"]
    for name in EventName:
        keys = ", ".join(f"`{key}`" for key in wire_fields(PAYLOADS[name]))
        outbound = FIRES.get(name, ())
        listeners = list(LISTENERS.get(name, ()))
        if outbound:
            listeners.append("webhooks " + ", ".join(f"`{o}`" for o in outbound))
        lines.append(f"| `{name}` | {keys} | {'; '.join(listeners) or '—'} |")
    return "\n".join(lines) + "\n"
