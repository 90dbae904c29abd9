"""``remoteData``: a synced record as its source last sent it, for admins.

    remote_data = remote_data_field()

The raw payload is a heavy column: it is read only when the field is selected, for a
whole tick of one node type in one statement. A caller without ``REMOTE_DATA_READ``
gets a ``FORBIDDEN`` error on the field and the rest of the answer. The field declares
no SQL reading, so an operation selecting it runs on the resolvers.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.permissions import Permission
from resolvers.context import Info
from resolvers.permissions import require

DESCRIPTION = (
    "The record as its source system last sent it (the raw payload of the last sync); "
    "null for a record the gateway made itself. Admins only (`remote-data:read`)."
)


def remote_data_field() -> Any:
    """The ``remoteData`` field of a synced node type (one with ``NODE_TYPE`` and ``pk``)."""

    async def resolve(root: Any, info: Info) -> JSON | None:
        require(info, Permission.REMOTE_DATA_READ)
        loader = info.context.loaders.remote_data_by_id(root.NODE_TYPE)
        found: JSON | None = await loader.load(root.pk)
        return found

    return strawberry.field(resolver=resolve, description=DESCRIPTION)
