"""One path for every mutation: authorize, run the service in a transaction, invalidate.

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
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

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
    """The row ``pk`` a mutation just wrote, read back through ``loader``; ``what`` names
    it in the assertion that it is there."""
    row = await loader.load(pk)
    assert row is not None, f"a {what} vanished"
    return row


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
