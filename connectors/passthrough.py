"""Passthrough: one request to a provider's own API, through an integration's connector.

    request = PassthroughRequest("GET", "/api/external/job/list", {"current_page": 1})
    answer = await connector.passthrough(request)
    answer.status, answer.headers, answer.body    # 200, {"content-type": ...}, [...]

The request goes through the connector's ``HttpClient``: its base URL, its auth (an
OAuth token refreshed as for a sync), its rate limit, its retry policy and its one log
line per request. What may be asked is narrow, and checked before anything is sent:

- ``method``: GET, POST, PUT, PATCH or DELETE;
- ``path``: relative to the connector's base URL and under one of the provider's
  ``passthrough_paths`` prefixes; no scheme, ``//``, ``..``, ``@``, backslash, query,
  fragment, whitespace or control character, percent-encoded or not (the path is
  decoded until it no longer changes, and every form must pass and stay under a prefix);
- the joined URL has the base URL's scheme, host and port, under the base URL's path;
- ``query``: at most ``MAX_QUERY_PARAMS`` names, each a string, number or boolean, or a
  list of them;
- ``body``: JSON of at most ``MAX_BODY_BYTES`` encoded, and none with GET.

A refusal is ``PassthroughRefusedError``. The answer keeps the status, the headers in
``SAFE_HEADERS`` (never cookies or auth challenges), and the body as JSON when it is
JSON, else as text; past ``MAX_RESPONSE_BYTES`` it is cut, as text, and marked
``truncated``. The provider's HTTP error answers are relayed as answers; a failure to
reach it raises the usual ``ConnectorError``. Redirects are not followed (the
connectors' client never does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
import orjson

from connectors.errors import PassthroughRefusedError
from connectors.http import HttpClient, Params

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_PATH_LENGTH = 1_000
MAX_QUERY_PARAMS = 50
MAX_BODY_BYTES = 64 * 1024
MAX_RESPONSE_BYTES = 256 * 1024
SAFE_HEADERS = frozenset(
    {
        "content-type",
        "content-language",
        "etag",
        "last-modified",
        "link",
        "retry-after",
        "x-total-count",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-request-id",
    }
)
"""Headers that describe the answer; everything else (cookies, auth challenges, the
provider's internal routing) stays behind."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_FORBIDDEN = {
    "//": "'//'",
    "\\": "a backslash",
    "@": "'@'",
    "?": "'?' (put parameters in query)",
    "#": "'#'",
}
_MAX_DECODINGS = 4


@dataclass(frozen=True, slots=True)
class PassthroughRequest:
    method: str
    path: str
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None


@dataclass(frozen=True, slots=True)
class PassthroughAnswer:
    status: int
    headers: dict[str, str]
    body: Any
    """Decoded JSON, or text when the answer is not JSON or was cut."""
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    method: str
    path: str
    params: Params
    body: Any


def _refuse(part: str, message: str) -> PassthroughRefusedError:
    return PassthroughRefusedError(part, message)


def checked_method(method: str) -> str:
    upper = method.strip().upper()
    if upper not in METHODS:
        raise _refuse("method", f"method must be one of {', '.join(METHODS)}")
    return upper


def _decoded_forms(path: str) -> list[str]:
    """``path`` and each further percent-decoding of it, until one changes nothing."""
    forms = [path]
    for _ in range(_MAX_DECODINGS):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            return forms
        forms.append(decoded)
    raise _refuse("path", "path is percent-encoded too many times over")


