"""The providers: one line each, naming the package that declares it.

    spec = provider_spec("greenhouse")        # the package's PROVIDER (connectors.kit)
    cls = connector_class("recruiterflow")
    connector = cls.create(client, credentials, config, integration="7:recruiterflow")

A provider's package is imported on first use; listing the slugs imports nothing, so
``gateway.store.enums.Provider`` can be built from them.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping
from functools import cache
from typing import Any, Protocol

import httpx
from aiolimiter import AsyncLimiter

from connectors.base import Capability, ConnectorBase
from connectors.errors import ConfigurationError
from connectors.http import Sleep
from connectors.kit.provider import ProviderSpec

PACKAGES: dict[str, str] = {
    "recruiterflow": "connectors.recruiterflow",
    "jobvite": "connectors.jobvite",
    "workday": "connectors.workday",
    "bpoc": "connectors.bpoc",
    "greenhouse": "connectors.greenhouse",
    "workable": "connectors.workable",
    "ashby": "connectors.ashby",
    "lever": "connectors.lever",
}


class ConnectorFactory(Protocol):
    required_credentials: tuple[str, ...]
    capabilities: Capability

    def create(
        self,
        client: httpx.AsyncClient,
        credentials: Mapping[str, str],
        config: Mapping[str, Any],
        *,
        integration: str,
        sleep: Sleep = asyncio.sleep,
        rate_limit: AsyncLimiter | None = None,
    ) -> ConnectorBase: ...


@cache
def provider_spec(provider: str) -> ProviderSpec:
    try:
        package = PACKAGES[provider]
    except KeyError as exc:
        raise ConfigurationError(f"no connector for provider {provider!r}") from exc
    spec = getattr(importlib.import_module(package), "PROVIDER", None)
    if not isinstance(spec, ProviderSpec) or spec.slug != provider:
        raise ConfigurationError(f"{package} declares no PROVIDER for {provider!r}")
    return spec


def provider_specs() -> list[ProviderSpec]:
    return [provider_spec(slug) for slug in PACKAGES]


def connector_class(provider: str) -> ConnectorFactory:
    factory: ConnectorFactory = provider_spec(provider).connector
    return factory
