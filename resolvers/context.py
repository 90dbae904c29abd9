"""The typed per-request context and ``Info`` alias used by every resolver, and
``context_for``: the one place a context is built from the process's runtime (over HTTP
and over WebSocket alike)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx
import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.ai.provider import AIProvider
from gateway.auth import Principal
from gateway.cache import ResponseCache
from gateway.crypto import Keyring
from gateway.inbox import Inbox
from gateway.locks import LockFactory
from gateway.pubsub import EventBus
from gateway.queue import TaskQueue
from gateway.runtime import Runtime
from gateway.services.writeback import WriteDeps
from gateway.settings import Settings
from gateway.store.engine import SessionFactory
from gateway.store.reader import Reader
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from strawberry.dataloader import DataLoader

    from resolvers.interviews.types import InterviewInvite


class Unauthenticated(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "Authentication required: send 'Authorization: Bearer <token>'",
            extensions={"code": "UNAUTHENTICATED"},
        )


@dataclass
class Context:
    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    cache: ResponseCache
    principal: Principal | None
    request_id: str
    keyring: Keyring
    http: httpx.AsyncClient
    outbound_http: httpx.AsyncClient | None = None
    """For outbound webhooks: ignores proxy settings, so the address check holds."""
    bus: EventBus | None = None
    queue: TaskQueue | None = None
    write_deps: WriteDeps | None = None
    """What writes to source systems need (``gateway.services.writeback``)."""
    webhook_inbox: Inbox | None = None
    """Hand-off of inbound webhook events to processing (``webhookEventRetry``)."""
    locks: LockFactory | None = None
    ai_provider: AIProvider | None = None
    """The process's one provider: its concurrency bound is per instance."""
    request: Any = None
    interview_invites: DataLoader[int, list[InterviewInvite]] | None = None
    """The request's loader of interview invitations (``resolvers.interviews.types``)."""

    @cached_property
    def reader(self) -> Reader:
        return Reader(self.engine)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.reader, self.require_principal().tenant_id)

    def forget_reads(self) -> None:
        """Drop what this request's loaders cached, so what a write changed is read
        again (``resolvers.mutation.FreshReadsAroundWrites``). Makes no loader."""
        loaders: Loaders | None = self.__dict__.get("loaders")
        if loaders is not None:
            loaders.clear_all()
        if self.interview_invites is not None:
            self.interview_invites.clear_all()

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated()
        return self.principal

    def require_queue(self) -> TaskQueue:
        if self.queue is None:
            raise RuntimeError("no task queue in this context")
        return self.queue

    def require_write_deps(self) -> WriteDeps:
        if self.write_deps is None:
            raise RuntimeError("no write-back dependencies in this context")
        return self.write_deps

    def require_webhook_inbox(self) -> Inbox:
        if self.webhook_inbox is None:
            raise RuntimeError("no webhook inbox in this context")
        return self.webhook_inbox

    def require_locks(self) -> LockFactory:
        if self.locks is None:
            raise RuntimeError("no locks in this context")
        return self.locks

    def require_ai_provider(self) -> AIProvider:
        if self.ai_provider is None:
            raise RuntimeError("no AI provider in this context")
        return self.ai_provider

    @property
    def tenant_id(self) -> int:
        return self.require_principal().tenant_id


def context_for(
    runtime: Runtime, principal: Principal | None, request_id: str, connection: Any
) -> Context:
    """The context of one operation, over HTTP (``connection`` is the request) or over
    WebSocket (the socket)."""
    return Context(
        settings=runtime.settings,
        engine=runtime.engine,
        session_factory=runtime.session_factory,
        cache=runtime.cache,
        principal=principal,
        request_id=request_id,
        keyring=runtime.keyring,
        http=runtime.http,
        outbound_http=runtime.outbound_http,
        bus=runtime.bus,
        queue=runtime.queue,
        write_deps=runtime.write_deps,
        webhook_inbox=runtime.webhook_inbox,
        locks=runtime.locks,
        ai_provider=runtime.ai_provider,
        request=connection,
    )


Info = strawberry.Info[Context, None]
