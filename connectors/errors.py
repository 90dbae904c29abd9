"""Every failure a connector reports, and whether trying again can help.

ConnectorError(message, status=None)
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
      +-- PaginationLoopError             the API served the same page twice
      +-- UnsupportedOperationError       the provider has no such capability
      +-- ConfigurationError              missing credential or setting
"""

from __future__ import annotations


class ConnectorError(Exception):
    retryable = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RetryableError(ConnectorError):
    retryable = True


class RateLimitedError(RetryableError):
    def __init__(self, message: str, *, retry_after: float | None, status: int = 429) -> None:
        super().__init__(message, status=status)
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


class PaginationLoopError(FatalError):
    pass


class UnsupportedOperationError(FatalError):
    pass


class ConfigurationError(FatalError):
    pass
