"""Domain services: the business rules of every write, testable without GraphQL.

Each function takes an open ``AsyncSession`` inside the caller's transaction and an
``Actor``; it validates, writes, records an activity, and raises a
``gateway.errors.DomainError`` for anything the caller can fix.
"""
