"""GraphQL selections that many test documents repeat."""

from __future__ import annotations

WRITE_ERRORS = """
    ... on UserError { message code }
    ... on ValidationError { field }
    ... on ConnectorError { retryable statusCode }
    ... on RecruiterLinkMissingError { integrationId }
    ... on RecruiterRejectedError { reason }
    ... on UnsupportedOperationError { provider operation }
"""
"""The typed errors of a write that reaches a source system (``ApplicationWriteResult``,
``JobWriteResult``, ``OnboardingTask*Result``, ``OfferWriteResult`` and the like): each
with the fields a test asserts on."""
