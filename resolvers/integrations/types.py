from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway import links
from gateway.services.integrations import webhook_paths
from gateway.store.base import utcnow
from gateway.store.enums import AuthType, IntegrationEnvironment, IntegrationStatus, Provider
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.relay import Node, node_type, row_builder
from resolvers.type_fields import related_node
from resolvers.type_refs import SYNC_RUN


@node_type(
    "Integration",
    description="A connection to an external system. Secrets are never readable: "
    "`hasCredentials` and a masked `credentialsHint` say what is stored.",
)
class Integration(Node):
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

    last_sync = related_node(
        SYNC_RUN,
        loader="latest_sync_run_by_integration_id",
        description="The newest sync run, whatever its status.",
    )

    @strawberry.field(
        description="Where this integration's system should send webhooks: its own format "
        "first (Jobvite: the candidate and job URLs, once `externalAccountId` holds the "
        "company id), then the Standard Webhooks URL any sender may use. Signed with "
        "the integration's webhook secret."
    )
    def webhook_urls(self, info: Info) -> list[str]:
        base = links.for_caller(info.context.request, info.context.settings) + "/webhooks"
        native = webhook_paths(self.provider, self.pk, self.external_account_id)
        return [*(f"{base}/{path}" for path in native), f"{base}/standard/{self.pk}"]

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


build_integration = row_builder(
    Integration,
    config=lambda m: shown_config(m["config"] or {}),
    has_credentials=lambda m: m["credentials_encrypted"] is not None,
    has_webhook_secret=lambda m: m["webhook_secret_encrypted"] is not None,
)
