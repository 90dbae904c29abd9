"""What each provider gives the contract suite (``tests/connectors/test_contract.py``).

A provider module ``tests/connectors/harness/<provider>.py`` exposes
``make_harness() -> ProviderHarness``: a fresh fake server with its faults, a way to
seed it, and a factory for a connector talking to it over an ASGI transport.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, Protocol, TypeVar

import httpx
from starlette.types import ASGIApp

from connectors.base import ConnectorBase
from demo.sandbox.faults import Faults

Sleep = Callable[[float], Awaitable[None]]
_Connector = TypeVar("_Connector", bound=ConnectorBase)


class ProviderHarness(Protocol):
    provider: str
    app: ASGIApp
    """The fake server, wrapped with ``faults`` (``demo.sandbox.faults.with_faults``)."""
    faults: Faults
    good_credentials: Mapping[str, str]
    bad_credentials: Mapping[str, str]

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Fill the fake with that many records (applications link seeded jobs and
        candidates); remote update times are in the past."""

    def touch_job(self, remote_id: str) -> None:
        """Mark one job as updated now, for ``updated_since`` reads."""

    def job_ids(self) -> list[str]:
        """Remote ids of every job the fake holds."""

    unknown_candidate_id: str
    """A candidate id in the provider's own format that the fake does not hold."""

    def add_candidate_without_applications(self) -> str:
        """Add a candidate who is in no job; their remote id."""

    def connector(
        self,
        client: httpx.AsyncClient,
        *,
        credentials: Mapping[str, str] | None = None,
        sleep: Sleep,
        page_size: int = 5,
    ) -> ConnectorBase:
        """A connector for this fake: ``client`` already routes to ``app``; the
        connector's base URL is whatever its default is (the transport ignores hosts);
        ``page_size`` goes in the integration config as ``pageSize``."""


class ConnectorOfFake(Generic[_Connector]):
    """``ProviderHarness.connector`` for a harness of ``connector_class``: the harness's
    good credentials unless others are given, ``config(page_size)`` as the integration
    config and ``test:<provider>`` as the integration."""

    provider: str
    good_credentials: Mapping[str, str]
    connector_class: type[_Connector]

    def config(self, page_size: int) -> Mapping[str, object]:
        return {"pageSize": page_size}

    def connector(
        self,
        client: httpx.AsyncClient,
        *,
        credentials: Mapping[str, str] | None = None,
        sleep: Sleep,
        page_size: int = 5,
    ) -> _Connector:
        return self.connector_class.create(
            client,
            self.good_credentials if credentials is None else credentials,
            self.config(page_size),
            integration=f"test:{self.provider}",
            sleep=sleep,
        )
