"""A real OpenID Connect issuer on a loopback port, for tests of sign-in.

It serves ``/.well-known/openid-configuration`` and the JWKS it names over real HTTP
(uvicorn), holds RSA 2048 and EC P-256 keys made with ``cryptography``, signs tokens
with PyJWT, rotates its keys, counts what it was asked for, and can be stopped, started
again on the same port, or made to hang.

    async with LocalIssuer() as issuer:
        token = issuer.token(email="admin@demo.example", aud="talentgraph-web")
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.serving import free_port, served_on_loopback

KeyKind = Literal["RSA", "EC"]
ALGORITHM = {"RSA": "RS256", "EC": "ES256"}


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, kind: KeyKind) -> SigningKey:
        private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if kind == "RSA"
            else ec.generate_private_key(ec.SECP256R1())
        )
        return cls(f"{kind.lower()}-{uuid.uuid4().hex[:12]}", ALGORITHM[kind], private)

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        entry = (
            RSAAlgorithm.to_jwk(public, as_dict=True)
            if isinstance(public, rsa.RSAPublicKey)
            else ECAlgorithm.to_jwk(public, as_dict=True)
        )
        return {**entry, "kid": self.kid, "use": "sig", "alg": self.algorithm}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class LocalIssuer:
    def __init__(self, *, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.keys: list[SigningKey] = [SigningKey.generate("RSA"), SigningKey.generate("EC")]
        self.discovery_fetches = 0
        self.jwks_fetches = 0
        self.cache_control: str | None = None
        self.hanging = False
        self._release = asyncio.Event()
        self._serving: contextlib.AsyncExitStack | None = None
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
            ]
        )

    # serving

    async def _discovery(self, _request: Request) -> JSONResponse:
        self.discovery_fetches += 1
        await self._maybe_hang()
        return JSONResponse(
            {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks",
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            }
        )

    async def _jwks(self, _request: Request) -> JSONResponse:
        self.jwks_fetches += 1
        await self._maybe_hang()
        headers = {"cache-control": self.cache_control} if self.cache_control else None
        return JSONResponse({"keys": [key.jwk() for key in self.keys]}, headers=headers)

    async def _maybe_hang(self) -> None:
        if self.hanging:
            await self._release.wait()

    async def start(self) -> LocalIssuer:
        self._release = asyncio.Event()
        serving = contextlib.AsyncExitStack()
        await serving.enter_async_context(served_on_loopback(self.app, port=self.port))
        self._serving = serving
        return self

    async def stop(self) -> None:
        self._release.set()
        if self._serving is not None:
            await self._serving.aclose()
        self._serving = None

    async def __aenter__(self) -> LocalIssuer:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    # keys

    def key(self, kind: KeyKind = "RSA") -> SigningKey:
        return next(key for key in self.keys if key.algorithm == ALGORITHM[kind])

    def rotate(self, kind: KeyKind = "RSA") -> SigningKey:
        """A new key of ``kind`` replaces the published one (which is gone from the JWKS)."""
        new = SigningKey.generate(kind)
        self.keys = [key for key in self.keys if key.algorithm != new.algorithm] + [new]
        return new

    # tokens

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": uuid.uuid4().hex,
            "aud": "talentgraph-web",
            "iat": now,
            "exp": now + 300,
            "email": "someone@demo.example",
            "email_verified": True,
            "name": "Some One",
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(
        self,
        *,
        key: SigningKey | None = None,
        kind: KeyKind = "RSA",
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """A token signed like the provider signs them; a claim passed as ``None`` is left out."""
        key = key or self.key(kind)
        return jwt.encode(
            self.claims(**claims),
            key.private,
            algorithm=key.algorithm,
            headers={"kid": key.kid, **(headers or {})},
        )


def hs256_token(claims: dict[str, Any], secret: bytes, headers: dict[str, Any]) -> str:
    """An HS256 token keyed with any bytes (PyJWT refuses a PEM as an HMAC secret,
    which is exactly the forgery an alg-confusion attack would send)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", **headers}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"
