"""``connectors.passthrough`` without a server: the host check made after joining, the
allow-list matched segment-wise, every provider declaring one, and the answer's safe
headers and size cap."""

from __future__ import annotations

import httpx
import pytest

from connectors.errors import PassthroughRefusedError
from connectors.http import HttpClient
from connectors.passthrough import (
    MAX_RESPONSE_BYTES,
    answer_of,
    checked_path,
    target_url,
)
from connectors.registry import PACKAGES, connector_class


def http(base_url: str) -> HttpClient:
    return HttpClient(httpx.AsyncClient(), base_url=base_url, integration="1:test")


def test_the_joined_url_must_stay_on_the_base_host_and_path() -> None:
    client = http("https://api.example.com/api/v2")
    assert str(target_url(client, "/job")) == "https://api.example.com/api/v2/job"
    for elsewhere in ("https://evil.com/x", "http://api.example.com/api/v2/job"):
        with pytest.raises(PassthroughRefusedError) as refused:
            target_url(client, elsewhere)
        assert refused.value.field == "path"


def test_prefixes_match_whole_segments() -> None:
    allowed = ("/jobs", "/agency/recruiters/")
    assert checked_path("jobs/7", allowed) == "/jobs/7"
    assert checked_path("/agency/recruiters", allowed) == "/agency/recruiters"
    for outside in ("/jobsx", "/agency", "/jobs%2F..%2Fadmin", "/%6aobs/7"):
        with pytest.raises(PassthroughRefusedError):
            checked_path(outside, allowed)


def test_no_allow_list_no_passthrough() -> None:
    with pytest.raises(PassthroughRefusedError, match="allows no passthrough"):
        checked_path("/jobs", ())


@pytest.mark.parametrize("provider", sorted(PACKAGES))
def test_every_provider_declares_its_passthrough_paths(provider: str) -> None:
    paths = getattr(connector_class(provider), "passthrough_paths", ())
    assert paths and all(path.startswith("/") for path in paths)


def test_answers_keep_safe_headers_and_are_capped() -> None:
    response = httpx.Response(
        200,
        headers={"content-type": "application/json", "set-cookie": "s=1", "x-total-count": "3"},
        content=b'{"a": 1}',
    )
    answer = answer_of(response)
    assert answer.headers == {"content-type": "application/json", "x-total-count": "3"}
    assert answer.body == {"a": 1} and not answer.truncated

    big = httpx.Response(
        200, headers={"content-type": "application/json"}, content=b"[" + b"1," * MAX_RESPONSE_BYTES
    )
    cut = answer_of(big)
    assert cut.truncated and isinstance(cut.body, str) and len(cut.body) == MAX_RESPONSE_BYTES
