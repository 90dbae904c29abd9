"""Where the links the gateway hands out point: interview links, webhook URLs, the OAuth
redirect URI.

    TALENTGRAPH_PUBLIC_URL=https://tg.example.com     # every link starts with it

Without a public URL, links follow the address the gateway is actually reached at, and
who will see a link decides which address may be believed:

==============================  ============================  ==================================
link                            seen by                       base without ``PUBLIC_URL``
==============================  ============================  ==================================
``webhookUrls``,                the caller only, in the       ``for_caller``: the request's
``interviewCreate.publicUrl``,  answer to its own request     scheme (``X-Forwarded-Proto``
the OAuth redirect URI                                        from trusted proxies only) and
                                                              its Host header
the invitation mail, its copy   the candidate, every reader   ``for_others``: the request's
in the activity timeline        of the timeline               scheme and the server's own
                                                              socket address
outside a request (a task, the  whoever gets it               ``outside_request``: the address
CLI)                                                          ``serve`` was started with, else
                                                              ``http://127.0.0.1:8000``
==============================  ============================  ==================================

A Host header is whatever the client wrote: it may shape the links in that client's own
answer, never a link mailed or stored for someone else. Behind a reverse proxy the
socket address is the proxy's side, so set ``PUBLIC_URL`` there.

    >>> listen_url("0.0.0.0", 9000)
    'http://127.0.0.1:9000'
"""

from __future__ import annotations

import ipaddress
import os
import re

from starlette.requests import HTTPConnection

from gateway.settings import Settings

DEFAULT_BASE = "http://127.0.0.1:8000"
"""``talentgraph serve``'s default address."""
LISTEN_URL_ENV = "TALENTGRAPH_LISTEN_URL"
"""Set by ``record_listen_address`` in the ``serve`` process; inherited by its workers."""

_HOST_HEADER = re.compile(
    r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_][A-Za-z0-9_.-]{0,252})(?::[0-9]{1,5})?"
)
"""A name or address and an optional port: nothing that could move a link's path."""
_DEFAULT_PORTS = {"http": 80, "https": 443}


def configured(settings: Settings) -> str | None:
    """``PUBLIC_URL`` without its trailing slash, or None when unset."""
    url = (settings.public_url or "").strip().rstrip("/")
    return url or None


def for_caller(connection: HTTPConnection | None, settings: Settings) -> str:
    """The base of links shown only in the answer to ``connection``'s own request: a
    request to ``Host: gw.internal:9123`` over plain HTTP gets ``http://gw.internal:9123``.
    A Host header that is not a name or address with a port counts as absent."""
    return (
        configured(settings)
        or _from_host_header(connection)
        or _own_address(connection)
        or outside_request(settings)
    )


def for_others(connection: HTTPConnection | None, settings: Settings) -> str:
    """The base of links mailed or stored for someone other than the caller: never
    taken from the Host header."""
    return configured(settings) or _own_address(connection) or outside_request(settings)


def outside_request(settings: Settings) -> str:
    return configured(settings) or os.environ.get(LISTEN_URL_ENV) or DEFAULT_BASE


def listen_url(host: str, port: int) -> str:
    """The URL of a server bound to ``host``:``port``; a wildcard address is reached on
    loopback."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return _join("http", host, port)
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    return _join("http", str(address), port)


def record_listen_address(host: str, port: int) -> None:
    """For ``talentgraph serve``: links built outside a request point at this server."""
    os.environ[LISTEN_URL_ENV] = listen_url(host, port)


def _scheme(connection: HTTPConnection) -> str:
    """http or https; a WebSocket's ws/wss counts as its HTTP twin."""
    scheme = str(connection.scope.get("scheme") or "http").lower()
    return "https" if scheme in ("https", "wss") else "http"


def _root(connection: HTTPConnection) -> str:
    return str(connection.scope.get("root_path") or "").rstrip("/")


def _from_host_header(connection: HTTPConnection | None) -> str | None:
    if connection is None:
        return None
    host = connection.headers.get("host", "").strip()
    if not _HOST_HEADER.fullmatch(host):
        return None
    return f"{_scheme(connection)}://{host.lower()}{_root(connection)}"


def _own_address(connection: HTTPConnection | None) -> str | None:
    """The socket address the request arrived on (``scope["server"]``), which the client
    cannot choose."""
    if connection is None:
        return None
    server = connection.scope.get("server")
    if not server or str(server[0]).startswith("/"):  # a Unix socket: nothing to link to
        return None
    scheme = _scheme(connection)
    host, port = server
    return _join(scheme, str(host), _DEFAULT_PORTS[scheme] if port is None else int(port)) + (
        _root(connection)
    )


def _join(scheme: str, host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if _DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
