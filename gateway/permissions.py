"""Who may do what: the role matrix, in one place.

>>> allows(Role.RECRUITER, Permission.PROMPTS_MANAGE)
False
"""

from __future__ import annotations

from enum import StrEnum

from gateway.store.enums import Role


class Permission(StrEnum):
    JOBS_READ = "jobs:read"
    JOBS_UPDATE = "jobs:update"
    JOBS_CREATE = "jobs:create"
    JOBS_APPROVE = "jobs:approve"
    CANDIDATES_READ = "candidates:read"
    APPLICATIONS_READ = "applications:read"
    APPLICATIONS_REPROCESS = "applications:reprocess"
    APPLICATIONS_WRITE = "applications:write"
    OFFERS_WRITE = "offers:write"
    ONBOARDING_WRITE = "onboarding:write"
    INTERVIEWS_READ = "interviews:read"
    INTERVIEWS_CREATE = "interviews:create"
    RECRUITERS_READ = "recruiters:read"
    RECRUITERS_MANAGE = "recruiters:manage"
    PROMPTS_READ = "prompts:read"
    PROMPTS_MANAGE = "prompts:manage"
    PERSONAS_READ = "personas:read"
    PERSONAS_MANAGE = "personas:manage"
    SETTINGS_READ = "settings:read"
    SETTINGS_MANAGE = "settings:manage"
    INTEGRATIONS_READ = "integrations:read"
    INTEGRATIONS_MANAGE = "integrations:manage"
    CREDENTIALS_MANAGE = "credentials:manage"
    INTEGRATIONS_PASSTHROUGH = "integrations:passthrough"
    QUEUE_READ = "queue:read"
    QUEUE_MANAGE = "queue:manage"
    ACTIVITIES_READ = "activities:read"
    ACTIVITIES_READ_ALL = "activities:read-all"
    REMOTE_DATA_READ = "remote-data:read"


_READ = frozenset(
    {
        Permission.JOBS_READ,
        Permission.CANDIDATES_READ,
        Permission.APPLICATIONS_READ,
        Permission.INTERVIEWS_READ,
        Permission.RECRUITERS_READ,
        Permission.PROMPTS_READ,
        Permission.PERSONAS_READ,
        Permission.SETTINGS_READ,
        Permission.INTEGRATIONS_READ,
        Permission.QUEUE_READ,
        Permission.ACTIVITIES_READ,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.RECRUITER: _READ
    | {
        Permission.JOBS_UPDATE,
        Permission.JOBS_CREATE,
        Permission.APPLICATIONS_REPROCESS,
        Permission.APPLICATIONS_WRITE,
        Permission.INTERVIEWS_CREATE,
        Permission.OFFERS_WRITE,
        Permission.ONBOARDING_WRITE,
    },
    Role.READONLY: _READ | {Permission.ACTIVITIES_READ_ALL},
}
"""A recruiter's activity log shows only requisitions they own: they lack
``ACTIVITIES_READ_ALL``. Read-only users see the whole log but change nothing. Approving
a requisition (``JOBS_APPROVE``) is an admin's, as BPOC wants a manager to approve. The
sources' raw records (``REMOTE_DATA_READ``) and requests straight to their APIs
(``INTEGRATIONS_PASSTHROUGH``) reach what the common model leaves out (notes,
compensation, personal data), so they are admins' alone."""


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
