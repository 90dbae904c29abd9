"""Role and tenant checks for resolvers.

Queries raise a ``FORBIDDEN`` error; mutations turn the same check into a
``PermissionDeniedError`` result (see ``resolvers.mutation``).
"""

from __future__ import annotations

from graphql import GraphQLError

from gateway.auth import Principal
from gateway.errors import PermissionDenied
from gateway.permissions import Permission, allows
from resolvers.context import Info


class Forbidden(GraphQLError):
    def __init__(self, permission: Permission) -> None:
        super().__init__(
            f"Your role does not allow {permission.value}",
            extensions={"code": "FORBIDDEN", "permission": permission.value},
        )


def require(info: Info, permission: Permission) -> Principal:
    """The caller, if authenticated and allowed ``permission``; raises otherwise."""
    principal = info.context.require_principal()
    if not allows(principal.role, permission):
        raise Forbidden(permission)
    return principal


def check(principal: Principal, permission: Permission) -> None:
    """The mutation-side check: raises the domain error a union result reports."""
    if not allows(principal.role, permission):
        raise PermissionDenied(permission.value)


def can(info: Info, permission: Permission) -> bool:
    principal = info.context.principal
    return principal is not None and allows(principal.role, permission)
