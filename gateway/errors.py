"""Expected failures of the core, which the GraphQL layer turns into typed results.

DomainError
 +-- NotFound(entity, id)          the record does not exist in the caller's tenant
 +-- ValidationFailed(field, msg)  the input breaks a rule; nothing was written
 +-- PermissionDenied(permission)  the caller's role does not allow the action
"""

from __future__ import annotations


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, entity: str, identifier: object) -> None:
        super().__init__(f"{entity} {identifier} not found")
        self.entity = entity
        self.identifier = identifier


class ValidationFailed(DomainError):
    code = "VALIDATION_FAILED"

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"

    def __init__(self, permission: str, message: str | None = None) -> None:
        super().__init__(message or f"your role does not allow {permission}")
        self.permission = permission
