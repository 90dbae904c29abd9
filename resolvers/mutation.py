"""One path for every mutation: authorize, run the service in a transaction, invalidate,
and read back fresh.

    result = await run_mutation(info, Permission.PROMPTS_MANAGE,
                                lambda session, actor: create_prompt(session, actor, fields))

A ``DomainError`` rolls the transaction back and comes back as a typed error; on
success the tenant's cached responses are invalidated after the commit. Mutations
whose service manages its own transactions (a remote check, queueing work) use
``guarded_mutation``: the same permission check and error mapping, no transaction;
writes to a source system use ``write_to_source`` (``gateway.services.writeback``),
whose errors include the source's refusals.

The permission is always checked first: ids and fields of the input are decoded after
it (``GlobalIdArg``), so a caller without the permission learns nothing from them.

A mutation's answer, and every field or mutation after it in the same request, sees
what it wrote: ``FreshReadsAroundWrites`` clears the request's loaders around every
mutation field, and ``written_row`` reads the written row back from the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.types.base import get_object_definition

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
from resolvers.relay import pk_of

T = TypeVar("T")
S = TypeVar("S")
E = TypeVar("E")


async def _checked(
    info: Info,
    permission: Permission,
    action: Callable[[Principal], Awaitable[T]],
    to_error: Callable[[DomainError], E],
) -> T | E:
    principal = info.context.require_principal()
    try:
        check(principal, permission)
        return await action(principal)
    except DomainError as error:
        return to_error(error)


async def guarded_mutation(
    info: Info, permission: Permission, action: Callable[[Principal], Awaitable[T]]
) -> T | MutationError:
    """Check ``permission`` and run ``action``; a ``DomainError`` becomes a typed result."""
    return await _checked(info, permission, action, error_result)


async def write_back_mutation(
    info: Info, permission: Permission, action: Callable[[Principal], Awaitable[T]]
) -> T | WriteBackError:
    """``guarded_mutation`` for writes to a source system: their failures are typed too
    (unsupported, no recruiter link, recruiter refused, connector error, idempotency)."""
    return await _checked(info, permission, action, write_back_error)


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


@dataclass(frozen=True, slots=True)
class GlobalIdArg:
    """A global id for a service call, decoded (``pk_of``) only when the call runs,
    after the permission check."""

    value: strawberry.ID
    node_type: str
    field: str = "id"

    def pk(self) -> int:
        return pk_of(self.value, self.node_type, field=self.field)


def optional_id(value: strawberry.ID | None, node_type: str, field: str) -> GlobalIdArg | None:
    return GlobalIdArg(value, node_type, field) if value is not None else None


async def write_to_source(
    info: Info,
    permission: Permission,
    write: Callable[..., Awaitable[Written]],
    success: Callable[[Info, Written], Awaitable[S]],
    /,
    **arguments: Any,
) -> S | WriteBackError:
    """``write(deps, principal, **arguments)`` (a ``gateway.services`` write-back) as the
    caller, under ``written_result``; each ``GlobalIdArg`` among ``arguments`` becomes
    its primary key, in the order given."""

    async def action(principal: Principal) -> Written:
        deps = info.context.require_write_deps()
        decoded = {
            name: value.pk() if isinstance(value, GlobalIdArg) else value
            for name, value in arguments.items()
        }
        return await write(deps, principal, **decoded)

    return await written_result(info, permission, action, success)


async def written_row(loader: DataLoader[int, T | None], pk: int, what: str) -> T:
    """The row ``pk`` a mutation just wrote, read back through ``loader`` from the store
    (what the loader held for ``pk`` is dropped first); ``what`` names it in the
    assertion that it is there."""
    with contextlib.suppress(KeyError):  # nothing held for it
        loader.clear(pk)
    row = await loader.load(pk)
    assert row is not None, f"a {what} vanished"
    return row


class FreshReadsAroundWrites(FieldExtension):
    """Every mutation field: the request's loaders forget what they read before the
    mutation runs and again once it returns, before its payload's fields resolve.

    Loaders cache per request, and mutations run one after another in one request: a
    read by an earlier field (``interviewSendInvite``'s interview) would otherwise
    answer a later one after a write changed it (``interviewCancel`` reading back the
    interview it cancelled). What a write touches is more than the row it names
    (activities, stage history, counts, stats), so every loader is cleared, not only
    those keyed by that row: only requests that write pay for it, with a re-read of
    what their later fields need. Applied by ``fresh_reads_around_writes`` to the whole
    ``Mutation`` type, so a new mutation is covered whatever helper it uses.
    """

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        info.context.forget_reads()
        try:
            return next_(source, info, **kwargs)
        finally:
            info.context.forget_reads()

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        info.context.forget_reads()
        try:
            return await next_(source, info, **kwargs)
        finally:
            info.context.forget_reads()


def fresh_reads_around_writes(mutation: type) -> type:
    """``mutation`` (the schema's ``Mutation`` type) with ``FreshReadsAroundWrites`` on
    each of its fields, once however often it is applied."""
    for field in get_object_definition(mutation, strict=True).fields:
        if not any(isinstance(e, FreshReadsAroundWrites) for e in field.extensions):
            field.extensions.append(FreshReadsAroundWrites())
    return mutation


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
