"""Mutations that put work on the queue (a sync, a refetch, a re-analysis, a retry) and
answer with the same three fields: ``queued``, ``alreadyRunning`` and the
``backgroundJob`` that follows the work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.queue import Enqueued
from gateway.store.base import table_of
from gateway.store.models import BackgroundJob as BackgroundJobModel
from resolvers.context import Info
from resolvers.dataloaders import light_columns
from resolvers.errors import MutationError
from resolvers.mutation import GlobalIdArg, guarded_mutation
from resolvers.sync.types import BackgroundJob, build_background_job

S = TypeVar("S")

Request = Callable[..., Awaitable[Enqueued]]
"""A ``gateway.services`` request: ``(session_factory, queue, tenant_id, pk, *,
requested_by, **options)``."""


async def request_work(
    info: Info,
    permission: Permission,
    request: Request,
    target: GlobalIdArg,
    success: Callable[..., S],
    **options: Any,
) -> S | MutationError:
    """``request`` for the record ``target`` names, as the caller, under
    ``queued_result``."""
    context = info.context

    async def action(principal: Principal) -> Enqueued:
        return await request(
            context.session_factory,
            context.require_queue(),
            principal.tenant_id,
            target.pk(),
            requested_by=principal.user_id,
            **options,
        )

    return await queued_result(info, permission, action, success)


async def queued_result(
    info: Info,
    permission: Permission,
    action: Callable[[Principal], Awaitable[Enqueued]],
    success: Callable[..., S],
) -> S | MutationError:
    """``action`` under ``guarded_mutation``; then ``success`` called with the fields of
    ``queued_fields``."""
    result = await guarded_mutation(info, permission, action)
    if not isinstance(result, Enqueued):
        return result
    return success(**await queued_fields(info, result))


async def queued_fields(info: Info, enqueued: Enqueued) -> dict[str, Any]:
    return {
        "queued": not enqueued.duplicate,
        "already_running": enqueued.duplicate,
        "background_job": await _background_job(info, enqueued.job_record_id),
    }


async def _background_job(info: Info, record_id: int) -> BackgroundJob | None:
    table = table_of(BackgroundJobModel)
    row = await info.context.reader.one_or_none(
        sa.select(*light_columns(table)).where(
            table.c.id == record_id, table.c.tenant_id == info.context.tenant_id
        )
    )
    return build_background_job(row) if row is not None else None
