"""Team invitations in a source that invites rather than creates (BPOC ``POST
/team/invite``): the invitee becomes a recruiter there when they sign up.

    invited = await invite_recruiter(deps, tenant_id=1, integration_id=3, actor=actor,
                                     email="jane@agency.example", name="Jane", role="recruiter")
    invited.token, invited.expires_at     # "inv_...", "2026-12-13T10:00:00Z"

BPOC's guide (Recruiter ID Synchronization, "Use BPOC's invitation system") has the
agency send the invitation itself, with the token in its own sign-up link, so the
token is answered to the caller once and kept nowhere: the timeline records who was
invited, as what, until when, and by whom. Once the invitee has signed up,
``recruiterSync`` links them by email.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connectors.base import Capability
from connectors.registry import connector_class
from gateway.errors import Unsupported, ValidationFailed
from gateway.oplog import LogEntry, stage_logs
from gateway.services.activities import Actor, record_activity
from gateway.services.recruiter_source import (
    LinkDeps,
    connector_of,
    require_enabled,
    tenant_integration,
)
from gateway.services.validation import email as checked_email
from gateway.services.validation import text_line
from gateway.store.enums import LogLevel

INVITE_ROLES = ("recruiter", "manager", "admin")
"""The team roles BPOC knows (``role`` of ``/team/invite`` and ``/recruiters/create``)."""


@dataclass(frozen=True, slots=True)
class Invited:
    integration_id: int
    email: str
    role: str
    token: str
    expires_at: str | None


def _checked_role(role: str) -> str:
    text = role.strip().lower()
    if text not in INVITE_ROLES:
        raise ValidationFailed("role", f"role must be one of {', '.join(INVITE_ROLES)}")
    return text


async def invite_recruiter(
    deps: LinkDeps,
    tenant_id: int,
    integration_id: int,
    *,
    email: str,
    name: str,
    role: str,
    actor: Actor,
) -> Invited:
    """Invite ``email`` to the integration's team; refused (``Unsupported``) where the
    source has no invitations, and before any request for bad input."""
    address = checked_email("email", email)
    display = text_line("name", name, max_length=255)
    team_role = _checked_role(role)
    async with deps.session_factory() as session:
        integration = await tenant_integration(session, tenant_id, integration_id)
    require_enabled(integration)
    provider = integration.provider.value
    if Capability.RECRUITER_MANAGEMENT not in connector_class(provider).capabilities:
        raise Unsupported(provider, "recruiterInvite (it has no team invitations)")
    result = await connector_of(deps, integration).invite_recruiter(address, display, team_role)
    raw = result.raw if isinstance(result.raw, Mapping) else {}
    expires = raw.get("expiresAt")
    invited = Invited(
        integration.id,
        address,
        team_role,
        str(raw["inviteToken"]),
        str(expires) if expires is not None else None,
    )
    async with deps.session_factory.begin() as session:
        record_activity(
            session,
            actor,
            action="recruiter.invited",
            subject_type="Integration",
            subject_id=integration.id,
            description=f"Invited {display} <{address}> to {integration.name} as {team_role}",
            details={"email": address, "role": team_role, "expiresAt": invited.expires_at},
        )
        await stage_logs(
            session,
            [
                LogEntry(
                    tenant_id,
                    LogLevel.INFO,
                    "recruiters",
                    f"Invited {address} to {integration.name} as {team_role}",
                    extra={"integrationId": integration.id, "expiresAt": invited.expires_at},
                )
            ],
        )
    return invited
