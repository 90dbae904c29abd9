"""Downloading a candidate's resume file through the integration's own HTTP client.

    resume = await download_resume(connector.http, "https://bpoc.io/resumes/4f1c.pdf")
    resume.content[:5], resume.content_type, resume.sha256    # b"%PDF-", "application/pdf", ...

Whose credentials go along is decided by the URL, hop by hop: a URL on the
integration's own host (scheme, host and port of its ``base_url``) is sent with the
connector's auth and rate limit, like any API call; a URL anywhere else (a presigned
S3 link, a CDN) is sent bare, with no credential, no provider header and no cookie
of the provider's, so the API key never reaches a host that is not the provider's.
Redirects are followed by hand (at most ``MAX_REDIRECTS``) so that the rule is applied
again to each hop; relative URLs are taken relative to the integration's ``base_url``.

A file is vendor data: a ``Content-Length`` over ``MAX_BYTES`` is refused before the
body is read, a body that grows past it is cut off mid-stream, and the whole download
(redirects included) has ``TIME_LIMIT`` seconds. Anything that goes wrong is one
``ResumeUnavailable`` with a short reason; nothing here raises for one file in a way
that could end a sync. The client is the connectors' guarded one, so a URL aiming at
a private address is refused there like any other connector request.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import httpx

from connectors.errors import ConnectorError
from connectors.http import HttpClient, error_for

MAX_BYTES = 10 * 1024 * 1024
TIME_LIMIT = 30.0
MAX_REDIRECTS = 3
ACCEPT = (
    "application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    " text/plain;q=0.9, */*;q=0.5"
)
_SIGNING_PARAMS = frozenset(
    {
        "expires",
        "signature",
        "key-pair-id",
        "policy",
        "sig",
        "se",
        "st",
        "sp",
        "sv",
        "sr",
        "skoid",
        "sktid",
        "skt",
        "ske",
        "sks",
        "skv",
        "token",
        "access_token",
    }
)
"""Query parameters that sign a link rather than name a file (S3, CloudFront, Azure SAS,
GCS and plain tokens); ``X-Amz-*`` and ``X-Goog-*`` are matched by prefix."""


class ResumeUnavailable(Exception):
    """The resume could not be downloaded; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DownloadedResume:
    url: str
    """Where the file was finally read (after redirects)."""
    content: bytes
    content_type: str | None
    sha256: str


def unsigned(url: str) -> str:
    """The link without its signing parameters (S3, Google Cloud Storage, CloudFront,
    Azure SAS), other parameters sorted; a string that is no URL comes back as it is.

    unsigned("https://s3/x.pdf?X-Amz-Signature=a&X-Amz-Date=1&v=2") == "https://s3/x.pdf?v=2"
    """
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        return url
    if not parsed.query:
        return str(parsed.copy_with(fragment=None))
    kept = sorted(
        (key, value)
        for key, value in parse_qsl(parsed.query.decode(), keep_blank_values=True)
        if not _signing(key)
    )
    return str(parsed.copy_with(query=urlencode(kept).encode() or None, fragment=None))


def source_fingerprint(url: str) -> str:
    """The resume a URL names, signatures left out: the same file behind a link that is
    re-signed on every listing keeps one fingerprint; another path is another file.

    source_fingerprint("https://s3/x.pdf?X-Amz-Signature=a&X-Amz-Date=1")
        == source_fingerprint("https://s3/x.pdf?X-Amz-Signature=b&X-Amz-Date=2")  # True
    """
    return hashlib.sha256(unsigned(url).encode()).hexdigest()


def _signing(key: str) -> bool:
    lowered = key.lower()
    return lowered in _SIGNING_PARAMS or lowered.startswith(("x-amz-", "x-goog-"))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"https": 443, "http": 80}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


async def download_resume(
    http: HttpClient,
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    time_limit: float = TIME_LIMIT,
) -> DownloadedResume:
    """The file at ``url``, at most ``max_bytes`` long, read within ``time_limit``
    seconds; ``ResumeUnavailable`` otherwise."""
    try:
        base = httpx.URL(http.base_url + "/")
        target = base.join(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ResumeUnavailable("the resume URL is not a valid URL") from None
    try:
        async with asyncio.timeout(time_limit):
            return await _follow(http, base, target, max_bytes, time_limit)
    except TimeoutError:
        raise ResumeUnavailable(f"the download took over {time_limit:g} s") from None


async def _follow(
    http: HttpClient, base: httpx.URL, target: httpx.URL, max_bytes: int, time_limit: float
) -> DownloadedResume:
    for _hop in range(MAX_REDIRECTS + 1):
        if target.scheme not in ("https", "http"):
            raise ResumeUnavailable(f"unsupported URL scheme {target.scheme!r}")
        own = _origin(target) == _origin(base)
        if own and http.rate_limit is not None:
            await http.rate_limit.acquire()
        headers = {**http.headers, "Accept": ACCEPT} if own else {"Accept": ACCEPT}
        try:
            async with http.client.stream(
                "GET",
                target,
                headers=headers,
                auth=http.auth if own else None,
                timeout=httpx.Timeout(time_limit),
                follow_redirects=False,
            ) as response:
                if response.is_redirect and "location" in response.headers:
                    target = target.join(response.headers["location"])
                    continue
                error = error_for(response)
                if error is not None:
                    raise ResumeUnavailable(_where(error.message, own))
                content_type = response.headers.get("content-type")
                content = await _read(response, max_bytes)
        except ConnectorError as exc:  # the guarded transport refusing the host
            raise ResumeUnavailable(exc.message) from None
        except httpx.TimeoutException:
            raise ResumeUnavailable(f"the download took over {time_limit:g} s") from None
        except httpx.HTTPError as exc:
            raise ResumeUnavailable(f"download failed ({type(exc).__name__})") from None
        return DownloadedResume(
            url=str(target),
            content=content,
            content_type=content_type,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    raise ResumeUnavailable(f"more than {MAX_REDIRECTS} redirects")


def _where(message: str, own: bool) -> str:
    return message if own else message.replace("the provider", "the file host")


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResumeUnavailable(_too_large(max_bytes))
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ResumeUnavailable(_too_large(max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> str:
    return f"the file is larger than {max_bytes / (1024 * 1024):g} MB"
