"""What the property-based mapper tests of every connector share: the store's column
sizes a mapped record must fit, the odd values a source may send in place of any
documented one, every field path of a documented example, one field replaced, and the
check that a mapped record is storable.

    for path in paths(example):
        for value in REPLACEMENTS.values():
            check_bounds(mapper(replaced(example, path, value)))   # or MappingError

``MapperProperties`` runs those checks, and the same with arbitrary JSON, over a
provider's mappers.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import MappingError
from connectors.models import (
    RemoteApplication,
    RemoteCandidate,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteStage,
)
from tests.support.custom_fields import assert_storable_custom_fields

STORE_LIMITS = {
    "remote_id": 255,
    "title": 512,
    "name": 512,
    "first_name": 255,
    "last_name": 255,
    "email": 320,
    "phone": 64,
    "location": 255,
    "headline": 512,
    "source": 128,
    "resume_url": 2048,
    "url": 2048,
    "employment_type": 64,
    "client_name": 255,
    "remote_status": 128,
    "currency": 3,
    "recruiter_remote_id": 255,
    "current_stage": 255,
    "interview_type": 64,
    "task_type": 64,
    "role": 64,
    "to_stage": 255,
    "from_stage": 255,
}
"""The store's column sizes (gateway/store/models): a mapper never hands over more."""

DELETE = object()
"""A replacement that removes the field."""
REPLACEMENTS: dict[str, object] = {
    "null": None,
    "deleted": DELETE,
    "string": "not what was documented",
    "number": 42,
    "float": 1.5,
    "boolean": True,
    "list": [1, "two", {"id": 3}],
    "object": {"unexpected": "object"},
    "empty object": {},
    "unicode": "Zoë 🚀 \u202e",
    "digit to isdigit only": "²",
    "signs": "+-5",
    "huge number": 10**30,
    "huge string": "x" * 1_000_000,
}

FieldPath = tuple[str | int, ...]


def paths(value: Any, prefix: FieldPath = ()) -> Iterator[FieldPath]:
    """Every field path of a record, nested objects and list entries included."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from paths(child, (*prefix, index))


def replaced(record: dict[str, Any], path: FieldPath, value: object) -> dict[str, Any]:
    """A copy of ``record`` with the field at ``path`` set to ``value`` (or removed)."""
    changed = copy.deepcopy(record)
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


def check_bounds(record: object, where: str = "") -> None:
    """Text within the store's columns and not blank, times aware, custom fields
    storable, nested models included."""
    assert dataclasses.is_dataclass(record)
    assert_storable_custom_fields(record)
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, str) and field.name in STORE_LIMITS:
            limit = STORE_LIMITS[field.name]
            assert len(value) <= limit, f"{where}{field.name}: {len(value)} chars"
            assert value.strip(), f"{where}{field.name} is blank"
        if isinstance(value, datetime):
            assert value.tzinfo is not None, f"{where}{field.name} is naive"
        if isinstance(value, tuple):
            for item in value:
                if dataclasses.is_dataclass(item):
                    check_bounds(item, f"{where}{field.name}.")
                else:
                    assert isinstance(item, str) and len(item) <= 255


def any_json(*samples: object) -> st.SearchStrategy[Any]:
    """Any JSON value, the source's own telling values (``samples``) drawn often."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text(max_size=40)
        | st.sampled_from(samples),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=10), children, max_size=4)
        ),
        max_leaves=12,
    )


FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
"""Enough examples to find a crash, few enough for a targeted run."""
SHARED = settings(
    FAST, suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors]
)
"""``FAST`` for the tests ``MapperProperties`` hands to each provider's class: every
subclass runs them as its own executor, by design (and no example database replays)."""

Mapper = Callable[[Any], Any]
MapperCase = tuple[Mapper, type, dict[str, Any]]
"""A mapper, the model it gives, and a documented record it maps."""


def assert_history_ends_at_the_current_stage(application: RemoteApplication) -> None:
    if application.transitions and application.current_stage:
        assert application.transitions[-1].to_stage == application.current_stage


