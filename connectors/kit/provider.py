"""``ProviderSpec``: everything the gateway needs to know about a provider, in one
declaration in the provider's own package.

    PROVIDER = ProviderSpec(
        slug="greenhouse",
        title="Greenhouse",
        connector=GreenhouseConnector,
        auth="oauth2",
        webhook=GREENHOUSE_WEBHOOKS,          # connectors.kit.webhooks
    )

``connectors.registry`` names each provider's package in one line; from the spec the
gateway derives the rest: the ``Provider`` value stored and shown in GraphQL, the
integration's auth type, the webhook route ``/webhooks/<slug>/{integration_id}`` and
the ``webhookUrls`` it shows, the scheme that verifies deliveries and reads their
events, and the contract suite's registration (``tests/connectors/harness/<slug>.py``
by name). The demo finds a provider's fake the same way (``demo/sandbox/<slug>``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from connectors.base import ConnectorBase
    from connectors.kit.webhooks import WebhookScheme

AuthKind = Literal["api_key", "hmac", "oauth2"]
"""How the integration's credentials authenticate (``Integration.auth_type``)."""


class WebhookRoute(StrEnum):
    BY_INTEGRATION = "by_integration"
    """``/webhooks/<slug>/{integration_id}``: one URL per integration."""
    BY_ACCOUNT = "by_account"
    """``/webhooks/<slug>/{account}/{topic}``: the sender's account id (the
    integration's ``externalAccountId``) picks the integration, and the sender splits
    its hooks by topic (Jobvite's candidate and job URLs)."""


@dataclass(frozen=True, kw_only=True)
class OAuthSpec:
    """The vendor's OAuth 2.0 authorization-code flow, for integrations made with
    ``authType: OAUTH2`` (an integration's ``config.authorizeUrl``/``tokenUrl`` win).

    ``endpoints`` takes the integration's credentials and gives (authorize URL, token
    URL), raising ``ConfigurationError`` with the reason when the credentials lack what
    it needs (Workday's tenant)."""

    endpoints: Callable[[Mapping[str, str]], tuple[str, str]]
    client_in_form: bool = False
    """The code exchange sends the client id and secret as form fields, not Basic."""
    credentials: tuple[str, ...] | None = None
    """What an OAuth integration needs before the flow (else ``required_credentials``);
    the tokens the flow stores are never asked for."""


@dataclass(frozen=True, kw_only=True)
class ProviderSpec:
    slug: str
    """Lower-case, stored with each integration and part of URLs; at most 32 characters."""
    title: str
    connector: type[ConnectorBase]
    auth: AuthKind
    webhook: WebhookScheme | None = None
    webhook_route: WebhookRoute = WebhookRoute.BY_INTEGRATION
    webhook_topics: tuple[str, ...] = ()
    """The topics of a ``BY_ACCOUNT`` route."""
    oauth: OAuthSpec | None = None
    rate_per_second: float | None = None
    """The vendor's documented request rate per API key; integrations send no faster
    unless their config says ``rateLimitPerSecond``."""

    def webhook_paths(self, integration_id: int, account: str | None) -> list[str]:
        """Paths under ``/webhooks`` where this provider's sender posts for one
        integration (none while a ``BY_ACCOUNT`` integration has no account id)."""
        if self.webhook is None:
            return []
        if self.webhook_route is WebhookRoute.BY_ACCOUNT:
            if not account:
                return []
            from urllib.parse import quote

            company = quote(account, safe="")
            return [f"{self.slug}/{company}/{topic}" for topic in self.webhook_topics]
        return [f"{self.slug}/{integration_id}"]
