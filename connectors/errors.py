"""Every failure a connector reports, and whether trying again can help.

ConnectorError(message, status=None, detail=None)
 +-- RetryableError                      the same call may succeed later
 |    +-- RateLimitedError(retry_after)   429; wait retry_after seconds
 |    +-- ServerError                     5xx
 |    +-- TransportError                  timeout, connection refused or reset
 +-- FatalError                          the same call will fail again
      +-- AuthError                       401/403: credentials wrong or revoked
      |    +-- RecruiterNotInAgencyError  BPOC: acting recruiter is in another agency
      +-- InvalidRecruiterError           BPOC: acting recruiter id unknown
      +-- NotFoundError                   404
      +-- UnprocessableError              422 (and other 4xx): the request was refused
      +-- InvalidResponseError            the body is not what the API documents
      |    +-- MappingError(entity, remote_id)  one record cannot be mapped: it fails
      |                                    alone, the sync lists it and goes on
      +-- PaginationLoopError             the API served the same page twice
      +-- UnsupportedOperationError       the provider has no such capability
      +-- ConfigurationError              missing credential or setting
      +-- ForbiddenTargetError            the host is not a public https address:
      |                                   refused before anything was sent
      +-- PassthroughRefusedError(field)  a passthrough request outside the provider's
                                          allow-list, host or limits: nothing was sent

``message`` is what users may see (an integration's ``lastError``, a mutation's error),
so an error made from an HTTP answer carries its status and a short reason, never its
body: a body can hold whatever the server wants to show (an internal service's error
page, a reflected secret). ``detail`` keeps the start of the body for the provider
module that reads its own error codes there; it is neither logged nor shown.
"""

from __future__ import annotations


class ConnectorError(Exception):
    retryable = False

    def __init__(
        self, message: str, *, status: int | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail


class RetryableError(ConnectorError):
    retryable = True


class RateLimitedError(RetryableError):
    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None,
        status: int = 429,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, status=status, detail=detail)
        self.retry_after = retry_after


class ServerError(RetryableError):
    pass


class TransportError(RetryableError):
    pass


class FatalError(ConnectorError):
    pass


class AuthError(FatalError):
    pass


class RecruiterNotInAgencyError(AuthError):
    pass


class InvalidRecruiterError(FatalError):
    pass


class NotFoundError(FatalError):
    pass


class UnprocessableError(FatalError):
    pass


class InvalidResponseError(FatalError):
    pass


class MappingError(InvalidResponseError):
    """One record that cannot be read into the common model (no id, no title...).

    ``entity`` is the sync phase the record belongs to (``"jobs"``, ``"candidates"``...)
    and ``remote_id`` its id when it has one."""

    def __init__(
        self, message: str, *, entity: str | None = None, remote_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.entity = entity
        self.remote_id = remote_id


class PaginationLoopError(FatalError):
    pass


class UnsupportedOperationError(FatalError):
    pass


class ConfigurationError(FatalError):
    pass


class ForbiddenTargetError(FatalError):
    """A request to a host that resolves to a private, loopback, link-local or otherwise
    non-public address, or over plain http, while such targets are not allowed."""


class PassthroughRefusedError(FatalError):
    """A passthrough request refused before anything was sent; ``field`` names the part
    of the request at fault (``method``, ``path``, ``query``, ``body``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
