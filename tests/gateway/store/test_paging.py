"""Unit tests of gateway/store/paging.py without a database: cursors encode and decode,
page requests validate, and ``Ordering`` turns cursors into keyset conditions."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from gateway.store.base import UTCDateTime
from gateway.store.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Cursor,
    InvalidPageRequest,
    Ordering,
    PageRequest,
)


def raw_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def text_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


metadata = sa.MetaData()
rows = sa.Table(
    "rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(100)),
    sa.Column("created_at", UTCDateTime()),
)


# -- Cursor ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["Senior Backend Engineer", "", "ünïcödé · 東京", 'quote " and \\ slash', 0, -7, 2**53, 1.5],
)
def test_cursor_round_trips_plain_values(value: Any) -> None:
    cursor = Cursor(value, 42)
    assert Cursor.decode(cursor.encode()) == cursor


def test_cursor_encodes_datetimes_as_iso_text() -> None:
    moment = datetime(2026, 3, 21, 5, 53, 25, 123456, tzinfo=UTC)
    decoded = Cursor.decode(Cursor(moment, 4).encode())
    assert decoded.id == 4
    assert decoded.value == moment.isoformat()
    assert datetime.fromisoformat(decoded.value) == moment


def test_cursor_keeps_the_offset_of_a_datetime() -> None:
    moment = datetime(2026, 3, 21, 11, 23, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    decoded = Cursor.decode(Cursor(moment, 1).encode())
    assert datetime.fromisoformat(decoded.value) == moment


def test_cursor_encodes_decimals_as_text() -> None:
    decoded = Cursor.decode(Cursor(Decimal("12500.50"), 9).encode())
    assert decoded == Cursor("12500.50", 9)
    assert Decimal(decoded.value) == Decimal("12500.50")


def test_cursor_is_url_safe_without_padding() -> None:
    for value in ("a", "ab", "abc", "?>?>?>", "~~~~"):
        encoded = Cursor(value, 1).encode()
        assert "=" not in encoded
        assert "+" not in encoded
        assert "/" not in encoded
        assert Cursor.decode(encoded).value == value


def test_cursor_decodes_padded_text_too() -> None:
    encoded = Cursor("x", 3).encode()
    padded = encoded + "=" * (-len(encoded) % 4)
    assert Cursor.decode(padded) == Cursor("x", 3)


def test_cursor_is_opaque_but_stable() -> None:
    assert Cursor("x", 3).encode() == Cursor("x", 3).encode()
    assert Cursor("x", 3).encode() != Cursor("x", 4).encode()
    assert Cursor("x", 3).encode() != Cursor("y", 3).encode()


@pytest.mark.parametrize("column", ["title", "created_at"])
def test_a_null_sort_value_is_refused(column: str) -> None:
    """Sort columns hold no nulls a cursor could point at."""
    ordering = Ordering(rows.c[column], rows.c.id)
    with pytest.raises(InvalidPageRequest):
        ordering.conditions(PageRequest(first=2, after=raw_cursor([None, 1])))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage!",
        "%%%%",
        text_cursor("not json"),
        text_cursor("{"),
        raw_cursor({"value": "x", "id": 1}),
        raw_cursor([]),
        raw_cursor([1]),
        raw_cursor(["x", 1, 2]),
        raw_cursor(["x", "1"]),
        raw_cursor(["x", 1.0]),
        raw_cursor(["x", None]),
        raw_cursor([[1], 1]),
        raw_cursor([{"a": 1}, 1]),
        raw_cursor("just a string"),
        raw_cursor(17),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    ],
)
def test_cursor_decode_refuses_garbage(text: str) -> None:
    with pytest.raises(InvalidPageRequest):
        Cursor.decode(text)


@pytest.mark.parametrize(
    "text",
    [raw_cursor(["x", True]), raw_cursor(["x", False])],
    ids=["true", "false"],
)
def test_cursor_decode_refuses_a_boolean_id(text: str) -> None:
    """JSON true is not a row id, though Python's bool is an int."""
    with pytest.raises(InvalidPageRequest):
        Cursor.decode(text)


@pytest.mark.parametrize("column", ["title", "created_at"])
@pytest.mark.parametrize("value", [True, False], ids=["true", "false"])
def test_a_boolean_sort_value_is_refused(value: bool, column: str) -> None:
    """No sort column is boolean; a boolean value cannot become an SQL comparison."""
    ordering = Ordering(rows.c[column], rows.c.id)
    with pytest.raises(InvalidPageRequest):
        ordering.conditions(PageRequest(first=2, after=raw_cursor([value, 1])))


@pytest.mark.parametrize("row_id", [2**63, 2**64 - 1, -(2**63) - 1])
def test_ids_beyond_a_bigint_are_refused(row_id: int) -> None:
    text = base64.urlsafe_b64encode(f'["x", {row_id}]'.encode()).decode().rstrip("=")
    ordering = Ordering(rows.c.title, rows.c.id)
    with pytest.raises(InvalidPageRequest):
        ordering.conditions(PageRequest(first=2, after=text))


def test_cursor_decode_error_message_is_bounded() -> None:
    text = "!" * 10_000
    with pytest.raises(InvalidPageRequest) as caught:
        Cursor.decode(text)
    assert len(str(caught.value)) < 200


# -- PageRequest -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        PageRequest(),
        PageRequest(first=0),
        PageRequest(first=1),
        PageRequest(first=MAX_PAGE_SIZE),
        PageRequest(last=0),
        PageRequest(last=MAX_PAGE_SIZE),
        PageRequest(first=10, after="a"),
        PageRequest(last=10, before="b"),
        PageRequest(first=10, after="a", before="b"),
        PageRequest(after="a"),
    ],
)
def test_valid_page_requests(request_: PageRequest) -> None:
    request_.validate()


