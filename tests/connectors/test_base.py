"""The template ``ConnectorBase.create``: a connector that only declares its hooks is
built, checked and wired by it, and every registered provider goes through it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.assembly import Choice, ConnectorSettings, Count, reader_of, setting
from connectors.base import ConnectorBase
from connectors.errors import ConfigurationError
from connectors.http import ApiKeyHeaderAuth
from connectors.models import CheckResult
from connectors.registry import PACKAGES, connector_class, provider_spec
from tests.support.serving import served_on_loopback

PROD = "https://api.echo.test/v1"
STAGE = "https://stage.echo.test/v1"


class EchoAuth(ApiKeyHeaderAuth):
    header = "X-Echo-Token"


@dataclass(frozen=True, kw_only=True)
class EchoSettings(ConnectorSettings):
    page_size: int = setting("pageSize", Count(default=25, maximum=50))
    region: str = setting("region", Choice(("eu", "us"), default="eu"))


class EchoConnector(ConnectorBase):
    """Declares hooks and nothing else; ``check`` asks the server what it received."""

    provider = "echo"
    required_credentials = ("token",)
    settings_model = EchoSettings
    settings: EchoSettings
    base_url = {"prod": PROD, "stage": STAGE}

    @classmethod
    def auth_for(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> EchoAuth:
        return EchoAuth(credentials["token"])

    async def check(self) -> CheckResult:
        seen = await self.http.get_json("/echo", params={"limit": self.page_size})
        return CheckResult(ok=True, detail=repr(seen))


class Unaddressed(ConnectorBase):
    provider = "unaddressed"


def echo(config: Mapping[str, Any], credentials: Mapping[str, str] | None = None) -> EchoConnector:
    return EchoConnector.create(
        httpx.AsyncClient(),
        {"token": "t0k"} if credentials is None else credentials,
        config,
        integration="1:echo",
    )


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "path": request.url.path,
            "token": request.headers.get("x-echo-token"),
            "accept": request.headers.get("accept"),
            "limit": request.query_params.get("limit"),
        }
    )


@pytest.fixture
async def echo_origin() -> AsyncIterator[str]:
    app = Starlette(routes=[Route("/v1/echo", _echo)])
    async with served_on_loopback(app) as loopback:
        yield loopback.url


# --- the template, on a connector that only declares ---------------------------------


def test_a_connector_that_declares_hooks_is_created_with_its_defaults() -> None:
    connector = echo({})

    assert isinstance(connector, EchoConnector)
    assert connector.page_size == 25
    assert connector.settings.region == "eu"
    assert connector.http.base_url == PROD
    assert isinstance(connector.http.auth, EchoAuth)
    assert connector.http.headers == {"Accept": "application/json"}
    assert connector.http.integration == "1:echo"
    assert connector.context.config == {}
    assert connector.context.credentials == {"token": "t0k"}


def test_the_environment_picks_the_default_address_and_baseUrl_overrides_it() -> None:
    assert echo({"environment": "stage"}).http.base_url == STAGE
    assert echo({"environment": " Staging "}).http.base_url == STAGE
    assert echo({"environment": "production"}).http.base_url == PROD
    assert echo({"environment": "stage", "baseUrl": "https://own.test/"}).http.base_url == (
        "https://own.test"
    )


def test_declared_settings_are_read_from_the_config() -> None:
    connector = echo({"pageSize": 50, "region": " US "})

    assert connector.page_size == 50
    assert connector.settings.region == "us"


async def test_the_created_connector_sends_its_auth_and_headers_over_real_http(
    echo_origin: str,
) -> None:
    async with httpx.AsyncClient() as client:
        connector = EchoConnector.create(
            client, {"token": "t0k"}, {"baseUrl": f"{echo_origin}/v1"}, integration="1:echo"
        )
        result = await connector.check()

    assert result.detail == repr(
        {"path": "/v1/echo", "token": "t0k", "accept": "application/json", "limit": "25"}
    )


@pytest.mark.parametrize("credentials", [{}, {"token": ""}, {"other": "x"}])
def test_a_missing_or_empty_credential_is_refused_by_name(credentials: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match=r"^missing credential 'token'$"):
        echo({}, credentials)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"region": "mars"}, "region must be 'eu' or 'us', got 'mars'"),
        ({"environment": "sandbox"}, "environment must be 'prod' or 'stage', got 'sandbox'"),
        ({"pageSize": 0}, "pageSize must be a whole number from 1 to 50, got 0"),
        ({"pageSize": 51}, "pageSize must be a whole number from 1 to 50, got 51"),
        ({"pageSize": "10"}, "pageSize must be a whole number from 1 to 50, got '10'"),
        ({"pageSize": True}, "pageSize must be a whole number from 1 to 50, got True"),
        ({"pageSize": 2.5}, "pageSize must be a whole number from 1 to 50, got 2.5"),
    ],
)
def test_bad_config_is_refused_naming_the_key_and_the_value(
    config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        echo(config)
    assert refused.value.message == message


def test_a_very_long_bad_value_is_shortened_in_the_message() -> None:
    with pytest.raises(ConfigurationError) as refused:
        echo({"pageSize": "x" * 1_000})
    assert len(refused.value.message) < 150


def test_a_connector_with_no_default_address_needs_baseUrl() -> None:
    with pytest.raises(ConfigurationError, match=r"^unaddressed needs config baseUrl$"):
        Unaddressed.create(httpx.AsyncClient(), {}, {}, integration="2:unaddressed")
    connector = Unaddressed.create(
        httpx.AsyncClient(), {}, {"baseUrl": "https://x.test"}, integration="2:unaddressed"
    )
    assert connector.http.base_url == "https://x.test"
    assert connector.http.auth is None


# --- every registered provider -------------------------------------------------------


def _credentials(provider: str) -> dict[str, str]:
    names = connector_class(provider).required_credentials
    return {name: f"https://{name.lower()}.test" for name in names}


def _create(provider: str, config: Mapping[str, Any], **credentials: str) -> ConnectorBase:
    cls: type[ConnectorBase] = provider_spec(provider).connector
    return cls.create(
        httpx.AsyncClient(),
        {**_credentials(provider), **credentials},
        config,
        integration=f"1:{provider}",
    )


def _page_size(provider: str) -> Count:
    cls: Any = connector_class(provider)
    count = reader_of(cls.settings_model, "pageSize")
    assert isinstance(count, Count)
    return count


@pytest.mark.parametrize("provider", sorted(PACKAGES))
def test_every_provider_is_made_by_the_template(provider: str) -> None:
    cls: Any = connector_class(provider)
    assert "create" not in vars(cls)
    connector = _create(provider, {"environment": "prod"})
    assert connector.page_size == _page_size(provider).default
    assert connector.http.base_url.startswith("https://")


@pytest.mark.parametrize("provider", sorted(PACKAGES))
def test_every_required_credential_is_checked_for_every_provider(provider: str) -> None:
    for name in connector_class(provider).required_credentials:
        with pytest.raises(ConfigurationError, match=rf"^missing credential '{name}'$"):
            _create(provider, {}, **{name: ""})


@pytest.mark.parametrize("provider", sorted(PACKAGES))
@pytest.mark.parametrize("value", ["many", "", [], {"size": 5}, "12.5"])
def test_a_page_size_that_is_no_number_is_refused_by_every_provider(
    provider: str, value: object
) -> None:
    with pytest.raises(ConfigurationError, match=r"^pageSize must be"):
        _create(provider, {"pageSize": value})


@pytest.mark.parametrize("provider", sorted(PACKAGES))
def test_a_page_size_out_of_bounds_never_reaches_the_api(provider: str) -> None:
    """Refused where the provider declares it strict; brought to the nearest bound where
    it declares clamping (its API would cap it anyway)."""
    count = _page_size(provider)
    too_large = (count.maximum or 10**6) + 1
    for value, bound in [(count.minimum - 1, count.minimum), (-5, count.minimum)] + (
        [(too_large, count.maximum)] if count.maximum is not None else []
    ):
        if count.clamp:
            assert _create(provider, {"pageSize": value}).page_size == bound
        else:
            with pytest.raises(ConfigurationError, match=r"^pageSize must be"):
                _create(provider, {"pageSize": value})


@pytest.mark.parametrize("provider", sorted(PACKAGES))
def test_a_page_size_within_bounds_is_taken_as_given(provider: str) -> None:
    count = _page_size(provider)
    for value in {count.minimum, count.default, count.maximum or 1_000}:
        assert _create(provider, {"pageSize": value}).page_size == value
