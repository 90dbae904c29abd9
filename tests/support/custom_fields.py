"""What a mapped record's ``custom_fields`` must be for the store to take it."""

from __future__ import annotations

import json
from typing import Any

from connectors.custom_fields import MAX_FIELDS, MAX_NAME


def assert_storable_custom_fields(record: Any) -> None:
    """Names are non-blank text within ``MAX_NAME``, at most ``MAX_FIELDS`` of them, and
    the whole is strict JSON (no NaN or infinity, which PostgreSQL's JSONB refuses) free
    of NUL characters."""
    fields = getattr(record, "custom_fields", None)
    if fields is None:
        return
    assert isinstance(fields, dict)
    assert len(fields) <= MAX_FIELDS
    for name in fields:
        assert isinstance(name, str) and name.strip() and len(name) <= MAX_NAME, name
    text = json.dumps(fields, allow_nan=False)
    assert "\\u0000" not in text
