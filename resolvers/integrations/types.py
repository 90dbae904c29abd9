from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast
from urllib.parse import quote

import strawberry
from sqlalchemy.engine import Row
from strawberry.scalars import JSON

from gateway import links
from gateway.store.base import utcnow
from gateway.store.enums import AuthType, IntegrationEnvironment, IntegrationStatus, Provider
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.lazy import lazy_callable
from resolvers.relay import Node

if TYPE_CHECKING:
    from resolvers.sync.types import SyncRun

build_sync_run: Callable[[Row[Any]], SyncRun] = lazy_callable(
    "resolvers.sync.types", "build_sync_run"
)


@strawberry.type(
    name="Integration",
    description="A connection to an external system. Secrets are never readable: "
    "`hasCredentials` and a masked `credentialsHint` say what is stored.",
)
class Integration(Node):
    NODE_TYPE: ClassVar[str] = "Integration"

    provider: Provider
    name: str
    environment: IntegrationEnvironment
    auth_type: AuthType
    status: IntegrationStatus
    external_account_id: str | None
    config: JSON
    has_credentials: bool
    credentials_hint: str | None
    has_webhook_secret: bool
    sync_interval_minutes: int
    full_sync_interval_minutes: int
    last_sync_at: datetime | None
    last_successful_sync_at: datetime | None
    last_health_check_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The newest sync run, whatever its status.")
    async def last_sync(
        self, info: Info
    ) -> Annotated[SyncRun, strawberry.lazy("resolvers.sync.types")] | None:
        row = await info.context.loaders.latest_sync_run_by_integration_id.load(self.pk)
        return build_sync_run(row) if row is not None else None

    @strawberry.field(
        description="Where this integration's system should send webhooks: its own format "
        "first (Jobvite: the candidate and job URLs, once `externalAccountId` holds the "
        "company id), then the Standard Webhooks URL any sender may use. Signed with "
        "the integration's webhook secret."
    )
    def webhook_urls(self, info: Info) -> list[str]:
        base = links.for_caller(info.context.request, info.context.settings) + "/webhooks"
        native: list[str] = []
        if self.provider in (Provider.RECRUITERFLOW, Provider.BPOC):
            native = [f"{base}/{self.provider.value}/{self.pk}"]
        elif self.provider is Provider.JOBVITE and self.external_account_id:
            company = quote(self.external_account_id, safe="")
            native = [f"{base}/jobvite/{company}/candidate", f"{base}/jobvite/{company}/job"]
        return [*native, f"{base}/standard/{self.pk}"]

    @strawberry.field(description="No successful sync within twice the sync interval.")
    def is_stale(self) -> bool:
        if self.last_successful_sync_at is None:
            return True
        allowed = timedelta(minutes=2 * self.sync_interval_minutes)
        return self.last_successful_sync_at < utcnow() - allowed


_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@")


def shown_config(value: Any) -> Any:
    """A stored config as readers see it: a ``user:password@`` in any URL becomes
    ``***@``. New URLs with credentials are refused; rows saved earlier may hold one.

    shown_config({"baseUrl": "https://u:s@ats.example.com"})
    # -> {"baseUrl": "https://***@ats.example.com"}
    """
    if isinstance(value, str):
        return _USERINFO.sub(r"\g<scheme>***@", value)
    if isinstance(value, dict):
        return {key: shown_config(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown_config(item) for item in value]
    return value


def build_integration(row: Row[Any]) -> Integration:
    m = row._mapping
    return Integration(
        pk=m["id"],
        provider=m["provider"],
        name=m["name"],
        environment=m["environment"],
        auth_type=m["auth_type"],
        status=m["status"],
        external_account_id=m["external_account_id"],
        config=cast(JSON, shown_config(m["config"] or {})),
        has_credentials=m["credentials_encrypted"] is not None,
        credentials_hint=m["credentials_hint"],
        has_webhook_secret=m["webhook_secret_encrypted"] is not None,
        sync_interval_minutes=m["sync_interval_minutes"],
        full_sync_interval_minutes=m["full_sync_interval_minutes"],
        last_sync_at=m["last_sync_at"],
        last_successful_sync_at=m["last_successful_sync_at"],
        last_health_check_at=m["last_health_check_at"],
        last_error=m["last_error"],
        last_error_at=m["last_error_at"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )
