"""One GraphQL WebSocket connection's life, whatever its subprotocol: the
``connection_init`` handshake and who the client is, the anonymous slot it holds, the
keep-alives and access re-checks, the close when idle or when its token stops working,
and sending and closing. ``resolvers.ws_protocol`` adds the messages and operations.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected
from strawberry import Schema

from gateway.auth import AuthenticationError, Principal
from gateway.runtime import Runtime
from gateway.services.principals import principal_for_token
from resolvers.ws_admission import AnonymousSockets, credentials, token_expiry

logger = logging.getLogger("talentgraph.ws")

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = (TRANSPORT_WS, LEGACY_WS)
"""Supported subprotocols, preferred first."""

KEEP_ALIVE_SECONDS = 15.0
"""Legacy protocol only: how often ``ka`` is sent."""
ACCESS_CHECK_SECONDS = 60.0
TRY_AGAIN_LATER = 1013
"""Close code for a connection sent away for now, which graphql-ws clients retry: an
anonymous one over its address's cap, one whose server we depend on is unreachable,
one with subscriptions while the event bus lost its events."""
IDLE = 1000
"""Close code for an anonymous connection left idle."""

_connection_ids = itertools.count(1)


class Closed(Exception):
    """The socket is closed: nothing more can be sent."""


class Refused(Exception):
    """The client broke the protocol: close with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class SocketSession:
    """The connection's state and its life; the subclass handles its messages."""

    def __init__(
        self,
        websocket: WebSocket,
        protocol: str,
        runtime: Runtime,
        schema: Schema,
        anonymous: AnonymousSockets,
    ) -> None:
        self.websocket = websocket
        self.legacy = protocol == LEGACY_WS
        self.runtime = runtime
        self.schema = schema
        self.anonymous = anonymous
        self.slot: str | None = None
        """The client address whose anonymous slot this connection holds."""
        self.idle_since = time.monotonic()
        """When the connection last had no operation running."""
        self.idle_watch: asyncio.Task[None] | None = None
        self.id = next(_connection_ids)
        self.closed = False
        self.init_received = False
        self.acknowledged = False
        self.principal: Principal | None = None
        self.token: str | None = None
        self.token_expires: float | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.housekeeping: asyncio.Task[None] | None = None
        self.bus_watch: asyncio.Task[None] | None = None

    async def _init(self, payload: Any) -> None:
        if self.init_received:
            raise Refused(4429, "Too many initialisation requests")
        self.init_received = True
        if payload is not None and not isinstance(payload, dict):
            await self._refuse_connection("the connection_init payload must be an object")
            return
        try:
            token = credentials(payload or {}, self.websocket.headers.get("authorization"))
            if token is not None:
                self.principal = await principal_for_token(
                    self.runtime.reader, self.runtime.jwt_secret, token, oidc=self.runtime.oidc
                )
                self.token, self.token_expires = token, token_expiry(token)
        except AuthenticationError as exc:
            await self._refuse_connection(str(exc))
            return
        if self.principal is None and not self._take_anonymous_slot():
            await self._turn_away()
            return
        await self.send({"type": "connection_ack"})
        self.acknowledged = True
        self.idle_since = time.monotonic()
        if self.legacy:
            await self.send({"type": "ka"})
        if self.legacy or self.principal is not None:
            self.housekeeping = asyncio.create_task(
                self._housekeep(), name=f"ws-{self.id}-housekeeping"
            )
        if self.principal is None:
            self.idle_watch = asyncio.create_task(
                self._close_when_idle(), name=f"ws-{self.id}-idle"
            )

    def _take_anonymous_slot(self) -> bool:
        client = self.websocket.client
        address = client.host if client else "unknown"
        limit = self.runtime.settings.websocket_anonymous_per_ip
        if not self.anonymous.take(address, limit=limit):
            return False
        self.slot = address
        return True

    def _give_back_anonymous_slot(self) -> None:
        if self.slot is not None:
            self.anonymous.give_back(self.slot)
            self.slot = None

    async def _turn_away(self) -> None:
        client = self.websocket.client
        logger.info(
            "closing socket %s: too many anonymous connections from %s",
            self.id,
            client.host if client else "?",
        )
        await self._send_away(
            "Too many anonymous connections",
            "too many connections without a token from this address; retry later",
            "TOO_MANY_CONNECTIONS",
        )

    async def _send_away(self, reason: str, message: str, code: str) -> None:
        """Close with ``TRY_AGAIN_LATER``; a legacy client first gets ``connection_error``
        saying why (its protocol has no other way to tell)."""
        if self.legacy:
            with contextlib.suppress(Closed):
                await self.send(
                    {
                        "type": "connection_error",
                        "payload": {"message": message, "extensions": {"code": code}},
                    }
                )
        await self.close(TRY_AGAIN_LATER, reason)

    async def _unavailable(self) -> None:
        await self._send_away(
            "Try Again Later",
            "a server this gateway depends on is unavailable; retry later",
            "SERVICE_UNAVAILABLE",
        )

    async def _close_when_idle(self) -> None:
        """Close an anonymous connection once it has run nothing for the idle limit.
        While operations run it looks again every limit; ``idle_since`` moves when the
        last one ends, so the close comes a full limit after that."""
        limit = self.runtime.settings.websocket_anonymous_idle_seconds
        while not self.closed:
            if self.operations:
                await asyncio.sleep(limit)
                continue
            remaining = self.idle_since + limit - time.monotonic()
            if remaining <= 0:
                logger.info("closing socket %s: idle for %s s", self.id, limit)
                await self.close(IDLE, "Idle")
                return
            await asyncio.sleep(remaining)

    def _note_if_idle(self) -> None:
        if not self.operations:
            self.idle_since = time.monotonic()

    async def _refuse_connection(self, reason: str) -> None:
        if self.legacy:
            with contextlib.suppress(Closed):
                await self.send(
                    {
                        "type": "connection_error",
                        "payload": {"message": reason, "extensions": {"code": "UNAUTHENTICATED"}},
                    }
                )
        await self.close(4403, "Forbidden")

    async def _housekeep(self) -> None:
        """Legacy keep-alives; the principal re-checked, and the socket closed when the
        token expires or the user's access changes."""
        now = time.monotonic()
        next_ka = now + KEEP_ALIVE_SECONDS if self.legacy else None
        jitter = random.uniform(0.9, 1.1)  # spreads the checks of sockets opened together
        next_check = now + ACCESS_CHECK_SECONDS * jitter if self.principal else None
        expires = (
            now + max(0.0, self.token_expires - time.time())
            if self.token_expires is not None
            else None
        )
        try:
            while not self.closed:
                due = min(t for t in (next_ka, next_check, expires) if t is not None)
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                now = time.monotonic()
                if expires is not None and now >= expires:
                    await self._revoke("token expired")
                    return
                if next_check is not None and now >= next_check:
                    next_check = now + ACCESS_CHECK_SECONDS
                    if not await self._access_unchanged():
                        await self._revoke("access changed")
                        return
                if next_ka is not None and now >= next_ka:
                    next_ka = now + KEEP_ALIVE_SECONDS
                    await self.send({"type": "ka"})
        except Closed:
            return

    async def _access_unchanged(self) -> bool:
        assert self.token is not None
        try:
            now = await principal_for_token(
                self.runtime.reader, self.runtime.jwt_secret, self.token, oidc=self.runtime.oidc
            )
        except AuthenticationError:
            return False
        except Exception:
            logger.warning("could not re-check the principal of socket %s", self.id, exc_info=True)
            return True
        return self.principal is not None and now.role is self.principal.role

    async def _revoke(self, reason: str) -> None:
        logger.info("closing socket %s: %s", self.id, reason)
        if self.legacy:
            with contextlib.suppress(Closed):
                await self.send(
                    {
                        "type": "connection_error",
                        "payload": {"message": reason, "extensions": {"code": "UNAUTHENTICATED"}},
                    }
                )
        await self.close(4403, f"Forbidden: {reason}")

    async def send(self, message: dict[str, Any]) -> None:
        if self.closed:
            raise Closed
        try:
            await self.websocket.send_text(orjson.dumps(message).decode())
        except (WebSocketDisconnect, WebSocketDisconnected, OSError) as exc:
            self.closed = True
            raise Closed from exc

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected, OSError):
            await self.websocket.close(code, reason)

    async def _shutdown(self) -> None:
        self.closed = True
        self._give_back_anonymous_slot()
        tasks = list(self.operations.values())
        self.operations.clear()
        tasks += [t for t in (self.housekeeping, self.idle_watch, self.bus_watch) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
