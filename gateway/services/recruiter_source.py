"""The source's side of recruiter links, shared by linking (``recruiter_links``) and the
sync (``recruiter_sync``): how each provider spells a recruiter id (``IdRules``: BPOC's
are lower-case UUIDs out of a platform-wide pool), reaching the source's user list,
and the tenant-scoped lookups and activity details both use."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import ConnectorBase
from connectors.errors import ConnectorError
from connectors.models import RemoteUser
from gateway.cache import ResponseCache
from gateway.crypto import CryptoError, Keyring
from gateway.errors import NotFound, RemoteWriteFailed, ValidationFailed
from gateway.services.connections import connector_for
from gateway.store.engine import SessionFactory
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Integration, RecruiterLink, User


class LinkDeps(Protocol):
    """What linking and the sync need; ``WriteDeps`` (GraphQL) and ``SyncDeps`` (tasks) fit."""

    @property
    def session_factory(self) -> SessionFactory: ...

    @property
    def keyring(self) -> Keyring: ...

    @property
    def http(self) -> httpx.AsyncClient: ...

    @property
    def cache(self) -> ResponseCache: ...


@dataclass(frozen=True, slots=True)
class IdRules:
    normalize: Callable[[str], str]
    """The stored spelling of an id; raises ``ValueError`` for one that cannot exist."""
    agency_scoped: bool = False
    """The user list is one agency's out of a platform-wide pool of ids."""


def _uuid(text: str) -> str:
    return str(uuid.UUID(text))


_PROVIDER_RULES: dict[str, IdRules] = {"bpoc": IdRules(_uuid, agency_scoped=True)}
_DEFAULT_RULES = IdRules(str.strip)


def id_rules(integration: Integration) -> IdRules:
    return _PROVIDER_RULES.get(integration.provider.value, _DEFAULT_RULES)


def lenient(rules: IdRules, remote_id: str) -> str:
    """For comparing ids already stored: a malformed one stays as it is."""
    try:
        return rules.normalize(remote_id)
    except ValueError:
        return remote_id


def active(user: RemoteUser) -> bool:
    raw = user.raw
    return not (isinstance(raw, Mapping) and raw.get("isActive") is False)


def email_key(address: str | None) -> str | None:
    key = (address or "").strip().lower()
    return key or None


async def tenant_integration(
    session: AsyncSession, tenant_id: int, integration_id: int
) -> Integration:
    integration = await session.get(Integration, integration_id)
    if integration is None or integration.tenant_id != tenant_id:
        raise NotFound("Integration", integration_id)
    return integration


async def tenant_user(session: AsyncSession, tenant_id: int, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound("Recruiter", user_id)
    return user


def require_enabled(integration: Integration) -> None:
    if integration.status is IntegrationStatus.INACTIVE:
        raise ValidationFailed("integrationId", f"{integration.name} is disabled")


def connector_of(deps: LinkDeps, integration: Integration) -> ConnectorBase:
    sleep = getattr(deps, "sleep", asyncio.sleep)  # ``SyncDeps`` brings the tests' own
    try:
        return connector_for(
            integration, deps.keyring, deps.http, session_factory=deps.session_factory, sleep=sleep
        )
    except (CryptoError, ConnectorError) as exc:
        raise RemoteWriteFailed(
            f"{integration.name} cannot be reached with its stored settings: {exc}",
            retryable=False,
        ) from None


async def list_users(connector: ConnectorBase, integration: Integration) -> list[RemoteUser]:
    try:
        return [user async for user in connector.users()]
    except ConnectorError as exc:
        raise RemoteWriteFailed(
            f"{integration.name} did not list its users: {exc.message}",
            retryable=exc.retryable,
            status_code=exc.status,
        ) from None


def link_details(
    integration: Integration, link: RecruiterLink, **extra: object
) -> dict[str, object]:
    return {
        "integrationId": integration.id,
        "remoteId": link.remote_id,
        "remoteEmail": link.remote_email,
        **extra,
    }
