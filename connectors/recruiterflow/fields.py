"""How one Recruiterflow value is read: ids, times, money, people, and text cut to the
column the store keeps it in (or dropped where a cut value would be wrong).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors import lenient
from connectors.errors import MappingError
from connectors.models import RemotePerson

DEFAULT_BASE_URL = "https://api.recruiterflow.com"


# What the store's columns hold.
ID_LIMIT = 255
NAME_LIMIT = 255
FULL_NAME_LIMIT = 512
TITLE_LIMIT = 512
HEADLINE_LIMIT = 512
PLACE_LIMIT = 255
STAGE_LIMIT = 255
STATUS_LIMIT = 128
SOURCE_LIMIT = 128
TYPE_LIMIT = 64
PHONE_LIMIT = 64
EMAIL_LIMIT = 320
URL_LIMIT = 2048
FEE_LIMIT = Decimal(10) ** 12


def parse_time(value: object) -> datetime | None:
    """``"2023-03-29T14:26:43+0000"`` -> aware UTC datetime; bare dates are UTC midnight;
    naive times are taken as UTC; epoch seconds or milliseconds are read too; anything
    else is ``None``."""
    return lenient.timestamp(value)


def parse_decimal(value: object) -> Decimal | None:
    """``35000``, ``"35000.50"`` or ``{"number": 35000, "currency": "USD"}`` -> ``Decimal``."""
    return lenient.decimal(value, "number")


def record_of(raw: object, entity: str, what: str) -> Mapping[str, Any]:
    """The record as an object, or the ``MappingError`` for one that is not."""
    if not isinstance(raw, Mapping):
        raise MappingError(
            f"Recruiterflow {what} is not an object but {type(raw).__name__}", entity=entity
        )
    return raw


def id_of(value: object) -> str | None:
    """A remote id (``17``, ``"17"``, ``{"id": 17}``) that fits the store; a 300-digit
    number is no id."""
    found = lenient.identifier(value)
    return found if found is not None and len(found) <= ID_LIMIT else None


def clip(value: object, limit: int, *keys: str) -> str | None:
    """Text cut to the column it is stored in (a name, a place: a cut one still reads)."""
    return lenient.text(value, *keys, limit=limit)


def whole(value: object, limit: int, *keys: str) -> str | None:
    """Text that is useless cut (an email, a phone number): too long is no value at all."""
    found = lenient.text(value, *keys, limit=limit + 1)
    return found if found is not None and len(found) <= limit else None


def email_of(value: object, *keys: str) -> str | None:
    found = whole(value, EMAIL_LIMIT, *(keys or ("email", "value")))
    return found if found is not None and "@" in found else None


def currency_of(value: object) -> str | None:
    """An ISO 4217 code (``"usd"`` -> ``"USD"``); anything else is no currency."""
    code = lenient.text(value, "code", "name", limit=8)
    return code.upper() if code and len(code) == 3 and code.isascii() and code.isalpha() else None


def first_of(values: object, key: str) -> str | None:
    """First of ``["a@x.com"]`` or ``[{"email": "a@x.com", "is_primary": 1}]``, primary
    first; a lone string or object counts as a list of one."""
    entries = lenient.items(values)
    entries.sort(
        key=lambda item: not (isinstance(item, Mapping) and lenient.boolean(item.get("is_primary")))
    )
    for item in entries:
        found = lenient.text(item, key, "value")
        if found:
            return found
    return None


def person_of(ref: object) -> RemotePerson | None:
    """``{"id": 1, "name": "John Doe", "email": ...}`` (or a bare user id) -> who did it."""
    if isinstance(ref, Mapping):
        person = RemotePerson(
            remote_id=id_of(ref.get("id")),
            name=clip(ref.get("name"), NAME_LIMIT),
            email=email_of(ref.get("email")),
        )
        return person if person.remote_id or person.name or person.email else None
    user_id = id_of(lenient.integer(ref))
    return RemotePerson(remote_id=user_id) if user_id is not None else None


def changed_at(raw: object) -> datetime | None:
    """The explicit update time a record carries, if any (what ``updated_since`` filters on)."""
    return parse_time(lenient.mapping(raw).get("updated_at"))


def newer(moment: datetime | None, since: datetime | None) -> bool:
    """Whether a record changed at ``moment`` passes ``updated_since``: unknown times do;
    a naive ``since`` is taken as UTC."""
    if since is None or moment is None:
        return True
    return moment >= (since if since.tzinfo else since.replace(tzinfo=UTC))