def _check_form(form: str) -> None:
    if _SCHEME.match(form.lstrip("/")) or "://" in form:
        raise _refuse("path", "path must be relative to the provider's API, without a scheme")
    for bad, name in _FORBIDDEN.items():
        if bad in form:
            raise _refuse("path", f"path must not contain {name}")
    if ".." in form or "/./" in form or form.endswith("/.") or form.startswith("./"):
        raise _refuse("path", "path must not contain '..' or '.' segments")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in form):
        raise _refuse("path", "path must not contain whitespace or control characters")


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def checked_path(path: str, allowed: Sequence[str]) -> str:
    """``path`` with one leading ``/``, if it passes every rule of the module docstring
    (the host check aside, which ``target_url`` makes after joining)."""
    if not allowed:
        raise _refuse("path", "this provider allows no passthrough requests")
    if not path.strip() or len(path) > MAX_PATH_LENGTH:
        raise _refuse("path", f"path must have 1 to {MAX_PATH_LENGTH} characters")
    forms = _decoded_forms(path)
    for form in forms:
        _check_form(form)
    normalised = [form if form.startswith("/") else "/" + form for form in forms]
    if not all(any(_under(form, prefix) for prefix in allowed) for form in normalised):
        raise _refuse("path", f"path must start with one of: {', '.join(allowed)}")
    return normalised[0]


def target_url(http: HttpClient, path: str) -> httpx.URL:
    """The URL ``http`` sends ``path`` to, if it is on the base URL's origin and under
    its path: the check made after joining, whatever the joining did."""
    base = httpx.URL(http.base_url)
    try:
        url = httpx.URL(http.url(path))
    except (httpx.InvalidURL, ValueError) as exc:
        raise _refuse("path", "path does not make a valid URL") from exc
    same_origin = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
    base_path = base.path.rstrip("/")
    if not same_origin or not (url.path == base_path or url.path.startswith(base_path + "/")):
        raise _refuse("path", "path must stay on the provider's API host")
    return url


def _checked_query(query: Mapping[str, Any]) -> Params:
    if len(query) > MAX_QUERY_PARAMS:
        raise _refuse("query", f"query may have at most {MAX_QUERY_PARAMS} parameters")
    params: Params = {}
    for name, value in query.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int | float | bool) for v in values):
            raise _refuse("query", f"query.{name} must be a string, number or boolean, or a list")
        params[str(name)] = value
    return params


def _checked_body(method: str, body: Any) -> Any:
    if body is None:
        return None
    if method == "GET":
        raise _refuse("body", "a GET request carries no body")
    try:
        size = len(orjson.dumps(body))
    except TypeError as exc:
        raise _refuse("body", "body must be JSON") from exc
    if size > MAX_BODY_BYTES:
        raise _refuse("body", f"body must be at most {MAX_BODY_BYTES} bytes of JSON")
    return body


def prepare(
    http: HttpClient, request: PassthroughRequest, allowed: Sequence[str]
) -> PreparedRequest:
    """The request to send, or the ``PassthroughRefusedError`` of its first fault."""
    method = checked_method(request.method)
    path = checked_path(request.path, allowed)
    target_url(http, path)
    return PreparedRequest(
        method=method,
        path=path,
        params=_checked_query(request.query),
        body=_checked_body(method, request.body),
    )


def answer_of(response: httpx.Response) -> PassthroughAnswer:
    content = response.content
    truncated = len(content) > MAX_RESPONSE_BYTES
    headers = {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower() in SAFE_HEADERS
    }
    body: Any = None
    if content and not truncated and "json" in headers.get("content-type", ""):
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError:
            body = None
        else:
            return PassthroughAnswer(response.status_code, headers, body)
    if content:
        kept = content[:MAX_RESPONSE_BYTES]
        body = kept.decode(response.encoding or "utf-8", errors="replace")
    return PassthroughAnswer(response.status_code, headers, body, truncated)


async def send(
    http: HttpClient, request: PassthroughRequest, allowed: Sequence[str]
) -> PassthroughAnswer:
    """Check ``request`` (``prepare``), send it through ``http``, relay the answer."""
    prepared = prepare(http, request, allowed)
    response = await http.request(
        prepared.method,
        prepared.path,
        params=prepared.params or None,
        json=prepared.body,
        answer_errors=True,
    )
    return answer_of(response)