@pytest.mark.parametrize(
    ("request_", "words"),
    [
        (PageRequest(first=MAX_PAGE_SIZE + 1), "first"),
        (PageRequest(last=MAX_PAGE_SIZE + 1), "last"),
        (PageRequest(first=-1), "first"),
        (PageRequest(last=-1), "last"),
        (PageRequest(first=10**9), "first"),
        (PageRequest(first=1, last=1), "either"),
        (PageRequest(first=0, last=0), "either"),
    ],
)
def test_invalid_page_requests(request_: PageRequest, words: str) -> None:
    with pytest.raises(InvalidPageRequest, match=words):
        request_.validate()


def test_page_size_and_direction() -> None:
    assert MAX_PAGE_SIZE == 100
    assert PageRequest().size == DEFAULT_PAGE_SIZE
    assert PageRequest(after="a").size == DEFAULT_PAGE_SIZE
    assert PageRequest(first=7).size == 7
    assert PageRequest(first=0).size == 0
    assert PageRequest(last=3).size == 3
    assert PageRequest(last=3).backwards is True
    assert PageRequest(first=3).backwards is False
    assert PageRequest(before="b").backwards is False


def test_page_requests_are_hashable_values() -> None:
    """DataLoaders group identical page requests of many parents by equality."""
    assert PageRequest(first=5, after="c") == PageRequest(first=5, after="c")
    assert len({PageRequest(first=5), PageRequest(first=5), PageRequest(last=5)}) == 2


# -- Ordering ------------------------------------------------------------------------------------


def compiled(conditions: list[Any]) -> str:
    return " AND ".join(str(c.compile(compile_kwargs={"literal_binds": False})) for c in conditions)


def test_ordering_without_cursors_has_no_conditions() -> None:
    ordering = Ordering(rows.c.title, rows.c.id)
    assert ordering.conditions(PageRequest(first=5)) == []


def test_ordering_orders_by_column_then_id() -> None:
    ascending = Ordering(rows.c.title, rows.c.id)
    descending = Ordering(rows.c.title, rows.c.id, descending=True)
    assert [str(c) for c in ascending.order_by(reverse=False)] == [
        "rows.title ASC",
        "rows.id ASC",
    ]
    assert [str(c) for c in ascending.order_by(reverse=True)] == [
        "rows.title DESC",
        "rows.id DESC",
    ]
    assert [str(c) for c in descending.order_by(reverse=False)] == [
        "rows.title DESC",
        "rows.id DESC",
    ]
    assert [str(c) for c in descending.order_by(reverse=True)] == [
        "rows.title ASC",
        "rows.id ASC",
    ]


def test_after_and_before_compare_the_other_way() -> None:
    ordering = Ordering(rows.c.title, rows.c.id)
    cursor = Cursor("m", 5).encode()
    after = compiled(ordering.conditions(PageRequest(first=2, after=cursor)))
    before = compiled(ordering.conditions(PageRequest(last=2, before=cursor)))
    assert "rows.title > :title_1" in after
    assert "rows.id > :id_1" in after
    assert "rows.title < :title_1" in before
    assert "rows.id < :id_1" in before
    both = ordering.conditions(PageRequest(first=2, after=cursor, before=cursor))
    assert len(both) == 2


def test_descending_after_compares_downwards() -> None:
    ordering = Ordering(rows.c.title, rows.c.id, descending=True)
    after = compiled(ordering.conditions(PageRequest(first=2, after=Cursor("m", 5).encode())))
    assert "rows.title < :title_1" in after
    assert "rows.id < :id_1" in after


def test_cursor_for_reads_the_sort_column_and_id() -> None:
    ordering = Ordering(rows.c.title, rows.c.id)

    class Row:
        _mapping = {"id": 8, "title": "Bookkeeper", "created_at": None}

    assert ordering.cursor_for(Row()) == Cursor("Bookkeeper", 8)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cursor",
    [
        raw_cursor([None, 1]),
        raw_cursor(["yesterday", 1]),
        raw_cursor(["2026-13-45T00:00:00+00:00", 1]),
        raw_cursor([12345, 1]),
    ],
    ids=["null", "not-a-date", "impossible-date", "number"],
)
def test_datetime_ordering_refuses_values_that_are_not_datetimes(cursor: str) -> None:
    ordering = Ordering(rows.c.created_at, rows.c.id)
    with pytest.raises(InvalidPageRequest):
        ordering.conditions(PageRequest(first=2, after=cursor))


def test_datetime_ordering_refuses_a_naive_datetime() -> None:
    """Every stored datetime is aware; a naive one cannot be compared to them."""
    ordering = Ordering(rows.c.created_at, rows.c.id)
    with pytest.raises(InvalidPageRequest):
        ordering.conditions(PageRequest(first=2, after=raw_cursor(["2026-05-01T12:00:00", 1])))


def test_datetime_ordering_accepts_its_own_cursors() -> None:
    ordering = Ordering(rows.c.created_at, rows.c.id)
    moment = datetime(2026, 5, 1, 12, tzinfo=UTC)
    conditions = ordering.conditions(PageRequest(first=2, after=Cursor(moment, 3).encode()))
    assert len(conditions) == 1
    values = conditions[0].compile().params
    assert moment in values.values()


def test_text_ordering_refuses_a_value_of_another_type() -> None:
    """A number where a title is expected is a forged cursor, not a comparison to run."""
    ordering = Ordering(rows.c.title, rows.c.id)
    with pytest.raises(InvalidPageRequest):
        ordering.conditions(PageRequest(first=2, after=raw_cursor([12345, 1])))
