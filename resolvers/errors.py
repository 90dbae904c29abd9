"""Typed errors that mutation results return as union members."""

from __future__ import annotations

from typing import Annotated, Any, Union

import strawberry

from gateway.errors import (
    DomainError,
    IdempotencyConflict,
    NotFound,
    PermissionDenied,
    RecruiterLinkMissing,
    RecruiterRejected,
    RemoteWriteFailed,
    Unsupported,
    ValidationFailed,
)
from gateway.global_ids import to_global_id
from resolvers.relay import mirrored


@strawberry.interface(description="An expected failure of a mutation; nothing was written.")
class UserError:
    message: str
    code: str


@strawberry.type
class NotFoundError(UserError):
    entity: str


@strawberry.type
class ValidationError(UserError):
    field: str | None


@strawberry.type
class PermissionDeniedError(UserError):
    permission: str


@strawberry.type(description="The source system cannot do this; nothing was sent.")
class UnsupportedOperationError(UserError):
    provider: str
    operation: str


@strawberry.type(
    description="The caller has no recruiter id in the integration; `message` says how "
    "an admin links one."
)
class RecruiterLinkMissingError(UserError):
    integration_id: strawberry.ID


@strawberry.type(
    description="The source refused the caller's recruiter id: `reason` is "
    "`unknown_recruiter` or `not_in_agency`."
)
class RecruiterRejectedError(UserError):
    reason: str


@strawberry.type(
    description="The source failed or refused the write; nothing changed here. "
    "`retryable` says whether sending it again can help."
)
class ConnectorError(UserError):
    retryable: bool
    status_code: int | None


@strawberry.type(
    description="The idempotency key belongs to a different request, or its first "
    "request is still running."
)
class IdempotencyConflictError(UserError):
    pass


MutationError = NotFoundError | ValidationError | PermissionDeniedError
MUTATION_ERRORS = (NotFoundError, ValidationError, PermissionDeniedError)
WriteBackError = (
    NotFoundError
    | ValidationError
    | PermissionDeniedError
    | UnsupportedOperationError
    | RecruiterLinkMissingError
    | RecruiterRejectedError
    | ConnectorError
    | IdempotencyConflictError
)
WRITE_BACK_ERRORS = (
    *MUTATION_ERRORS,
    UnsupportedOperationError,
    RecruiterLinkMissingError,
    RecruiterRejectedError,
    ConnectorError,
    IdempotencyConflictError,
)


def mutation_result(name: str, success: type, *errors: type) -> Any:
    """The union ``name`` a mutation returns: ``success``, the common errors, ``errors``."""
    return Annotated[Union[success, *MUTATION_ERRORS, *errors], strawberry.union(name)]


def write_back_result(name: str, success: type, *, description: str | None = None) -> Any:
    """The union ``name`` a write to a source system returns: ``success`` and every
    ``WriteBackError``."""
    return Annotated[
        Union[success, *WRITE_BACK_ERRORS], strawberry.union(name, description=description)
    ]


def is_error(result: object) -> bool:
    return isinstance(result, WRITE_BACK_ERRORS)


def write_back_error(error: DomainError) -> WriteBackError:
    """``error_result`` plus the failures of writes to a source system."""
    if isinstance(error, Unsupported):
        return UnsupportedOperationError(
            message=error.message,
            code=error.code,
            provider=error.provider,
            operation=error.operation,
        )
    if isinstance(error, RecruiterLinkMissing):
        return RecruiterLinkMissingError(
            message=error.message,
            code=error.code,
            integration_id=strawberry.ID(to_global_id("Integration", error.integration_id)),
        )
    if isinstance(error, RecruiterRejected):
        return RecruiterRejectedError(message=error.message, code=error.code, reason=error.reason)
    if isinstance(error, RemoteWriteFailed):
        return connector_error(error)
    if isinstance(error, IdempotencyConflict):
        return IdempotencyConflictError(message=error.message, code=error.code)
    return error_result(error)


def connector_error(error: RemoteWriteFailed) -> ConnectorError:
    return mirrored(ConnectorError, error)


def error_result(error: DomainError) -> MutationError:
    if isinstance(error, NotFound):
        return NotFoundError(message=error.message, code=error.code, entity=error.entity)
    if isinstance(error, PermissionDenied):
        return PermissionDeniedError(
            message=error.message, code=error.code, permission=error.permission
        )
    if isinstance(error, ValidationFailed):
        return ValidationError(message=error.message, code=error.code, field=error.field)
    return ValidationError(message=error.message, code=error.code, field=None)
