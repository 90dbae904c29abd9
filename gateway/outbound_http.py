"""Requests to URLs that tenants choose, without letting them reach our own network.

    url = target_url(" https://hooks.example.com/tg ")      # syntax only, or ValidationFailed
    await check_target(url, allow_private=False)            # resolves; UnsafeTarget if private
    reply = await post(client, url, body, headers, time_limit=5.0, allow_private=False)
    reply.status_code, reply.duration_ms, reply.excerpt, reply.error

A webhook URL is an invitation to server-side request forgery: ``http://169.254.169.254``
(cloud metadata), ``http://localhost:6379``, a name whose DNS answer is ``10.0.0.5``.
So the host is resolved (without blocking the event loop) and refused if any address
it resolves to is private, loopback, link-local, multicast, reserved, unspecified or
otherwise not globally routable, IPv4-mapped and 6to4 IPv6 addresses judged by the
IPv4 address inside. The check runs when a URL is saved and again before every
request, because DNS answers change; and the request then goes to the very address
that was checked (``Host`` and TLS SNI keep the name), so a second, different DNS
answer cannot slip in between check and connect. Such a connection is closed after
its one request: the client's pool knows it by address, and reusing it for another
name on the same address (shared hosting, a CDN) would send that name's request over a
TLS session made for the first. Redirects are never followed.
``webhook_allow_private_targets`` lifts the address rule (tests and private setups).

Connectors call URLs tenants chose too (``config.baseUrl``, a token URL), many times
over keep-alive connections, so their client checks at the socket instead:

    http = connector_client(settings)   # what connectors, syncs and health checks use

Its transport opens every connection itself: it resolves the name, refuses it if any
address is not public, and connects to an address it checked, TLS still verified for
the name; plain http is refused too. ``connector_allow_private_targets`` lifts both
rules. A refusal is ``connectors.errors.ForbiddenTargetError``, raised before any byte
is sent. In development, the loopback origins recorded in the data folder's
``sandboxes.json`` (``sandbox_origins``) pass too, and nothing else does: the hook by
which whoever serves local sandbox ATS servers (the demo, ``demo.sync``) opens them to
every process of that folder, without the core knowing the demo.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx

from connectors.errors import ForbiddenTargetError
from connectors.http import parse_retry_after
from gateway.errors import ValidationFailed
from gateway.settings import Settings

MAX_URL_LENGTH = 2048
EXCERPT_CHARS = 1000
RESOLVE_TIMEOUT_SECONDS = 5.0
_EXCERPT_BYTES = 4 * EXCERPT_CHARS

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValidationFailed):
    """The URL's host resolves to an address outside the public internet."""

    def __init__(self, message: str, field: str = "url") -> None:
        super().__init__(field, message)


def target_url(value: str, *, field: str = "url") -> httpx.URL:
    """An absolute http(s) URL with a host, no credentials and at most 2048 characters."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(field, f"{field} must not be empty")
    if len(text) > MAX_URL_LENGTH:
        raise ValidationFailed(field, f"{field} must be at most {MAX_URL_LENGTH} characters")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValidationFailed(field, f"{field} is not a valid URL") from exc
    if url.scheme not in ("http", "https"):
        raise ValidationFailed(field, f"{field} must be an http or https URL")
    if not url.host:
        raise ValidationFailed(field, f"{field} must name a host")
    if url.userinfo:
        raise ValidationFailed(field, f"{field} must not contain credentials")
    if url.fragment:
        raise ValidationFailed(field, f"{field} must not contain a fragment")
    return url


def forbidden_reason(address: IPAddress) -> str | None:
    """Why a request must not go to ``address``; ``None`` for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return forbidden_reason(embedded)
    for reason, flagged in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flagged:
            return reason
    return None if address.is_global else "not globally routable"


@dataclass(frozen=True, slots=True)
class Target:
    """Where to connect (the checked address) and the name the server expects."""

    url: httpx.URL
    host_header: str
    sni_hostname: str | None


