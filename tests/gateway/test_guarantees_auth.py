"""A token must name this gateway as its issuer.

Tokens signed with the right secret by something else (another service sharing the
secret, a tool minting test tokens) carry another ``iss`` or none; the gateway refuses
them, both when decoding and at ``/graphql``. The same claims with the right issuer are
accepted, so the refusals can only come from the issuer.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from gateway.auth import ALGORITHM, ISSUER, AuthenticationError, decode_token
from gateway.store.models.tenancy import TOKEN_VERSION_NEW_USER
from tests.support.gateway import JWT_SECRET, Gateway

ME = "{ me { id role } }"
MISSING = object()

WRONG_ISSUERS: dict[str, Any] = {
    "another-issuer": "someone-else",
    "missing": MISSING,
    "empty": "",
    "other-case": ISSUER.capitalize(),
    "with-suffix": f"{ISSUER}.example",
}


def _token(
    issuer: Any,
    *,
    tenant_id: int = 1,
    user_id: int = 1,
    role: str = "admin",
    **changed: Any,
) -> str:
    """What ``issue_token`` signs, with ``issuer`` as the ``iss`` (none for MISSING) and
    the ``changed`` claims (MISSING drops one)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "tid": tenant_id,
        "tenant": "demo",
        "role": role,
        "ver": TOKEN_VERSION_NEW_USER,
        "iat": now,
        "exp": now + 3600,
    }
    if issuer is not MISSING:
        claims["iss"] = issuer
    claims.update(changed)
    claims = {name: value for name, value in claims.items() if value is not MISSING}
    return jwt.encode(claims, JWT_SECRET, algorithm=ALGORITHM)


BAD_CLAIMS: dict[str, dict[str, Any]] = {
    "no expiry": {"exp": MISSING},
    "no subject": {"sub": MISSING},
    "version true": {"ver": True},
    "negative version": {"ver": -1},
    "version as text": {"ver": "1"},
    "unknown role": {"role": "owner"},
    "tenant id as text": {"tid": "one"},
}


@pytest.mark.parametrize("changed", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
def test_a_rightly_signed_token_with_a_bad_claim_does_not_decode(changed: dict[str, Any]) -> None:
    """A token that never expires, or whose version could never match a user's, is as
    good as a forged one."""
    with pytest.raises(AuthenticationError, match="invalid token"):
        decode_token(JWT_SECRET, _token(ISSUER, **changed))


def test_the_right_issuer_decodes() -> None:
    claims = decode_token(JWT_SECRET, _token(ISSUER, user_id=7))
    assert claims.user_id == 7


@pytest.mark.parametrize("issuer", WRONG_ISSUERS.values(), ids=WRONG_ISSUERS.keys())
def test_a_token_of_another_issuer_does_not_decode(issuer: Any) -> None:
    with pytest.raises(AuthenticationError, match="invalid token"):
        decode_token(JWT_SECRET, _token(issuer))


def _as_admin(gateway: Gateway, issuer: Any) -> str:
    demo = gateway.tenants["demo"]
    return _token(issuer, tenant_id=demo.tenant_id, user_id=demo.admin_user_id)


async def test_the_right_issuer_is_let_in(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": ME},
        headers={"authorization": f"Bearer {_as_admin(gateway, ISSUER)}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"]["role"] == "ADMIN"


@pytest.mark.parametrize("issuer", WRONG_ISSUERS.values(), ids=WRONG_ISSUERS.keys())
async def test_a_token_of_another_issuer_is_401(gateway: Gateway, issuer: Any) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": ME},
        headers={"authorization": f"Bearer {_as_admin(gateway, issuer)}"},
    )
    assert response.status_code == 401, response.text
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
