"""Sign-in through the configured identity providers: a bearer token whose ``iss`` is
one of them -> the `Principal` of the tenant's user it names."""

from __future__ import annotations

from collections import defaultdict

from gateway.auth import Principal
from gateway.oidc.config import OidcIssuer
from gateway.oidc.keys import IssuerKeys, KeyPolicy
from gateway.oidc.provisioning import principal_for_identity
from gateway.oidc.verify import unverified_issuer, verify
from gateway.settings import Settings
from gateway.store.engine import SessionFactory
from gateway.store.reader import Reader


class OidcSignIn:
    def __init__(
        self,
        issuers: list[OidcIssuer],
        sessions: SessionFactory,
        policy: KeyPolicy = KeyPolicy(),
        leeway: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.leeway = leeway
        self.entries: dict[str, list[OidcIssuer]] = defaultdict(list)
        for entry in issuers:
            self.entries[entry.issuer].append(entry)
        self.keys = {issuer: IssuerKeys(issuer, policy) for issuer in self.entries}

    @classmethod
    def from_settings(cls, settings: Settings, sessions: SessionFactory) -> OidcSignIn:
        policy = KeyPolicy(
            timeout=settings.oidc_fetch_timeout_seconds,
            default_seconds=settings.oidc_jwks_cache_seconds,
            unknown_kid_cooldown=settings.oidc_unknown_kid_refetch_seconds,
            retry_after_failure=settings.oidc_retry_after_failure_seconds,
        )
        return cls(settings.oidc_issuers, sessions, policy, settings.oidc_leeway_seconds)

    def issuer_of(self, token: str) -> str | None:
        """The configured issuer ``token`` claims to come from, ``None`` for any other
        token (this gateway's own among them). Unproven: it only picks whose keys the
        token must verify with."""
        if not self.entries:
            return None
        issuer = unverified_issuer(token)
        return issuer if issuer in self.entries else None

    async def principal(self, reader: Reader, issuer: str, token: str) -> Principal:
        identity = await verify(token, issuer, self.entries[issuer], self.keys[issuer], self.leeway)
        return await principal_for_identity(reader, self.sessions, identity)

    async def aclose(self) -> None:
        for keys in self.keys.values():
            await keys.aclose()