async def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in found:
            found.append(address)
    return found


def _local_name(host: str) -> bool:
    """``localhost`` and its subdomains (RFC 6761), which need not be in DNS to be local."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


async def resolve_target(url: httpx.URL, *, allow_private: bool) -> Target:
    """The address to send to. ``UnsafeTarget`` if any address the name has is not
    public; ``OSError``/``TimeoutError`` if the name does not resolve."""
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    if not allow_private and _local_name(host):
        raise UnsafeTarget(f"{host} is a loopback name: refused")
    addresses = await _addresses(host, port)
    if not addresses:
        raise OSError(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            reason = forbidden_reason(address)
            if reason is not None:
                raise UnsafeTarget(f"{host} resolves to {address}, a {reason} address: refused")
    pinned = str(addresses[0])
    return Target(
        url=url.copy_with(host=pinned),
        host_header=url.netloc.decode("ascii"),
        sni_hostname=host if url.scheme == "https" else None,
    )


async def check_target(url: httpx.URL, *, allow_private: bool) -> None:
    """The save-time check: refuse an address that is not public. A name that does not
    resolve (yet) is accepted; delivery will say so and retry."""
    try:
        await resolve_target(url, allow_private=allow_private)
    except (OSError, TimeoutError):
        return


@dataclass(frozen=True, slots=True)
class Reply:
    """What one request got: a status, or an ``error`` when there was no answer."""

    status_code: int | None
    duration_ms: int
    excerpt: str | None = None
    error: str | None = None
    retry_after: float | None = None
    refused: bool = False
    """The target was refused before any request: retrying cannot help."""


async def _excerpt(response: httpx.Response) -> str:
    taken = bytearray()
    async for chunk in response.aiter_bytes():
        taken += chunk
        if len(taken) >= _EXCERPT_BYTES:
            break
    return taken.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


async def post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    time_limit: float,
    allow_private: bool,
) -> Reply:
    """POST ``body`` once, within ``time_limit`` seconds in all (resolving included); never
    raises for what the network or the server does."""
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        async with asyncio.timeout(time_limit):
            target = await resolve_target(target_url(url), allow_private=allow_private)
            extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
            async with client.stream(
                "POST",
                target.url,
                content=body,
                headers={**headers, "Host": target.host_header, "Connection": "close"},
                timeout=httpx.Timeout(time_limit),
                follow_redirects=False,
                extensions=extensions,
            ) as response:
                excerpt = await _excerpt(response)
                return Reply(
                    status_code=response.status_code,
                    duration_ms=elapsed(),
                    excerpt=excerpt,
                    retry_after=parse_retry_after(response.headers.get("retry-after")),
                )
    except ValidationFailed as refused:
        return Reply(None, elapsed(), error=refused.message, refused=True)
    except (TimeoutError, httpx.TimeoutException):
        return Reply(None, elapsed(), error=f"no answer within {time_limit:g} s")
    except (httpx.HTTPError, OSError) as exc:
        return Reply(None, elapsed(), error=f"{type(exc).__name__}: {exc}"[:1000])


def outbound_client() -> httpx.AsyncClient:
    """The client for tenant-chosen URLs: no proxy from the environment (a proxy would
    resolve the host itself, after the address check) and no redirects."""
    return httpx.AsyncClient(trust_env=False, follow_redirects=False, timeout=30.0)


class _CheckedConnections(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses it has judged: the name is resolved here
    and the socket goes to one of the addresses checked, so a second DNS answer (DNS
    rebinding) never reaches a connection. TLS comes after, for the name."""

    def __init__(self, *, allow_private: bool, trusted: frozenset[tuple[str, int]]) -> None:
        self._network = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._trusted = trusted

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109  (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        checked = self._allow_private or (host.lower(), port) in self._trusted
        if not checked and _local_name(host):
            raise ForbiddenTargetError(f"{host} is a loopback name; {_PUBLIC_ONLY}")
        try:
            addresses = await _addresses(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} does not resolve: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        if not checked:
            for address in addresses:
                reason = forbidden_reason(address)
                if reason is not None:
                    verb = "is" if str(address) == host else "resolves to"
                    raise ForbiddenTargetError(f"{host} {verb} a {reason} address; {_PUBLIC_ONLY}")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109  (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise ForbiddenTargetError("connectors do not call Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


_PUBLIC_ONLY = "connectors call public https addresses only"


def _origin(url: httpx.URL) -> tuple[str, int]:
    return url.host.lower(), url.port or (443 if url.scheme == "https" else 80)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport whose connections are opened by ``_CheckedConnections``,
    and which refuses plain http before connecting. ``trusted`` names URLs the operator
    configured (an AI endpoint on the private network) whose origins pass unchecked.

    client = httpx.AsyncClient(transport=GuardedTransport(allow_private=False))
    await client.get("http://127.0.0.1:6379/")   # ForbiddenTargetError, nothing sent
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        trusted: Iterable[str] = (),
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(
            max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0
        ),
    ) -> None:
        super().__init__(verify=verify, limits=limits)
        self._allow_private = allow_private
        self._trusted = frozenset(_origin(httpx.URL(url)) for url in trusted)
        # httpx builds its pool with the default network; this one connects through the
        # checks. The attribute is httpx's, the rest of the transport is used unchanged.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_CheckedConnections(allow_private=allow_private, trusted=self._trusted),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme != "https" and not self._allow_private and _origin(url) not in self._trusted:
            raise ForbiddenTargetError(f"{url.host} is called over plain http; {_PUBLIC_ONLY}")
        return await super().handle_async_request(request)


SANDBOX_STATE_FILE = "sandboxes.json"
"""In ``data_dir``: ``{"origins": {"recruiterflow": "http://127.0.0.1:41231", ...}}``,
written by whoever serves sandbox ATS servers there (``talentgraph serve --demo``)."""


def sandbox_origins(settings: Settings) -> list[str]:
    """The sandboxes' origins recorded in ``data_dir``, in development only, and of
    those only ``http://127.0.0.1:<port>`` ones: the narrow exception that lets every
    process of a demo folder sync from the sandboxes while loopback stays refused."""
    if not settings.is_development:
        return []
    try:
        state = json.loads((settings.data_dir / SANDBOX_STATE_FILE).read_text())
    except (OSError, ValueError):
        return []
    origins = state.get("origins") if isinstance(state, dict) else None
    if not isinstance(origins, dict):
        return []
    found: list[str] = []
    for origin in origins.values():
        try:
            url = httpx.URL(origin) if isinstance(origin, str) else None
        except (httpx.InvalidURL, ValueError):
            url = None
        if url is not None and url.scheme == "http" and url.host == "127.0.0.1" and url.port:
            found.append(f"http://127.0.0.1:{url.port}")
    return found


def connector_transport(settings: Settings) -> GuardedTransport:
    """``GuardedTransport`` as ``settings`` say: private targets allowed with
    ``connector_allow_private_targets``; the AI endpoint, the operator's own choice and
    on the same client, passes unchecked, and so do the demo sandboxes in development."""
    trusted = (
        [settings.ai_base_url] if settings.ai_provider == "openai" and settings.ai_base_url else []
    )
    trusted += sandbox_origins(settings)
    return GuardedTransport(allow_private=settings.connector_allow_private_targets, trusted=trusted)


def connector_client(settings: Settings) -> httpx.AsyncClient:
    """The client connectors talk through (syncs, health checks, write-backs, OAuth token
    calls), on ``connector_transport``. No proxy from the environment: a proxy would
    connect for us, after the check, to whatever its own DNS says."""
    return httpx.AsyncClient(
        transport=connector_transport(settings),
        trust_env=False,
        follow_redirects=False,
        timeout=30.0,
    )
