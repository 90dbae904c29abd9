"""User events: a change to who a user is or what they may do (role, active flag, token
version, tenant) or their deletion, which every process must stop believing at once."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class UserChanged(Payload):
    NAME = EventName.USER_CHANGED
    user_id: int = _subject()


@_builds(EventName.USER_CHANGED)
def user_changed(tenant_id: int, *, user_id: int) -> Event:
    return _event(tenant_id, UserChanged(user_id=user_id))
