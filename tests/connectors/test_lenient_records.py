"""The record-level readers the connectors' mappers share (``connectors.lenient``): a
record is a JSON object with an id, an address has an ``@`` and no space, a value that
is useless cut short is kept whole or dropped."""

from __future__ import annotations

import pytest

from connectors import lenient
from connectors.errors import MappingError


@pytest.mark.parametrize("raw", [None, "a string", 17, [], [{"id": 1}]])
def test_anything_but_an_object_is_no_record(raw: object) -> None:
    with pytest.raises(MappingError) as refused:
        lenient.record(raw, "jobs")
    assert refused.value.entity == "jobs"


def test_a_record_is_read_as_sent() -> None:
    raw = {"id": 7, "title": "Engineer"}
    assert lenient.record(raw, "jobs") is raw


@pytest.mark.parametrize(("raw", "expected"), [({"id": 7}, "7"), ({"id": " a1 "}, "a1")])
def test_a_record_id_is_its_own_id(raw: dict[str, object], expected: str) -> None:
    assert lenient.record_id(raw, "jobs") == expected


@pytest.mark.parametrize("raw", [{}, {"id": None}, {"id": ""}, {"id": True}, {"id": 1.5}])
def test_a_record_without_an_id_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(MappingError, match="jobs without an id"):
        lenient.record_id(raw, "jobs")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ana@example.com", "ana@example.com"),
        ({"value": " ana@example.com "}, "ana@example.com"),
        ({"email": "ana@example.com"}, "ana@example.com"),
        ("not an address", None),
        ("ana @example.com", None),
        ("a" * 400 + "@example.com", None),
        (17, None),
        (None, None),
    ],
)
def test_an_email_has_an_at_and_no_space(value: object, expected: str | None) -> None:
    assert lenient.email(value) == expected


def test_a_value_beyond_its_limit_is_dropped_not_cut() -> None:
    assert lenient.whole("+1 555 0100", lenient.PHONE_LIMIT) == "+1 555 0100"
    assert lenient.whole("9" * (lenient.PHONE_LIMIT + 1), lenient.PHONE_LIMIT) is None
    assert lenient.whole(None, lenient.PHONE_LIMIT) is None
