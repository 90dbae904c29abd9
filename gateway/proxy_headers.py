"""The client's address, believing ``X-Forwarded-*`` only from trusted proxies.

    TALENTGRAPH_TRUSTED_PROXIES="10.0.0.0/8,127.0.0.1"

A request whose peer is one of ``trusted_proxies`` takes its client address from
``X-Forwarded-For``: the right-most entry that is not itself a trusted proxy (the
entries to its left were written by the client and prove nothing). Its scheme comes
from ``X-Forwarded-Proto``. A request from anyone else keeps its peer address, whatever
headers it sends, so rotating ``X-Forwarded-For`` buys an attacker nothing.

uvicorn's own proxy-header handling is switched off (``talentgraph serve``) because it
trusts loopback by default; this middleware is the only place the headers are read, so
``request.client.host`` is the address every rate limit and cap counts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(setting: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` -> networks; a bad entry is a ``ValueError`` naming it.

    >>> parse_networks("127.0.0.1, 10.0.0.0/8")
    (IPv4Network('127.0.0.1/32'), IPv4Network('10.0.0.0/8'))
    """
    networks: list[Network] = []
    for entry in setting.split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"trusted_proxies: {entry!r} is not an address or network") from exc
    return tuple(networks)


def _is_trusted(host: str, networks: Iterable[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client address behind a trusted ``peer``.

    >>> nets = parse_networks("10.0.0.1")
    >>> forwarded_client("10.0.0.1", "6.6.6.6, 203.0.113.9", nets)
    '203.0.113.9'
    >>> forwarded_client("198.51.100.7", "203.0.113.9", nets)
    '198.51.100.7'
    """
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return hops[0] if hops else peer


class TrustedProxies:
    """ASGI middleware: rewrite ``scope["client"]`` and ``scope["scheme"]`` for requests
    that came through a trusted proxy; leave everything else as the socket says."""

    def __init__(self, app: ASGIApp, trusted: str = "") -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.networks and scope.get("client"):
            peer, port = scope["client"]
            if _is_trusted(peer, self.networks):
                headers = dict(scope.get("headers") or [])
                forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
                client = forwarded_client(peer, forwarded, self.networks)
                scope = dict(scope)
                scope["client"] = (client, port)
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
                if proto in ("http", "https"):
                    secure = proto == "https"
                    if scope["type"] == "websocket":
                        scope["scheme"] = "wss" if secure else "ws"
                    else:
                        scope["scheme"] = proto
        await self.app(scope, receive, send)
