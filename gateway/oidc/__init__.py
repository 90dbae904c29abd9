"""Sign-in through an organisation's identity provider (OpenID Connect).

Frontends present the provider's ID or access token (a JWT) as the bearer token; the
gateway's own HS256 tokens keep working beside them. The pieces, in the order a token
meets them:

- ``config``: ``TALENTGRAPH_OIDC_ISSUERS``, one entry per issuer and client id;
- ``verify``: the token proven with the issuer's keys and its claims checked;
- ``keys`` (over ``discovery`` and ``fetch``): each issuer's JWKS, cached, shared,
  refetched for a rotated key, kept while the provider is away;
- ``provisioning``: the tenant's user with that email, created at the first sign-in;
- ``signin``: `OidcSignIn`, what ``gateway.services.principals`` asks.
"""

from gateway.oidc.config import OidcIssuer
from gateway.oidc.fetch import IdentityProviderUnavailable

__all__ = ["IdentityProviderUnavailable", "OidcIssuer"]
