"""The identity providers a tenant signs in through, as ``TALENTGRAPH_OIDC_ISSUERS`` says.

    TALENTGRAPH_OIDC_ISSUERS='[{"issuer": "https://login.example.com/realms/acme",
                                "audience": "talentgraph", "tenant": "acme",
                                "roleMap": {"tg-admins": "ADMIN"}, "defaultRole": "READONLY"}]'

One entry per (issuer, audience): a tenant with two identity providers has two entries,
and one provider serving several tenants either has one entry per client id, or one entry
listing ``tenants`` whose tokens name theirs in ``tenantClaim``. Validated when the
settings are read, so a typo stops the start with the entry and field it concerns.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from gateway.store.enums import Role

ROLE_PRIVILEGE = (Role.ADMIN, Role.RECRUITER, Role.READONLY)
"""Most privileged first: of several mapped values in a token, the first of these wins."""

_DEFAULT_ROLE_MAP = {role.value: role for role in Role}


def is_loopback_host(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def require_https(url: str, what: str) -> str:
    """``url`` when it is https, or http to this machine (local identity providers and
    tests); anything else could hand us keys through a man in the middle."""
    parts = urlsplit(url)
    if not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{what} must be an absolute URL without query or fragment: {url!r}")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.hostname)):
        return url
    raise ValueError(f"{what} must use https (http only to localhost): {url!r}")


def _role(value: Any) -> Role:
    if isinstance(value, Role):
        return value
    if isinstance(value, str):
        try:
            return Role(value.strip().lower())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a role; use ADMIN, RECRUITER or READONLY")


class OidcIssuer(BaseModel):
    """One identity provider (``issuer``) and the client id its tokens must name
    (``audience``), and how its users map onto a tenant's users."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    issuer: str = Field(min_length=1)
    """Exactly as the provider writes it in ``iss`` (trailing slash and all)."""
    audience: str = Field(min_length=1)
    """The client id; a token's ``aud`` must contain it."""
    tenant: str | None = None
    """Every user of this provider belongs to this tenant (slug)."""
    tenants: tuple[str, ...] = ()
    """Or: the tenants this provider may sign in to, the token naming one in ``tenantClaim``."""
    tenant_claim: str = "tenant"
    role_claim: str | None = "role"
    """The claim (a string or a list of strings) carrying the user's role at the provider;
    ``null`` leaves roles to talentgraph's admins."""
    role_map: dict[str, Role] = Field(default_factory=lambda: dict(_DEFAULT_ROLE_MAP))
    """Provider values -> ADMIN / RECRUITER / READONLY; by default our own role names."""
    email_claim: str = "email"
    provision: bool = True
    """Create the user at their first sign-in; off, only existing users (by email) get in."""
    default_role: Role = Role.READONLY
    """The role of a provisioned user, and of anyone whose role claim maps to nothing."""

    @field_validator("issuer")
    @classmethod
    def _issuer_is_https(cls, value: str) -> str:
        return require_https(value, "issuer")

    @field_validator("default_role", mode="before")
    @classmethod
    def _default_role(cls, value: Any) -> Role:
        return _role(value)

    @field_validator("role_map", mode="before")
    @classmethod
    def _role_map(cls, value: Any) -> dict[str, Role]:
        if not isinstance(value, dict):
            raise ValueError("roleMap must be an object of provider value -> role")
        return {str(key): _role(role) for key, role in value.items()}

    @model_validator(mode="after")
    def _one_way_to_the_tenant(self) -> OidcIssuer:
        if (self.tenant is None) == (not self.tenants):
            raise ValueError(
                f"issuer {self.issuer}: give either 'tenant' (one tenant) or 'tenants' "
                "(the tenants its tokens may name in 'tenantClaim')"
            )
        return self

    def allows_tenant(self, slug: str) -> bool:
        return slug == self.tenant or slug in self.tenants


def check_issuers(issuers: list[OidcIssuer]) -> list[OidcIssuer]:
    """Refuses two entries for the same issuer and audience: a token would fit both."""
    seen: set[tuple[str, str]] = set()
    for entry in issuers:
        key = (entry.issuer, entry.audience)
        if key in seen:
            raise ValueError(
                f"issuer {entry.issuer} with audience {entry.audience!r} is configured twice; "
                "list its tenants in one entry's 'tenants' instead"
            )
        seen.add(key)
    return issuers
