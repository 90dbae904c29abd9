"""The event catalogue: one name, one payload type and one builder per event; builders
that survive the wire (``Event.encode``/``decode``, what Redis carries) and read back as
the same typed payload; readers that refuse malformed data; no event name spelt
outside the catalogue; outbound webhook names drawn from it; the README's table."""

from __future__ import annotations

import ast
import inspect
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gateway import events
from gateway.events import (
    BUILDERS,
    PAYLOADS,
    ApplicationStageChanged,
    EventName,
    JobCreated,
    markdown_table,
    parse,
    read,
)
from gateway.outbound_events import FIRES, OutboundEvent, names_for
from gateway.pubsub import Event
from gateway.store.enums import SyncStatus
from tests.support.paths import REPO_ROOT
from tests.support.worlds import SyncWorld, full
from tests.support.worlds import sync_world as world

__all__ = ["world"]

SCANNED = ("gateway", "jobs", "resolvers", "demo")
NOT_OUR_BUS = ("gateway/events/", "gateway/sandbox/", "demo/sandbox/")
"""The catalogue itself, and the fakes of vendors (their webhooks, not our bus)."""
ACTIVITY_KINDS = ("demo/seed/activity.py",)
"""Activity actions of the seeded history, some named like events (``action=`` values
are exempt everywhere: activities are a vocabulary of their own)."""

SAMPLES: dict[type, Any] = {int: 7, str: "Screen", float: 0.25, bool: True}


def _sample(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType):
        return _sample(next(a for a in typing.get_args(annotation) if a is not type(None)))
    if typing.get_origin(annotation) is dict:
        return {"jobs": {"created": 3, "updated": 1}}
    return SAMPLES[annotation]


def _arguments(builder: Callable[..., Event], *, optional: bool) -> dict[str, Any]:
    """Every argument of ``builder`` with a value; those with a default only if
    ``optional``."""
    hints = typing.get_type_hints(builder)
    found: dict[str, Any] = {}
    for name, parameter in inspect.signature(builder).parameters.items():
        if name == "tenant_id" or (parameter.default is not parameter.empty and not optional):
            continue
        found[name] = _sample(hints[name])
    return found


def built() -> Iterator[tuple[EventName, dict[str, Any], Event]]:
    for name in EventName:
        for optional in (True, False):
            arguments = _arguments(BUILDERS[name], optional=optional)
            yield name, arguments, BUILDERS[name](3, **arguments)


def test_every_event_has_one_payload_type_and_one_builder() -> None:
    assert set(PAYLOADS) == set(EventName)
    assert set(BUILDERS) == set(EventName)
    for name in EventName:
        assert PAYLOADS[name].NAME is name
        assert BUILDERS[name](3, **_arguments(BUILDERS[name], optional=False)).type == name
    assert len({id(b) for b in BUILDERS.values()}) == len(EventName)
    with pytest.raises(TypeError, match="two builders"):
        events._builds(EventName.JOB_CREATED)(events.job_updated)


@pytest.mark.parametrize(("name", "arguments", "event"), list(built()))
def test_builders_round_trip_through_the_wire(
    name: EventName, arguments: dict[str, Any], event: Event
) -> None:
    received = Event.decode(event.encode())
    payload = read(received, PAYLOADS[name])
    assert payload is not None
    assert payload == parse(event)
    assert payload.data() == received.data == event.data
    assert (received.type, received.tenant_id, received.id) == (name, 3, event.id)
    for argument, value in arguments.items():
        if hasattr(payload, argument):
            assert getattr(payload, argument) == value, argument


def test_optional_fields_stay_off_the_wire_and_required_ones_stay_on() -> None:
    by_user = events.application_stage_changed(
        1,
        application_id=7,
        job_id=2,
        candidate_id=5,
        stage="Offer",
        previous_stage=None,
        status="active",
        moved_by=4,
    )
    assert by_user.data == {
        "id": 7,
        "jobId": 2,
        "candidateId": 5,
        "stage": "Offer",
        "previousStage": None,
        "status": "active",
        "movedBy": 4,
    }
    synced = events.application_stage_changed(
        1,
        application_id=7,
        remote_id="A-7",
        job_id=2,
        candidate_id=5,
        stage="Offer",
        previous_stage="Screen",
        status="active",
    )
    assert list(synced.data) == [
        "id",
        "remoteId",
        "jobId",
        "candidateId",
        "stage",
        "previousStage",
        "status",
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"remoteId": "J-1", "status": "open", "isActive": True},
        {"id": "1", "remoteId": "J-1", "status": "open", "isActive": True},
        {"id": True, "remoteId": "J-1", "status": "open", "isActive": True},
        {"id": 1, "remoteId": None, "status": "open", "isActive": True},
        {"id": 1, "remoteId": "J-1", "status": "open", "isActive": 1},
        ["id", 1],
        "id=1",
    ],
)
def test_malformed_data_reads_as_nothing(data: Any) -> None:
    event = Event(EventName.JOB_CREATED, 1, data)
    assert parse(event) is None
    assert read(event, JobCreated) is None
    assert names_for(event) == []


