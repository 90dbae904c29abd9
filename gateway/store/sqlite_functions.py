"""SQL functions every SQLite connection gets, for JSON the database builds.

SQLite has no base64; a read compiled to SQL (``resolvers.compiled``) formats global
ids and page cursors with these, which call the very Python the resolver path uses, so
both paths write the same text.
"""

from __future__ import annotations

from typing import Any

from gateway.global_ids import to_global_id
from gateway.store.paging import Cursor


def _global_id(type_name: str, pk: int | None) -> str | None:
    return None if pk is None else to_global_id(type_name, pk)


def _cursor(value: Any, pk: int | None) -> str | None:
    return None if pk is None else Cursor(value, pk).encode()


def register_functions(dbapi_connection: Any) -> None:
    dbapi_connection.create_function("tg_global_id", 2, _global_id, deterministic=True)
    dbapi_connection.create_function("tg_cursor", 2, _cursor, deterministic=True)
