"""An issuer's keys against a real local issuer: fetched once for many waiting requests,
kept for the ``max-age`` it sends (within bounds), renewed in the background once stale,
and kept in use while the issuer is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from gateway.oidc.fetch import IdentityProviderUnavailable
from gateway.oidc.keys import IssuerKeys, KeyPolicy, cache_seconds, signing_keys
from tests.support.oidc_issuer import LocalIssuer, SigningKey

QUICK = KeyPolicy(
    timeout=1.0,
    default_seconds=60.0,
    min_seconds=0.3,
    max_seconds=1.0,
    unknown_kid_cooldown=60.0,
    retry_after_failure=0.5,
)


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 60.0),
        ("public, max-age=0.5", 60.0),
        ("max-age=0", 0.3),
        ("public, max-age=1", 1.0),
        ("MAX-AGE=7200", 1.0),
        ("no-store", 0.3),
        ("max-age=1, no-cache", 0.3),
        ("s-maxage=1", 60.0),
    ],
)
def test_max_age_is_honoured_within_bounds(header: str | None, seconds: float) -> None:
    assert cache_seconds(header, QUICK) == seconds


async def test_waiting_requests_share_one_fetch() -> None:
    async with LocalIssuer() as issuer:
        keys = IssuerKeys(issuer.url, QUICK)
        rsa, ec = issuer.key("RSA"), issuer.key("EC")
        found = await asyncio.gather(
            *(keys.key_for(key.kid, key.algorithm) for key in [rsa, ec] * 10)
        )
        assert {jwk.key_id for jwk in found} == {rsa.kid, ec.kid}
        assert (issuer.discovery_fetches, issuer.jwks_fetches) == (1, 1)
        await keys.aclose()


async def test_stale_keys_answer_at_once_while_one_background_fetch_renews_them() -> None:
    async with LocalIssuer() as issuer:
        issuer.cache_control = "max-age=0"
        keys = IssuerKeys(issuer.url, QUICK)
        rsa = issuer.key("RSA")
        await keys.key_for(rsa.kid, "RS256")
        await keys.key_for(rsa.kid, "RS256")
        assert issuer.jwks_fetches == 1, "fresh for the minimum of 0.3 s"
        await asyncio.sleep(0.4)
        issuer.hanging = True
        started = time.monotonic()
        await asyncio.gather(*(keys.key_for(rsa.kid, "RS256") for _ in range(5)))
        assert time.monotonic() - started < 0.5, "the stale keys answered, nobody waited"
        await until(lambda: issuer.jwks_fetches == 2)
        await keys.aclose()


async def test_keys_in_hand_serve_while_the_issuer_is_down_and_renew_when_it_is_back() -> None:
    issuer = await LocalIssuer().start()
    try:
        issuer.cache_control = "max-age=0"
        keys = IssuerKeys(issuer.url, QUICK)
        ec = issuer.key("EC")
        await keys.key_for(ec.kid, "ES256")
        await issuer.stop()
        await asyncio.sleep(0.4)
        for _ in range(3):
            assert (await keys.key_for(ec.kid, "ES256")).key_id == ec.kid
            await asyncio.sleep(0.3)
        await issuer.start()
        fetched = issuer.jwks_fetches
        await asyncio.sleep(0.6)
        await keys.key_for(ec.kid, "ES256")
        await until(lambda: issuer.jwks_fetches > fetched)
        await keys.aclose()
    finally:
        await issuer.stop()


async def test_without_keys_an_unreachable_issuer_is_refused_at_once_until_retry() -> None:
    issuer = LocalIssuer()
    keys = IssuerKeys(issuer.url, QUICK)
    with pytest.raises(IdentityProviderUnavailable, match="could not be reached"):
        await keys.key_for("any", "RS256")
    async with issuer:
        with pytest.raises(IdentityProviderUnavailable, match="retrying shortly"):
            await keys.key_for(issuer.key("RSA").kid, "RS256")
        assert issuer.discovery_fetches == 0
        await asyncio.sleep(QUICK.retry_after_failure)
        await keys.key_for(issuer.key("RSA").kid, "RS256")
        assert issuer.jwks_fetches == 1
    await keys.aclose()


async def test_a_discovery_document_for_another_issuer_is_refused() -> None:
    async with LocalIssuer() as issuer:
        keys = IssuerKeys(issuer.url + "/", QUICK)
        with pytest.raises(IdentityProviderUnavailable, match="describes issuer"):
            await keys.key_for(issuer.key("RSA").kid, "RS256")
        assert issuer.jwks_fetches == 0


def test_only_signing_keys_of_the_accepted_types_are_kept() -> None:
    rsa, ec = SigningKey.generate("RSA"), SigningKey.generate("EC")
    jwks = {
        "keys": [
            rsa.jwk(),
            ec.jwk(),
            {**rsa.jwk(), "kid": "enc", "use": "enc"},
            {**rsa.jwk(), "kid": "rs512", "alg": "RS512"},
            {**ec.jwk(), "kid": "p384", "crv": "P-384"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {**rsa.jwk(), "kid": "wrap-only", "key_ops": ["wrapKey"]},
            "not a key",
        ]
    }
    assert [(key.kid, key.algorithm) for key in signing_keys(jwks)] == [
        (rsa.kid, "RS256"),
        (ec.kid, "ES256"),
    ]