def test_unknown_keys_are_ignored_and_other_events_are_not_read_as_this_one() -> None:
    event = Event(
        EventName.JOB_CREATED,
        1,
        {"id": 1, "remoteId": "J-1", "status": "open", "isActive": True, "newer": [1]},
    )
    assert read(event, JobCreated) == JobCreated(
        job_id=1, remote_id="J-1", status="open", is_active=True
    )
    assert read(event, ApplicationStageChanged) is None
    assert parse(Event("job.renamed", 1, {"id": 1})) is None


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _activity_actions(tree: ast.AST) -> set[int]:
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "action"
        for inner in ast.walk(node.value)
    }


def name_literals(source: str) -> list[tuple[int, str]]:
    """String constants equal to an event name, but docstrings and activity actions."""
    names = {str(name) for name in EventName}
    tree = ast.parse(source)
    exempt = _docstrings(tree) | _activity_actions(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in names
        and id(node) not in exempt
    ]


def test_no_event_name_is_spelt_outside_the_catalogue() -> None:
    found = []
    for root in SCANNED:
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if relative.startswith(NOT_OUR_BUS) or relative in ACTIVITY_KINDS:
                continue
            found += [f"{relative}:{n}: {v}" for n, v in name_literals(path.read_text())]
    assert found == []


def test_the_scan_sees_names_but_not_docstrings_or_activity_actions() -> None:
    source = '''"""Publishes "job.created"."""
def f():
    """job.created"""
    record_activity(action="job.created")
    return Event("job.created", 1, {})
'''
    assert name_literals(source) == [(5, "job.created")]


def test_outbound_names_come_from_the_catalogue() -> None:
    assert set(FIRES) <= set(EventName)
    fired = {outbound for names in FIRES.values() for outbound in names}
    assert set(OutboundEvent) == fired, "every outbound event has a bus event that fires it"
    for outbound in OutboundEvent:
        if outbound.value in set(EventName):
            assert EventName(outbound.value) in FIRES
    for name, _, event in built():
        assert set(names_for(event)) <= set(FIRES.get(name, ())), name


def test_the_readme_shows_the_table_of_events() -> None:
    """Fails until README.md carries ``markdown_table()`` as it renders now."""
    assert markdown_table() in (REPO_ROOT / "README.md").read_text()


def test_the_table_lists_every_event_with_its_fields() -> None:
    table = markdown_table()
    rows = table.splitlines()[2:]
    assert [row.split("`")[1] for row in rows] == [str(name) for name in EventName]
    moved = next(row for row in rows if row.startswith("| `application.stage_changed`"))
    assert "`remoteId?`" in moved and "`movedBy?`" in moved and "`pipelineUpdates`" in moved
    assert "webhooks `application.stage_changed`, `application.rejected`" in moved


async def test_a_synced_move_is_announced_once_as_a_stage_change(world: SyncWorld) -> None:
    """Like a write-back's, a sync's move is one ``application.stage_changed`` (with the
    remote id), not also an ``application.updated`` that consumers would have to drop."""
    assert (await full(world)).status is SyncStatus.SUCCEEDED
    (candidate, job), application = next(
        (key, app) for key, app in world.fake.applications.items() if app.stage != "Offer"
    )
    before = application.stage
    world.fake._move(application, "Offer", world.fake.now(), world.fake.owner)
    world.events.clear()

    assert (await full(world)).status is SyncStatus.SUCCEEDED

    remote_id = f"{candidate}:{job}"
    about = [
        e
        for e in world.events
        if e.type.startswith("application.") and e.data.get("remoteId") == remote_id
    ]
    assert [e.type for e in about] == [EventName.APPLICATION_STAGE_CHANGED]
    moved = read(about[0], ApplicationStageChanged)
    assert moved is not None
    assert (moved.remote_id, moved.stage, moved.previous_stage) == (remote_id, "Offer", before)
    assert moved.moved_by is None


def test_the_listeners_the_table_names_are_the_subscriptions_that_listen() -> None:
    from resolvers.interviews.subscriptions import EVENT_TYPES as CHAT
    from resolvers.pipeline.subscriptions import EVENT_TYPES as PIPELINE
    from resolvers.sync.subscriptions import EVENT_TYPES as SYNC

    def listened_by(listener: str) -> set[EventName]:
        return {name for name, found in events.LISTENERS.items() if listener in found}

    assert listened_by(events.PIPELINE_UPDATES) == PIPELINE
    assert listened_by(events.SYNC_PROGRESS) == SYNC
    assert listened_by(events.INTERVIEW_CHAT) == CHAT
