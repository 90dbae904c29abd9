"""Recruiterflow's mappers against records the documentation never shows.

Each mapper starts from the vendor's own examples (its OpenAPI document) and has every
field path, nested ones included, in turn set to null, deleted, or replaced by text, a
number, a list, an object, odd unicode and huge values; then whole records are drawn
as arbitrary JSON. Whatever comes in, a mapper returns its model, small enough for the
store's columns, or raises ``MappingError``: never anything else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import MappingError
from connectors.models import (
    RemoteActivity,
    RemoteApplication,
    RemoteCandidate,
    RemoteCustomField,
    RemoteJob,
    RemoteStage,
    RemoteUser,
)
from connectors.recruiterflow.account import custom_field_from_raw, stages_from_raw, user_from_raw
from connectors.recruiterflow.applications import application_from_raw
from connectors.recruiterflow.candidates import activity_from_raw, candidate_from_raw
from connectors.recruiterflow.jobs import job_from_raw
from tests.support.custom_fields import assert_storable_custom_fields
from tests.support.paths import SPECS

SPEC = SPECS / "recruiterflow-openapi.json"
Path_ = tuple[str | int, ...]

HUGE_TEXT = "x" * 1_000_000
ODD_TEXT = "Zoë 🚀 \u202e\x00 ‮"
REPLACEMENTS: tuple[Any, ...] = (
    None,
    "",
    "text",
    "12",
    0,
    -1,
    3.5,
    True,
    [],
    [1, "a", None, {"id": 2}],
    {},
    {"id": {"id": None}, "name": ODD_TEXT},
    ODD_TEXT,
    10**30,
    -(10**30),
    float("1e308"),
    HUGE_TEXT,
)
DELETE = object()


@cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded


def example(path: str, method: str = "get") -> Any:
    content = _spec()["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return copy.deepcopy(
        content["example"] if "example" in content else content["schema"]["example"]
    )


LISTING = {
    "added_to_job_by": {"id": 1, "name": "John Doe"},
    "client_company_id": 15,
    "client_company_name": "Mindtree",
    "disqualification_reason": "Salary",
    "is_open": True,
    "job_id": 3,
    "name": "Another job 321",
    "stage_name": "Client Interview",
}


def _application(raw: Any) -> RemoteApplication:
    return application_from_raw("24", raw, LISTING)


def _application_listing(raw: Any) -> RemoteApplication:
    """The listing side: a job the candidate is in but never moved in."""
    return application_from_raw("24", {}, raw)


def _stages_pipeline(raw: Any) -> list[RemoteStage]:
    return stages_from_raw(raw, example("/api/external/job/stage_names"))


def _stages_names(raw: Any) -> list[RemoteStage]:
    return stages_from_raw(example("/api/external/job/pipeline"), raw)


def fits_store(found: Any) -> None:
    """The model holds what the store's columns take (the limits of
    ``gateway.store.models``), so a strange record cannot fail a whole batch there."""
    limits: dict[str, int] = {"remote_id": 255}
    if isinstance(found, RemoteJob):
        limits |= {
            "title": 512,
            "location": 255,
            "department": 255,
            "employment_type": 64,
            "client_name": 255,
            "remote_status": 128,
            "currency": 3,
            "recruiter_remote_id": 255,
        }
        assert found.title
        assert found.estimated_fee is None or abs(found.estimated_fee) < Decimal(10) ** 12
    elif isinstance(found, RemoteCandidate):
        limits |= {
            "name": 512,
            "first_name": 255,
            "last_name": 255,
            "email": 320,
            "phone": 64,
            "location": 255,
            "headline": 512,
            "source": 128,
            "resume_url": 2048,
        }
        assert all(isinstance(tag, str) and tag for tag in found.tags)
    elif isinstance(found, RemoteApplication):
        for transition in found.transitions:
            assert len(transition.to_stage) <= 255
            assert transition.from_stage is None or len(transition.from_stage) <= 255
    elif isinstance(found, RemoteUser):
        limits |= {"email": 320, "name": 255}
    for name, limit in limits.items():
        value = getattr(found, name)
        assert value is None or (isinstance(value, str) and len(value) <= limit), (name, value)
    assert_storable_custom_fields(found)


MAPPERS: dict[str, tuple[Callable[[Any], Any], type | None, Callable[[], Any]]] = {
    "job list": (job_from_raw, RemoteJob, lambda: example("/api/external/job/list")[0]),
    "job detail": (job_from_raw, RemoteJob, lambda: example("/api/external/job")),
    "job search": (
        job_from_raw,
        RemoteJob,
        lambda: example("/api/external/job/search", "post")[0][0],
    ),
    "candidate list": (
        candidate_from_raw,
        RemoteCandidate,
        lambda: example("/api/external/candidate/list")["data"][0],
    ),
    "candidate get": (
        candidate_from_raw,
        RemoteCandidate,
        lambda: example("/api/external/candidate/get")[0],
    ),
    "stage movement": (
        _application,
        RemoteApplication,
        lambda: example("/api/external/candidate/activities/stage-movement/list")["data"]["jobs"][
            1
        ],
    ),
    "candidate job listing": (_application_listing, RemoteApplication, lambda: dict(LISTING)),
    "activity": (
        activity_from_raw,
        RemoteActivity,
        lambda: example("/api/external/candidate/activity/list")["data"][0],
    ),
    "user": (user_from_raw, RemoteUser, lambda: example("/api/external/user/list")["data"][0]),
    "custom field": (
        custom_field_from_raw,
        RemoteCustomField,
        lambda: example("/api/external/job/custom-field/list")["data"][2],
    ),
    "pipeline": (_stages_pipeline, None, lambda: example("/api/external/job/pipeline")),
    "stage names": (_stages_names, None, lambda: example("/api/external/job/stage_names")),
}


def check(name: str, raw: Any) -> Any:
    """The mapper's model for ``raw``, or ``None`` where it raised ``MappingError``."""
    mapper, model, _ = MAPPERS[name]
    try:
        found = mapper(raw)
    except MappingError:
        return None
    if model is None:
        assert isinstance(found, list) and all(isinstance(s, RemoteStage) for s in found)
        assert [s.position for s in found] == list(range(len(found)))
        assert len({s.remote_id for s in found}) == len(found)
        assert len({s.name.lower() for s in found}) == len(found)
    else:
        assert isinstance(found, model), found
        fits_store(found)
    return found


