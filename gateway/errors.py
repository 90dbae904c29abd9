"""Expected failures of the core, which the GraphQL layer turns into typed results.

DomainError
 +-- NotFound(entity, id)          the record does not exist in the caller's tenant
 +-- ValidationFailed(field, msg)  the input breaks a rule; nothing was written
 +-- PermissionDenied(permission)  the caller's role does not allow the action
 +-- Unsupported(provider, op)     the source system cannot do this; nothing was sent
 +-- RecruiterLinkMissing(...)     the caller has no remote id in that integration
 +-- RecruiterRejected(reason)     the source refused the caller's remote id
 +-- RemoteWriteFailed(retryable)  the source refused or failed the write
 +-- IdempotencyConflict           the key belongs to another request, or is running
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


class Unsupported(DomainError):
    code = "UNSUPPORTED"

    def __init__(self, provider: str, operation: str) -> None:
        super().__init__(f"{provider} does not support {operation}")
        self.provider = provider
        self.operation = operation


class RecruiterLinkMissing(DomainError):
    code = "RECRUITER_LINK_MISSING"

    def __init__(
        self, integration_id: int, integration_name: str, *, who: str | None = None
    ) -> None:
        """``who``: the user lacking the link when it is not the caller (an interviewer)."""
        subject, them = (f"{who} has", "them") if who else ("you have", "you")
        super().__init__(
            f"{subject} no recruiter id in {integration_name}: an admin can link {them} with "
            f"recruiterLink(input: {{userId, integrationId, remoteId}}) or match everyone "
            f"by email with recruiterSync(input: {{integrationId}})"
        )
        self.integration_id = integration_id


class RecruiterRejected(DomainError):
    """The source refused the remote recruiter id: unknown to it, or of another agency."""

    code = "RECRUITER_REJECTED"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class RemoteWriteFailed(DomainError):
    code = "CONNECTOR_ERROR"

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code


class IdempotencyConflict(DomainError):
    code = "IDEMPOTENCY_CONFLICT"
