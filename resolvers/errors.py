"""Typed errors that mutation results return as union members."""

from __future__ import annotations

import strawberry

from gateway.errors import DomainError, NotFound, PermissionDenied, ValidationFailed


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


MutationError = NotFoundError | ValidationError | PermissionDeniedError
MUTATION_ERRORS = (NotFoundError, ValidationError, PermissionDeniedError)


def is_error(result: object) -> bool:
    return isinstance(result, MUTATION_ERRORS)


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
