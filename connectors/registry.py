"""Provider slug -> connector class, imported on first use.

cls = connector_class("recruiterflow")
connector = cls.create(client, credentials, config, integration="7:recruiterflow")
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping
from typing import Any, Protocol

import httpx
from aiolimiter import AsyncLimiter

from connectors.base import Capability, ConnectorBase
from connectors.errors import ConfigurationError
from connectors.http import Sleep

PROVIDERS: dict[str, tuple[str, str]] = {
    "recruiterflow": ("connectors.recruiterflow", "RecruiterflowConnector"),
    "jobvite": ("connectors.jobvite", "JobviteConnector"),
    "workday": ("connectors.workday", "WorkdayConnector"),
    "bpoc": ("connectors.bpoc", "BpocConnector"),
    "greenhouse": ("connectors.greenhouse", "GreenhouseConnector"),
    "lever": ("connectors.lever", "LeverConnector"),
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


def connector_class(provider: str) -> ConnectorFactory:
    try:
        module_name, class_name = PROVIDERS[provider]
    except KeyError as exc:
        raise ConfigurationError(f"no connector for provider {provider!r}") from exc
    factory: ConnectorFactory = getattr(importlib.import_module(module_name), class_name)
    return factory
