"""Who a token signs in, remembered for a few seconds so a request needs no SQL for it.

    principal = cache.get(token)                 # None: read the store, then
    epoch = cache.epoch                          # (taken before reading)
    cache.put(token, principal, expires_at=claims.expires_at, epoch=epoch)

Keys are a hash of the token, never the token. An entry lives ``principal_cache_seconds``
at most, and never past the token's own expiry. A change to a user (role, active flag,
token version, tenant, deletion) is announced in the transaction that makes it
(``announce_user_changed``): once it commits, this process forgets the user at once and
the ``user.changed`` event tells every other process, whose listener forgets them too.

The cache answers only while it can hear those events: before its listener is
subscribed, and whenever the bus has lost Redis, every request reads the store, and
what was remembered before an interruption is forgotten (events published meanwhile
are lost). A read that began before a user was forgotten is not remembered after
(``epoch``), so a late answer cannot bring back what an event dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from gateway.auth import Principal
from gateway.background_tasks import stop_all
from gateway.events import EventName, UserChanged, read, user_changed
from gateway.outbox import Outbox, Staged, stage
from gateway.pubsub import ALL_TENANTS, EventBus

MAXSIZE = 10_000
OUTAGE_CLEAR_SECONDS = 0.05

_ANNOUNCED = "talentgraph.user_changes"
"""Where a session keeps the ``user.changed`` events it staged, until it commits."""


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    expires: float
    """On the monotonic clock."""


def token_key(token: str) -> bytes:
    return hashlib.blake2b(token.encode(), digest_size=20).digest()


class PrincipalCache:
    def __init__(self, ttl_seconds: float, bus: EventBus, *, maxsize: int = MAXSIZE) -> None:
        self.ttl = ttl_seconds
        self.bus = bus
        self.maxsize = maxsize
        self.epoch = 0
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._keys_of_user: dict[int, set[bytes]] = {}
        self._listening = False
        self._tasks: list[asyncio.Task[None]] = []
        self._releases: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def usable(self) -> bool:
        if self.ttl <= 0:
            return False
        if not self._tasks:
            self._start()
        return self._listening and self.bus.connected

    def get(self, token: str) -> Principal | None:
        if not self.usable:
            return None
        key = token_key(token)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= time.monotonic():
            self._forget(key)
            return None
        self._entries.move_to_end(key)
        return entry.principal

    def put(
        self, token: str, principal: Principal, *, expires_at: float | None, epoch: int
    ) -> None:
        """Remember ``principal`` unless a user was forgotten since ``epoch`` was read;
        ``expires_at``: the token's expiry (Unix time)."""
        if epoch != self.epoch or not self.usable:
            return
        lifetime = self.ttl if expires_at is None else min(self.ttl, expires_at - time.time())
        if lifetime <= 0:
            return
        key = token_key(token)
        self._forget(key)
        self._entries[key] = _Entry(principal, time.monotonic() + lifetime)
        self._keys_of_user.setdefault(principal.user_id, set()).add(key)
        while len(self._entries) > self.maxsize:
            self._forget(next(iter(self._entries)))

    def forget_user(self, user_id: int) -> None:
        self.epoch += 1
        for key in self._keys_of_user.pop(user_id, set()):
            self._entries.pop(key, None)

    def clear(self) -> None:
        self.epoch += 1
        self._entries.clear()
        self._keys_of_user.clear()

    def _forget(self, key: bytes) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            keys = self._keys_of_user.get(entry.principal.user_id, set())
            keys.discard(key)
            if not keys:
                self._keys_of_user.pop(entry.principal.user_id, None)

    def _start(self) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: nothing to cache for
            self._tasks = [
                asyncio.get_running_loop().create_task(self._listen(), name="principal-cache"),
                asyncio.get_running_loop().create_task(self._watch(), name="principal-cache-bus"),
            ]

    async def _listen(self) -> None:
        async with self.bus.fanout.queue(ALL_TENANTS) as queue:
            self._listening = True
            try:
                while True:
                    received = await queue.get()
                    if received.type == EventName.USER_CHANGED:
                        changed = read(received, UserChanged)
                        if changed is None:
                            self.clear()
                        else:
                            self.forget_user(changed.user_id)
            finally:
                self._listening = False

    async def _watch(self) -> None:
        """Forget everything when the bus loses Redis, and keep forgetting until it is
        back, so no read that began during the interruption is remembered after it."""
        while True:
            await self.bus.wait_interrupted()
            self.clear()
            await asyncio.sleep(OUTAGE_CLEAR_SECONDS)

    def committed(self, outbox: Outbox, announced: list[Staged]) -> None:
        """A transaction that changed users committed: forget them here, and publish."""
        for staged in announced:
            for changed in staged.events:
                payload = read(changed, UserChanged)
                if payload is None:
                    self.clear()
                else:
                    self.forget_user(payload.user_id)
        with contextlib.suppress(RuntimeError):
            task = asyncio.get_running_loop().create_task(_release(outbox, announced))
            self._releases.add(task)
            task.add_done_callback(self._releases.discard)

    async def published(self) -> None:
        """Wait until the user changes committed so far are on the bus."""
        if self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)

    async def close(self) -> None:
        await self.published()
        await stop_all(self._tasks)
        self._tasks = []
        self.clear()


async def _release(outbox: Outbox, announced: list[Staged]) -> None:
    for staged in announced:
        await outbox.release(staged)


async def announce_user_changed(session: AsyncSession, tenant_id: int, user_id: int) -> None:
    """Stage ``user.changed`` in the session's transaction; the handler registered for
    its engine (``on_user_changes``) runs when it commits. Without one (the worker) the
    outbox sweep publishes it."""
    staged = await stage(session, [user_changed(tenant_id, user_id=user_id)])
    session.info.setdefault(_ANNOUNCED, []).append(staged)


UserChangeHandler = Callable[[list[Staged]], None]
_HANDLERS: weakref.WeakKeyDictionary[Engine, UserChangeHandler] = weakref.WeakKeyDictionary()


def on_user_changes(engine: AsyncEngine, handler: UserChangeHandler) -> Callable[[], None]:
    """Call ``handler`` with what each committed transaction on ``engine`` announced;
    returns the function that stops it."""
    _HANDLERS[engine.sync_engine] = handler

    def stop() -> None:
        _HANDLERS.pop(engine.sync_engine, None)

    return stop


def serve_user_changes(engine: AsyncEngine, cache: PrincipalCache, outbox: Outbox) -> None:
    on_user_changes(engine, lambda announced: cache.committed(outbox, announced))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    announced: list[Staged] = session.info.pop(_ANNOUNCED, [])
    if not announced:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    handler = _HANDLERS.get(engine)
    if handler is not None:
        handler(announced)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_ANNOUNCED, None)