def field_paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every path into ``value``: object keys and list positions, nested ones included."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from field_paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from field_paths(inner, (*prefix, index))


def replaced(record: Any, path: Path_, value: Any) -> Any:
    """A copy of ``record`` with ``path`` set to ``value`` (``DELETE`` removes it)."""
    changed = copy.deepcopy(record)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


@pytest.mark.parametrize("name", list(MAPPERS))
def test_the_documented_example_maps(name: str) -> None:
    assert check(name, MAPPERS[name][2]()) is not None


@pytest.mark.parametrize("name", list(MAPPERS))
def test_every_field_path_replaced_by_anything_maps_or_fails_alone(name: str) -> None:
    base = MAPPERS[name][2]()
    paths = list(field_paths(base))
    assert paths, "the example has fields"
    mapped = failed = 0
    for path in paths:
        for value in (DELETE, *REPLACEMENTS):
            if check(name, replaced(base, path, value)) is None:
                failed += 1
            else:
                mapped += 1
    assert mapped > failed, "only what a record cannot do without may fail it"


WHOLE: tuple[Any, ...] = (
    None,
    "",
    "a string",
    42,
    10**30,
    [],
    [{"id": 1}],
    HUGE_TEXT,
    ODD_TEXT,
    {},
)


@pytest.mark.parametrize("name", list(MAPPERS))
@pytest.mark.parametrize("value", WHOLE, ids=lambda v: repr(v)[:20])
def test_a_record_that_is_not_one_fails_alone(name: str, value: Any) -> None:
    check(name, value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)

# Keys the mappers read, so arbitrary records hit them more often than chance would.
KEYS = st.sampled_from(
    [
        "id",
        "job_id",
        "activity_id",
        "name",
        "title",
        "email",
        "phone_number",
        "first_name",
        "last_name",
        "status",
        "job_status",
        "is_open",
        "locations",
        "location",
        "hiring_team",
        "owner",
        "recruiter",
        "created_by",
        "company",
        "files",
        "resume",
        "jobs",
        "transitions",
        "to",
        "from",
        "entered",
        "left",
        "stage_name",
        "type",
        "roles",
        "summary",
        "data",
        "custom_fields",
        "expected_fee",
        "fee",
        "updated_at",
        "time",
        "tags",
        "user_id",
        "role",
        "link",
    ]
)
records = st.dictionaries(KEYS | st.text(max_size=8), json_values, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(list(MAPPERS)), raw=json_values | records)
def test_arbitrary_json_records_map_or_fail_alone(name: str, raw: Any) -> None:
    check(name, raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(list(MAPPERS)))
def test_an_example_with_any_field_replaced_by_arbitrary_json(name: str, data: Any) -> None:
    base = MAPPERS[name][2]()
    path = data.draw(st.sampled_from(list(field_paths(base))))
    check(name, replaced(base, path, data.draw(json_values)))