class MapperProperties:
    """The property tests every connector's mappers pass. A provider's test module
    subclasses it as ``Test<Provider>Mappers``, names its mappers, the values its source
    tends to send, and the fields whose loss may refuse a record; ``check`` adds what
    that provider promises beyond the common checks."""

    mappers: ClassVar[dict[str, MapperCase]]
    source_values: ClassVar[st.SearchStrategy[Any]]
    """Any JSON, drawn often from the values this source tends to send."""
    other_shapes: ClassVar[list[object]] = [None, "a string", 17, 1.5, True, [], [{"id": 1}], {}]
    """Whole records that are not records at all."""

    def essential(self, name: str) -> set[str]:
        """The top-level fields of ``name``'s record whose loss or replacement may refuse it."""
        raise NotImplementedError

    def check(self, mapped: Any) -> None:
        """What this provider's mapped records promise beyond the common checks."""

    def map_or_refuse(self, name: str, raw: Any) -> Any:
        """The mapper's answer: its model (checked) or ``None`` for a ``MappingError``;
        any other exception fails the test."""
        mapper, model, _example = self.mappers[name]
        try:
            mapped = mapper(raw)
        except MappingError:
            return None
        assert isinstance(mapped, model), f"{name} gave {type(mapped).__name__}"
        assert mapped.remote_id and isinstance(mapped.remote_id, str)
        check_bounds(mapped)
        if isinstance(mapped, RemoteJob | RemoteOnboardingTask):
            assert mapped.title
        if isinstance(mapped, RemoteCandidate):
            assert mapped.name
            assert mapped.resume_url is None or mapped.resume_url.startswith(
                ("http://", "https://")
            )
        if isinstance(mapped, RemoteApplication):
            entered = [t.entered_at for t in mapped.transitions]
            assert entered == sorted(entered)
        self.check(mapped)
        return mapped

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "name" in metafunc.fixturenames:
            metafunc.parametrize("name", list(self.mappers))
        if "whole" in metafunc.fixturenames:
            metafunc.parametrize("whole", self.other_shapes)

    def test_the_documented_record_maps(self, name: str) -> None:
        assert self.map_or_refuse(name, self.mappers[name][2]) is not None

    def test_every_field_replaced_by_anything_gives_the_model_or_a_MappingError(
        self, name: str
    ) -> None:
        example = self.mappers[name][2]
        every = list(paths(example))
        assert len(every) >= len(example)
        refused: list[tuple[FieldPath, str]] = []
        for path in every:
            for kind, value in REPLACEMENTS.items():
                if self.map_or_refuse(name, replaced(example, path, value)) is None:
                    refused.append((path, kind))
        assert {path[0] for path, _kind in refused} <= self.essential(name), refused

    def test_a_whole_record_of_another_shape_is_a_MappingError(
        self, name: str, whole: object
    ) -> None:
        with pytest.raises(MappingError):
            self.mappers[name][0](whole)

    @SHARED
    @given(data=st.data())
    def test_one_field_of_any_json_value(self, name: str, data: st.DataObject) -> None:
        example = self.mappers[name][2]
        path = data.draw(st.sampled_from(list(paths(example))))
        value = data.draw(self.source_values | st.just(DELETE))
        self.map_or_refuse(name, replaced(example, path, value))

    @SHARED
    @given(data=st.data())
    def test_whole_records_of_any_json(self, name: str, data: st.DataObject) -> None:
        keys = st.sampled_from(sorted(self.mappers[name][2])) | st.text(max_size=8)
        records = st.dictionaries(keys, self.source_values, max_size=12)
        self.map_or_refuse(name, data.draw(records | self.source_values))


class StageProperties:
    """The property test of a provider's stage-list mapper, for its ``MapperProperties``
    class to add: whatever JSON comes, the stages are numbered from 0 and unique by name."""

    source_values: ClassVar[st.SearchStrategy[Any]]
    stage_keys: ClassVar[tuple[str, str]]
    """The keys a stage record carries its id and its name in."""

    def stages(self, raws: list[Any]) -> list[RemoteStage]:
        raise NotImplementedError

    @SHARED
    @given(data=st.data())
    def test_stages_of_any_json_are_unique_and_numbered(self, data: st.DataObject) -> None:
        id_key, name_key = self.stage_keys
        stage = st.fixed_dictionaries({id_key: self.source_values, name_key: self.source_values})
        stages = self.stages(data.draw(st.lists(self.source_values | stage)))
        assert [s.position for s in stages] == list(range(len(stages)))
        assert len({s.name.lower() for s in stages}) == len(stages)
