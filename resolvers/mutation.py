"""One path for every mutation: authorize, run the service in a transaction, invalidate.

    result = await run_mutation(info, Permission.PROMPTS_MANAGE,
                                lambda session, actor: create_prompt(session, actor, fields))

A ``DomainError`` rolls the transaction back and comes back as a typed error; on
success the tenant's cached responses are invalidated after the commit. Mutations
whose service manages its own transactions (a remote check, queueing work) use
``guarded_mutation``: the same permission check and error mapping, no transaction;
writes to a source system use ``write_back_mutation`` (``gateway.services.writeback``),
whose errors include the source's refusals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.errors import DomainError
from gateway.permissions import Permission
from gateway.services.activities import Actor
from gateway.services.writeback import Written
from resolvers.context import Info
from resolvers.errors import (
    MutationError,
    WriteBackError,
    error_result,
    is_error,
    write_back_error,
)
from resolvers.permissions import check

T = TypeVar("T")
S = TypeVar("S")


async def guarded_mutation(
    info: Info, permission: Permission, action: Callable[[Principal], Awaitable[T]]
) -> T | MutationError:
    """Check ``permission`` and run ``action``; a ``DomainError`` becomes a typed result."""
    principal = info.context.require_principal()
    try:
        check(principal, permission)
        return await action(principal)
    except DomainError as error:
        return error_result(error)


async def write_back_mutation(
    info: Info, permission: Permission, action: Callable[[Principal], Awaitable[T]]
) -> T | WriteBackError:
    """``guarded_mutation`` for writes to a source system: their failures are typed too
    (unsupported, no recruiter link, recruiter refused, connector error, idempotency)."""
    principal = info.context.require_principal()
    try:
        check(principal, permission)
        return await action(principal)
    except DomainError as error:
        return write_back_error(error)


async def written_result(
    info: Info,
    permission: Permission,
    action: Callable[[Principal], Awaitable[Written]],
    success: Callable[[Info, Written], Awaitable[S]],
) -> S | WriteBackError:
    """A write-back mutation's result: ``action`` under ``write_back_mutation``, then the
    payload that ``success`` builds from what was written."""
    result = await write_back_mutation(info, permission, action)
    if not isinstance(result, Written):
        return result
    return await success(info, result)


async def run_mutation(
    info: Info,
    permission: Permission,
    action: Callable[[AsyncSession, Actor], Awaitable[T]],
) -> T | MutationError:
    context = info.context

    async def in_transaction(principal: Principal) -> T:
        async with context.session_factory.begin() as session:
            return await action(session, Actor.from_principal(principal))

    result = await guarded_mutation(info, permission, in_transaction)
    if not is_error(result):
        await context.cache.invalidate(context.tenant_id)
    return result
