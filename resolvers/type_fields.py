"""Fields that load related records through the request's loaders, declared in one line.

    job = related_node(JOB, loader="job_by_id", key="job_id")
    evaluation = related_node(EVALUATION, loader="evaluation_by_interview_id")
    messages = related_nodes(INTERVIEW_MESSAGE, loader="messages_by_interview_id")

``loader`` names an attribute of ``resolvers.loaders.Loaders``, ``key`` the attribute of
the parent that is looked up in it (its own ``pk`` by default). Every call goes through
the loaders, so siblings are batched into one statement.
"""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.permissions import Permission
from resolvers.compiled.catalog import RelatedRow, sql_reading
from resolvers.context import Info
from resolvers.lazy import LazyNode
from resolvers.permissions import can
from resolvers.relay import to_global_id
from resolvers.type_refs import RECRUITER


def related_node(
    target: LazyNode[Any],
    *,
    loader: str,
    key: str = "pk",
    nullable: bool = True,
    permission: Permission | None = None,
    description: str | None = None,
) -> Any:
    """A field holding the one ``target`` node that ``loader`` finds for ``key``.

    Nullable fields are null when the key is null, the record is gone, or the caller
    lacks ``permission``. A non-nullable field's record must exist (a foreign key).
    """

    async def resolve(root: Any, info: Info) -> Any:
        found = getattr(root, key)
        if found is None or (permission is not None and not can(info, permission)):
            return None
        row = await getattr(info.context.loaders, loader).load(found)
        if row is None:
            assert nullable, f"{type(root).__name__}.{key} names no {target.type_name}"
            return None
        return target.build(row)

    resolve.__annotations__["return"] = target.type | None if nullable else target.type
    by_id = loader.endswith("_by_id") and key != "pk"
    reading = RelatedRow(target.type_name, key, permission) if by_id else None
    return strawberry.field(
        resolver=resolve,
        description=description,
        metadata=sql_reading(reading) if reading is not None else None,
    )


def recruiter_node(key: str, description: str | None = None) -> Any:
    """The user a record names in ``key`` (its owner, who made or reviewed it), as a
    ``Recruiter``; null for callers who may not read recruiters."""
    return related_node(
        RECRUITER,
        loader="user_by_id",
        key=key,
        permission=Permission.RECRUITERS_READ,
        description=description,
    )


def related_nodes(
    target: LazyNode[Any], *, loader: str, key: str = "pk", description: str | None = None
) -> Any:
    """A field listing the ``target`` nodes that ``loader`` finds for ``key``, in the
    loader's order."""

    async def resolve(root: Any, info: Info) -> Any:
        rows = await getattr(info.context.loaders, loader).load(getattr(root, key))
        return [target.build(row) for row in rows]

    resolve.__annotations__["return"] = list[target.type]  # type: ignore[name-defined]
    return strawberry.field(resolver=resolve, description=description)


def global_id_of(
    type_name: str, key: str, *, nullable: bool = False, description: str | None = None
) -> Any:
    """A field holding the global id of the ``type_name`` node whose primary key the
    parent keeps in ``key`` (null with it, if ``nullable``)."""

    def resolve(root: Any) -> Any:
        pk = getattr(root, key)
        return None if pk is None else strawberry.ID(to_global_id(type_name, pk))

    resolve.__annotations__["return"] = strawberry.ID | None if nullable else strawberry.ID
    return strawberry.field(resolver=resolve, description=description)
