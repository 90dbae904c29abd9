"""Jobvite's states read as talentgraph's: requisition states, workflow states as
application states and stages, and the workflow's stages in pipeline order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.lenient import texts
from connectors.models import ApplicationState, JobState, RemoteStage, StageKind

_JOB_STATES: dict[str, JobState] = {
    "draft": "draft",
    "awaiting approval": "draft",
    "pending approval": "draft",
    "approved": "draft",
    "open": "open",
    "on hold": "on_hold",
    "hold": "on_hold",
    "filled": "closed",
    "closed": "closed",
    "cancelled": "closed",
    "canceled": "closed",
    "rejected": "closed",
    "archived": "archived",
}


WORKFLOW: tuple[tuple[str, StageKind], ...] = (
    ("New", "applied"),
    ("Reviewed", "screen"),
    ("Phone Screen", "screen"),
    ("Interview", "interview"),
    ("Offer", "offer"),
    ("Hired", "hired"),
    ("Rejected", "rejected"),
    ("Withdrawn", "other"),
)
"""Jobvite's default candidate workflow, in pipeline order. Companies configure their
own; ``config["workflowStates"]`` (names in order) replaces it."""


def job_state(remote: str | None) -> JobState:
    """``job_state("On Hold")`` -> ``"on_hold"``; an unknown Jobvite state counts as open."""
    return _JOB_STATES.get((remote or "").strip().lower(), "open")


def application_state(workflow_state: str | None) -> ApplicationState:
    """``application_state("Rejected")`` -> ``"rejected"``. Workflows are configured per
    company, so this reads the words rather than a fixed list."""
    state = (workflow_state or "").strip().lower()
    if "withdr" in state or state in ("offer declined", "declined offer"):
        return "withdrawn"
    if any(word in state for word in ("reject", "not hired", "not selected", "disqualif")):
        return "rejected"
    if state == "hired" or state.startswith("hired "):
        return "hired"
    return "active"


def stage_kind(workflow_state: str) -> StageKind:
    """``stage_kind("Phone Screen")`` -> ``"screen"``, read from the words as
    ``application_state`` does; a state it cannot place is ``"other"``."""
    lowered = workflow_state.strip().lower()
    for name, kind in WORKFLOW:
        if lowered == name.lower():
            return kind
    state = application_state(workflow_state)
    if state in ("rejected", "hired"):
        return state
    for word, kind in _STAGE_WORDS:
        if word in lowered:
            return kind
    return "other"


_STAGE_WORDS: tuple[tuple[str, StageKind], ...] = (
    ("offer", "offer"),
    ("interview", "interview"),
    ("screen", "screen"),
    ("review", "screen"),
    ("new", "applied"),
    ("applied", "applied"),
)


def stages_from_config(config: Mapping[str, Any]) -> list[RemoteStage]:
    """``config["workflowStates"]`` (names in pipeline order) or ``WORKFLOW``, positions
    0, 1, 2... in that order; the state's name is its id (``workflowStateEId`` differs
    per company and v2 lists no workflow)."""
    configured = texts(config.get("workflowStates"))
    names = configured or tuple(name for name, _ in WORKFLOW)
    return [
        RemoteStage(remote_id=name, name=name, position=position, kind=stage_kind(name))
        for position, name in enumerate(names)
    ]
