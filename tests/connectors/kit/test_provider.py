"""The registry and the declarations it names: one line per provider gives the stored
and GraphQL value, the auth type, the webhook route and the scheme."""

from __future__ import annotations

import pytest

from connectors.base import ConnectorBase
from connectors.errors import ConfigurationError
from connectors.kit.provider import WebhookRoute
from connectors.registry import PACKAGES, provider_spec, provider_specs
from gateway.ingress import KEPT_HEADERS, routes
from gateway.store.enums import Provider


def test_every_registered_package_declares_its_provider() -> None:
    for spec in provider_specs():
        assert spec.slug in PACKAGES and spec.slug == spec.slug.lower() and len(spec.slug) <= 32
        assert issubclass(spec.connector, ConnectorBase)
        assert spec.auth in ("api_key", "hmac", "oauth2")
    with pytest.raises(ConfigurationError):
        provider_spec("nosuch")


def test_the_stored_provider_values_are_the_registry_s() -> None:
    assert [member.value for member in Provider] == list(PACKAGES)
    assert Provider("greenhouse") is Provider.GREENHOUSE


def test_each_provider_with_webhooks_gets_its_route_and_keeps_its_headers() -> None:
    paths = {route.path for route in routes()}
    for spec in provider_specs():
        if spec.webhook is None:
            assert not any(path.startswith(f"/webhooks/{spec.slug}/") for path in paths)
            continue
        expected = (
            f"/webhooks/{spec.slug}/{{company_id}}/{{topic:str}}"
            if spec.webhook_route is WebhookRoute.BY_ACCOUNT
            else f"/webhooks/{spec.slug}/{{integration_id}}"
        )
        assert expected in paths
        assert spec.webhook.headers <= KEPT_HEADERS
    assert "/webhooks/standard/{integration_id}" in paths


def test_webhook_paths_per_route_kind() -> None:
    assert provider_spec("greenhouse").webhook_paths(9, None) == ["greenhouse/9"]
    jobvite = provider_spec("jobvite")
    assert jobvite.webhook_paths(9, None) == []
    assert jobvite.webhook_paths(9, "a/b") == ["jobvite/a%2Fb/candidate", "jobvite/a%2Fb/job"]
    assert provider_spec("workday").webhook_paths(9, "x") == []
