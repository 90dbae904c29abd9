"""The typed per-request context and ``Info`` alias used by every resolver."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import httpx
import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.auth import Principal
from gateway.cache import ResponseCache
from gateway.crypto import Keyring
from gateway.inbox import Inbox
from gateway.pubsub import EventBus
from gateway.queue import TaskQueue
from gateway.services.writeback import WriteDeps
from gateway.settings import Settings
from gateway.store.engine import SessionFactory
from gateway.store.reader import Reader
from resolvers.loaders import Loaders


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
    request: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def reader(self) -> Reader:
        return Reader(self.engine)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.reader, self.require_principal().tenant_id)

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

    @property
    def tenant_id(self) -> int:
        return self.require_principal().tenant_id


Info = strawberry.Info[Context, None]
