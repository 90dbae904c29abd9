"""Recruiter mutations: create, update, delete, revoke tokens, and link users to
the ids they act as in an integration (one by one or matched by email)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.services import recruiter_links as link_service
from gateway.services import recruiters as recruiter_service
from gateway.services.activities import Actor
from gateway.services.recruiter_invites import Invited, invite_recruiter
from gateway.store.enums import Role
from resolvers.context import Info
from resolvers.errors import (
    ConnectorError,
    RecruiterRejectedError,
    UnsupportedOperationError,
    is_error,
    mutation_result,
)
from resolvers.inputs import not_null
from resolvers.integrations.types import Integration, build_integration
from resolvers.mutation import run_mutation, write_back_mutation, written_row
from resolvers.permissions import check
from resolvers.recruiters.types import (
    Recruiter,
    RecruiterLink,
    build_recruiter,
    build_recruiter_link,
)
from resolvers.relay import as_row, pk_of
from resolvers.write_records import TenantRecords

SOURCE_ERRORS = (UnsupportedOperationError, ConnectorError)
"""Linking and syncing recruiters ask the source, which may not list users, or fail."""


@strawberry.input
class RecruiterCreateInput:
    name: str
    email: str
    role: Role = Role.RECRUITER
    phone: str | None = None
    title: str | None = None
    public_contact_info: str | None = None


@strawberry.input
class RecruiterUpdateInput:
    id: strawberry.ID
    name: str | None = not_null()
    email: str | None = not_null()
    role: Role | None = not_null()
    phone: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    public_contact_info: str | None = strawberry.UNSET
    is_active: bool | None = not_null()


@strawberry.input
class RecruiterDeleteInput:
    id: strawberry.ID


@strawberry.type
class RecruiterCreateSuccess:
    recruiter: Recruiter


@strawberry.type
class RecruiterUpdateSuccess:
    recruiter: Recruiter


@strawberry.type
class RecruiterDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.input
class RecruiterTokensRevokeInput:
    recruiter_id: strawberry.ID = strawberry.field(
        description="The user whose tokens stop working: yourself, or anyone for an admin."
    )


@strawberry.type
class RecruiterTokensRevokeSuccess:
    recruiter: Recruiter


@strawberry.input(
    description="Link a user to their id in an integration; checked with the source when it "
    "lists users. Replaces the user's earlier link there."
)
class RecruiterLinkInput:
    user_id: strawberry.ID = strawberry.field(description="A Recruiter id.")
    integration_id: strawberry.ID
    remote_id: str = strawberry.field(description="The id in the source, e.g. a BPOC UUID.")


@strawberry.input
class RecruiterUnlinkInput:
    user_id: strawberry.ID
    integration_id: strawberry.ID


@strawberry.input(
    description="Match the tenant's active admins and recruiters to the integration's users "
    "by email, and drop links whose remote user is gone."
)
class RecruiterSyncInput:
    integration_id: strawberry.ID
    create_missing: bool = strawberry.field(
        default=False,
        description="Create, in the source, the users it does not know (BPOC), and link them.",
    )


@strawberry.input(
    description="Invite someone to the integration's team (BPOC): they become a recruiter "
    "there when they sign up with the token; recruiterSync then links them by email."
)
class RecruiterInviteInput:
    integration_id: strawberry.ID
    email: str
    name: str = strawberry.field(description="1 to 255 characters, one line.")
    role: str = strawberry.field(
        default="recruiter", description="recruiter, manager or admin, as BPOC names them."
    )


@strawberry.type
class RecruiterInviteSuccess:
    integration: Integration
    email: str
    role: str
    invite_token: str = strawberry.field(
        description="Shown once and kept nowhere: put it in your own invitation e-mail's "
        "sign-up link, as BPOC's guide asks."
    )
    expires_at: str | None = strawberry.field(description="As the source gave it.")


@strawberry.type
class RecruiterLinkSuccess:
    recruiter: Recruiter
    link: RecruiterLink
    previous_remote_id: str | None = strawberry.field(
        description="The id this link replaced, if the user had another one."
    )


@strawberry.type
class RecruiterUnlinkSuccess:
    recruiter: Recruiter
    remote_id: str = strawberry.field(description="The id the user no longer acts as.")


@strawberry.type
class RecruiterSyncSuccess:
    integration: Integration
    matched: int = strawberry.field(description="Links made by email to existing users.")
    created: int = strawberry.field(description="Users created in the source, and linked.")
    kept: int = strawberry.field(description="Links that were there and still hold.")
    removed: int = strawberry.field(description="Links whose remote user is gone or inactive.")
    unmatched: list[str] = strawberry.field(
        description="Emails of active admins and recruiters still without a link."
    )
    failures: list[str] = strawberry.field(description="Creations the source refused.")


RecruiterCreateResult = mutation_result("RecruiterCreateResult", RecruiterCreateSuccess)
RecruiterUpdateResult = mutation_result("RecruiterUpdateResult", RecruiterUpdateSuccess)
RecruiterDeleteResult = mutation_result("RecruiterDeleteResult", RecruiterDeleteSuccess)
RecruiterTokensRevokeResult = mutation_result(
    "RecruiterTokensRevokeResult", RecruiterTokensRevokeSuccess
)
RecruiterLinkResult = mutation_result(
    "RecruiterLinkResult", RecruiterLinkSuccess, RecruiterRejectedError, *SOURCE_ERRORS
)
RecruiterUnlinkResult = mutation_result("RecruiterUnlinkResult", RecruiterUnlinkSuccess)
RecruiterSyncResult = mutation_result("RecruiterSyncResult", RecruiterSyncSuccess, *SOURCE_ERRORS)
RecruiterInviteResult = mutation_result(
    "RecruiterInviteResult", RecruiterInviteSuccess, *SOURCE_ERRORS
)


_RECRUITERS = TenantRecords(
    "Recruiter", Permission.RECRUITERS_MANAGE, build=build_recruiter, payload_field="recruiter"
)


@strawberry.type
class RecruiterMutations:
    @strawberry.mutation
    async def recruiter_create(
        self, info: Info, input: RecruiterCreateInput
    ) -> RecruiterCreateResult:  # type: ignore[valid-type]
        return await _RECRUITERS.create(
            info, input, recruiter_service.create_recruiter, RecruiterCreateSuccess
        )

    @strawberry.mutation
    async def recruiter_update(
        self, info: Info, input: RecruiterUpdateInput
    ) -> RecruiterUpdateResult:  # type: ignore[valid-type]
        return await _RECRUITERS.update(
            info, input, recruiter_service.update_recruiter, RecruiterUpdateSuccess
        )

    @strawberry.mutation
    async def recruiter_delete(
        self, info: Info, input: RecruiterDeleteInput
    ) -> RecruiterDeleteResult:  # type: ignore[valid-type]
        return await _RECRUITERS.delete(
            info, input, recruiter_service.delete_recruiter, RecruiterDeleteSuccess
        )

    @strawberry.mutation(
        description="Refuse every token issued to a user so far, from their next request "
        "on (open subscriptions close at their next access check); the user needs a new "
        "token. Every user may revoke their own tokens, admins anyone's."
    )
    async def recruiter_tokens_revoke(
        self, info: Info, input: RecruiterTokensRevokeInput
    ) -> RecruiterTokensRevokeResult:  # type: ignore[valid-type]
        principal = info.context.require_principal()

        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.recruiter_id, "Recruiter", field="recruiterId")
            if pk != principal.user_id:
                check(principal, Permission.RECRUITERS_MANAGE)
            return await recruiter_service.revoke_tokens(session, actor, pk)

        # Every role reads recruiters: the rule that matters is checked in ``action``.
        result = await run_mutation(info, Permission.RECRUITERS_READ, action)
        return (
            result
            if is_error(result)
            else RecruiterTokensRevokeSuccess(recruiter=build_recruiter(as_row(result)))
        )

    @strawberry.mutation(
        description="Link a user to their recruiter id in an integration (admins only)."
    )
    async def recruiter_link(self, info: Info, input: RecruiterLinkInput) -> RecruiterLinkResult:  # type: ignore[valid-type]
        async def action(principal: Principal) -> link_service.Linked:
            return await link_service.link_recruiter(
                info.context.require_write_deps(),
                Actor.from_principal(principal),
                user_id=pk_of(input.user_id, "Recruiter", field="userId"),
                integration_id=pk_of(input.integration_id, "Integration", field="integrationId"),
                remote_id=input.remote_id,
            )

        result = await write_back_mutation(info, Permission.RECRUITERS_MANAGE, action)
        if not isinstance(result, link_service.Linked):
            return result
        return RecruiterLinkSuccess(
            recruiter=build_recruiter(as_row(result.user)),
            link=build_recruiter_link(as_row(result.link)),
            previous_remote_id=result.previous_remote_id,
        )

    @strawberry.mutation(description="Remove a user's link in an integration (admins only).")
    async def recruiter_unlink(
        self, info: Info, input: RecruiterUnlinkInput
    ) -> RecruiterUnlinkResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> link_service.Linked:
            return await link_service.unlink_recruiter(
                session,
                actor,
                user_id=pk_of(input.user_id, "Recruiter", field="userId"),
                integration_id=pk_of(input.integration_id, "Integration", field="integrationId"),
            )

        result = await run_mutation(info, Permission.RECRUITERS_MANAGE, action)
        if not isinstance(result, link_service.Linked):
            return result
        return RecruiterUnlinkSuccess(
            recruiter=build_recruiter(as_row(result.user)), remote_id=result.link.remote_id
        )

    @strawberry.mutation(
        description="Match users to the integration's users by email now, as the daily "
        "recruiter sync does; with `createMissing`, create the ones it lacks (admins only)."
    )
    async def recruiter_sync(self, info: Info, input: RecruiterSyncInput) -> RecruiterSyncResult:  # type: ignore[valid-type]
        async def action(principal: Principal) -> link_service.RecruiterSyncReport:
            return await link_service.sync_recruiters(
                info.context.require_write_deps(),
                principal.tenant_id,
                pk_of(input.integration_id, "Integration", field="integrationId"),
                create_missing=input.create_missing,
                actor=Actor.from_principal(principal),
            )

        result = await write_back_mutation(info, Permission.RECRUITERS_MANAGE, action)
        if not isinstance(result, link_service.RecruiterSyncReport):
            return result
        row = await written_row(
            info.context.loaders.integration_by_id, result.integration_id, "synced integration"
        )
        return RecruiterSyncSuccess(
            integration=build_integration(row),
            matched=result.matched,
            created=result.created,
            kept=result.kept,
            removed=result.removed,
            unmatched=list(result.unmatched),
            failures=list(result.failures),
        )

    @strawberry.mutation(
        description="Invite someone to the integration's team in its source (BPOC team "
        "invitations; admins only). The token is answered once."
    )
    async def recruiter_invite(
        self, info: Info, input: RecruiterInviteInput
    ) -> RecruiterInviteResult:  # type: ignore[valid-type]
        async def action(principal: Principal) -> Invited:
            return await invite_recruiter(
                info.context.require_write_deps(),
                principal.tenant_id,
                pk_of(input.integration_id, "Integration", field="integrationId"),
                email=input.email,
                name=input.name,
                role=input.role,
                actor=Actor.from_principal(principal),
            )

        result = await write_back_mutation(info, Permission.RECRUITERS_MANAGE, action)
        if not isinstance(result, Invited):
            return result
        row = await written_row(
            info.context.loaders.integration_by_id, result.integration_id, "integration"
        )
        return RecruiterInviteSuccess(
            integration=build_integration(row),
            email=result.email,
            role=result.role,
            invite_token=result.token,
            expires_at=result.expires_at,
        )
