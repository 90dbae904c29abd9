"""Custom fields from every source: each mapper reads its source's shape into a plain
name -> value dict, and no custom field, however malformed, fails its record."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors import custom_fields
from connectors.bpoc.mapping import candidate_from_raw as bpoc_candidate
from connectors.bpoc.mapping import job_from_raw as bpoc_job
from connectors.bpoc.pipeline import application_from_raw as bpoc_application
from connectors.jobvite.mapping import application_from_raw as jobvite_application
from connectors.jobvite.mapping import candidate_from_raw as jobvite_candidate
from connectors.jobvite.mapping import job_from_raw as jobvite_job
from connectors.recruiterflow.candidates import candidate_from_raw as rf_candidate
from connectors.recruiterflow.jobs import job_from_raw as rf_job
from connectors.workday.mapping import candidate_from_raw as workday_candidate
from connectors.workday.mapping import job_from_raw as workday_job
from tests.support.custom_fields import assert_storable_custom_fields


def _jobvite_application(custom: Any) -> Any:
    return jobvite_application(
        {"eId": "c1", "application": {"eId": "a1", "job": {"eId": "j1"}, "customField": custom}}
    )


def _bpoc_application(custom: Any) -> Any:
    return bpoc_application(
        {
            "id": "a1",
            "jobId": "j1",
            "candidateId": "c1",
            "status": "submitted",
            "customFields": custom,
        }
    )


# source -> (mapper of a minimal record carrying ``custom``, a well-formed ``custom``)
SOURCES: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "recruiterflow job": (
        lambda custom: rf_job({"id": 1, "name": "Nurse", "custom_fields": custom}),
        [{"id": 63, "name": "Division", "value": "North"}],
    ),
    "recruiterflow candidate": (
        lambda custom: rf_candidate({"id": 2, "name": "Ada", "custom_fields": custom}),
        [{"id": 43, "name": "Division", "value": "North"}],
    ),
    "jobvite job": (
        lambda custom: jobvite_job({"eId": "j1", "title": "Nurse", "customField": custom}),
        [{"fieldCode": "Division", "value": "North"}],
    ),
    "jobvite candidate": (
        lambda custom: jobvite_candidate({"eId": "c1", "firstName": "Ada", "customField": custom}),
        [{"fieldCode": "Division", "value": "North"}],
    ),
    "jobvite application": (_jobvite_application, [{"fieldCode": "Division", "value": "North"}]),
    "workday job": (
        lambda custom: workday_job({"id": "p1", "title": "Nurse", "extendedFields": custom}),
        [{"descriptor": "Division", "value": "North"}],
    ),
    "workday candidate": (
        lambda custom: workday_candidate({"id": "p1", "customFields": custom}),
        {"Division": "North"},
    ),
    "bpoc job": (
        lambda custom: bpoc_job({"id": "j1", "title": "Nurse", "customFields": custom}),
        {"Division": "North"},
    ),
    "bpoc candidate": (
        lambda custom: bpoc_candidate({"id": "c1", "customFields": custom}),
        [{"key": "Division", "value": "North"}],
    ),
    "bpoc application": (_bpoc_application, {"Division": "North"}),
}


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_source_reads_its_custom_fields(source: str) -> None:
    mapper, custom = SOURCES[source]
    assert mapper(custom).custom_fields == {"Division": "North"}


@pytest.mark.parametrize("source", list(SOURCES))
def test_a_record_without_custom_fields_has_none(source: str) -> None:
    mapper, _ = SOURCES[source]
    assert mapper(None).custom_fields == {}


def test_malformed_entries_are_skipped_and_the_rest_kept() -> None:
    entries = [
        "text",
        None,
        {"id": 1, "value": "no name"},
        {"name": "   ", "value": "blank name"},
        {"name": 12, "value": "a number for a name"},
        {"name": "NaN", "value": math.nan},
        {"name": "inf", "value": [1, math.inf]},
        {"name": "Money", "value": {"currency": "USD", "number": 20000}},
        {"name": "Money", "value": "a second of the same name"},
        {"name": " Nul\x00 ", "value": "a\x00b"},
        {"name": "Empty"},
    ]
    assert custom_fields.custom_fields(entries) == {
        "Money": {"currency": "USD", "number": 20000},
        "Nul": "ab",
        "Empty": None,
    }


def test_a_runaway_payload_is_capped() -> None:
    entries = [{"name": f"f{n}", "value": n} for n in range(1000)]
    assert len(custom_fields.custom_fields(entries)) == custom_fields.MAX_FIELDS
    deep: Any = "bottom"
    for _ in range(50):
        deep = [deep]
    assert custom_fields.custom_fields({"deep": deep, "flat": 1}) == {"flat": 1}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats()
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=15,
)
entries = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "name": st.text(max_size=12) | json_values,
        "fieldCode": st.text(max_size=12) | json_values,
        "descriptor": st.text(max_size=12),
        "key": st.text(max_size=12),
        "value": json_values,
    },
)
payloads = (
    st.lists(entries | json_values, max_size=6)
    | st.dictionaries(st.text(max_size=12), json_values, max_size=6)
    | json_values
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(list(SOURCES)), custom=payloads)
def test_any_custom_fields_payload_maps_and_fits_the_store(source: str, custom: Any) -> None:
    mapper, _ = SOURCES[source]
    record = mapper(custom)
    assert_storable_custom_fields(record)


@settings(max_examples=200, deadline=None)
@given(
    name=st.text(min_size=1, max_size=20).filter(lambda n: n.strip() and "\x00" not in n),
    value=json_values.filter(
        lambda v: (
            "nan" not in json.dumps(v).lower()
            and "infinity" not in json.dumps(v).lower()
            and "\\u0000" not in json.dumps(v)
        )
    ),
    noise=st.lists(json_values, max_size=4),
)
def test_a_well_formed_entry_survives_any_malformed_neighbours(
    name: str, value: Any, noise: list[Any]
) -> None:
    found = custom_fields.custom_fields([*noise, {"name": name, "value": value}])
    assert found.get(name.strip()) == value or any(
        isinstance(n, dict) and n.get("name") for n in noise
    )
