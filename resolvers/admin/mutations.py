from __future__ import annotations

from typing import Annotated, Any, Union

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.services import prompts as prompt_service
from gateway.services import recruiter_links as link_service
from gateway.services import recruiters as recruiter_service
from gateway.services.activities import Actor
from gateway.services.settings import update_settings
from gateway.store.enums import PromptType, Role
from resolvers.admin.types import (
    Persona,
    Prompt,
    Recruiter,
    RecruiterLink,
    Settings,
    build_persona,
    build_prompt,
    build_recruiter,
    build_recruiter_link,
    build_settings,
)
from resolvers.context import Info
from resolvers.errors import (
    MUTATION_ERRORS,
    ConnectorError,
    RecruiterRejectedError,
    UnsupportedOperationError,
    is_error,
)
from resolvers.inputs import not_null, sent_fields
from resolvers.integrations.types import Integration, build_integration
from resolvers.mutation import run_mutation, write_back_mutation
from resolvers.permissions import check
from resolvers.relay import as_row, pk_of


def _result(name: str, success: type) -> Any:
    return Annotated[Union[success, *MUTATION_ERRORS], strawberry.union(name)]


SOURCE_ERRORS = (UnsupportedOperationError, ConnectorError)
"""Linking and syncing recruiters ask the source, which may not list users, or fail."""


def _link_result(name: str, success: type, *errors: type) -> Any:
    return Annotated[Union[success, *MUTATION_ERRORS, *errors], strawberry.union(name)]


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


@strawberry.input
class PromptCreateInput:
    name: str
    prompt_type: PromptType
    template_content: str
    schema_content: str | None = None
    job_id: strawberry.ID | None = None
    is_default: bool = False


@strawberry.input
class PromptUpdateInput:
    id: strawberry.ID
    name: str | None = not_null()
    prompt_type: PromptType | None = not_null()
    template_content: str | None = not_null()
    schema_content: str | None = strawberry.UNSET
    job_id: strawberry.ID | None = strawberry.UNSET
    is_default: bool | None = not_null()


@strawberry.input
class PromptDeleteInput:
    id: strawberry.ID


@strawberry.type
class PromptCreateSuccess:
    prompt: Prompt


@strawberry.type
class PromptUpdateSuccess:
    prompt: Prompt


@strawberry.type
class PromptDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.input
class PersonaCreateInput:
    name: str
    system_prompt_template: str
    description: str | None = None
    is_default: bool = False


@strawberry.input
class PersonaUpdateInput:
    id: strawberry.ID
    name: str | None = not_null()
    system_prompt_template: str | None = not_null()
    description: str | None = strawberry.UNSET
    is_default: bool | None = not_null()


@strawberry.input
class PersonaDeleteInput:
    id: strawberry.ID


@strawberry.type
class PersonaCreateSuccess:
    persona: Persona


@strawberry.type
class PersonaUpdateSuccess:
    persona: Persona


@strawberry.type
class PersonaDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.input(description="Only the fields sent change.")
class SettingsUpdateInput:
    lookback_hours_default: int | None = not_null()
    lookback_hours_min: int | None = not_null()
    lookback_hours_max: int | None = not_null()
    interview_token_expiry_days: int | None = not_null()
    email_from_address: str | None = strawberry.UNSET
    email_from_name: str | None = strawberry.UNSET
    default_recruiter_id: strawberry.ID | None = strawberry.UNSET
    stale_stage_days: int | None = not_null()
    rank_custom_field: str | None = strawberry.UNSET


@strawberry.type
class SettingsUpdateSuccess:
    settings: Settings


RecruiterCreateResult = _result("RecruiterCreateResult", RecruiterCreateSuccess)
RecruiterUpdateResult = _result("RecruiterUpdateResult", RecruiterUpdateSuccess)
RecruiterDeleteResult = _result("RecruiterDeleteResult", RecruiterDeleteSuccess)
RecruiterTokensRevokeResult = _result("RecruiterTokensRevokeResult", RecruiterTokensRevokeSuccess)
RecruiterLinkResult = _link_result(
    "RecruiterLinkResult", RecruiterLinkSuccess, RecruiterRejectedError, *SOURCE_ERRORS
)
RecruiterUnlinkResult = _result("RecruiterUnlinkResult", RecruiterUnlinkSuccess)
RecruiterSyncResult = _link_result("RecruiterSyncResult", RecruiterSyncSuccess, *SOURCE_ERRORS)
PromptCreateResult = _result("PromptCreateResult", PromptCreateSuccess)
PromptUpdateResult = _result("PromptUpdateResult", PromptUpdateSuccess)
PromptDeleteResult = _result("PromptDeleteResult", PromptDeleteSuccess)
PersonaCreateResult = _result("PersonaCreateResult", PersonaCreateSuccess)
PersonaUpdateResult = _result("PersonaUpdateResult", PersonaUpdateSuccess)
PersonaDeleteResult = _result("PersonaDeleteResult", PersonaDeleteSuccess)
SettingsUpdateResult = _result("SettingsUpdateResult", SettingsUpdateSuccess)


def _prompt_changes(value: Any) -> dict[str, Any]:
    changes = sent_fields(value)
    if changes.get("job_id") is not None:
        changes["job_id"] = pk_of(changes["job_id"], "Job", field="jobId")
    return changes


@strawberry.type
class AdminMutations:
    @strawberry.mutation
    async def recruiter_create(
        self, info: Info, input: RecruiterCreateInput
    ) -> RecruiterCreateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await recruiter_service.create_recruiter(session, actor, sent_fields(input))

        result = await run_mutation(info, Permission.RECRUITERS_MANAGE, action)
        return (
            result
            if is_error(result)
            else RecruiterCreateSuccess(recruiter=build_recruiter(as_row(result)))
        )

    @strawberry.mutation
    async def recruiter_update(
        self, info: Info, input: RecruiterUpdateInput
    ) -> RecruiterUpdateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.id, "Recruiter")
            return await recruiter_service.update_recruiter(session, actor, pk, sent_fields(input))

        result = await run_mutation(info, Permission.RECRUITERS_MANAGE, action)
        return (
            result
            if is_error(result)
            else RecruiterUpdateSuccess(recruiter=build_recruiter(as_row(result)))
        )

    @strawberry.mutation
    async def recruiter_delete(
        self, info: Info, input: RecruiterDeleteInput
    ) -> RecruiterDeleteResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await recruiter_service.delete_recruiter(
                session, actor, pk_of(input.id, "Recruiter")
            )

        result = await run_mutation(info, Permission.RECRUITERS_MANAGE, action)
        return result if is_error(result) else RecruiterDeleteSuccess(deleted_id=input.id)

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
        row = await info.context.loaders.integration_by_id.load(result.integration_id)
        assert row is not None, "a synced integration vanished"
        return RecruiterSyncSuccess(
            integration=build_integration(row),
            matched=result.matched,
            created=result.created,
            kept=result.kept,
            removed=result.removed,
            unmatched=list(result.unmatched),
            failures=list(result.failures),
        )

    @strawberry.mutation
    async def prompt_create(self, info: Info, input: PromptCreateInput) -> PromptCreateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.create_prompt(session, actor, _prompt_changes(input))

        result = await run_mutation(info, Permission.PROMPTS_MANAGE, action)
        return (
            result if is_error(result) else PromptCreateSuccess(prompt=build_prompt(as_row(result)))
        )

    @strawberry.mutation
    async def prompt_update(self, info: Info, input: PromptUpdateInput) -> PromptUpdateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.id, "Prompt")
            return await prompt_service.update_prompt(session, actor, pk, _prompt_changes(input))

        result = await run_mutation(info, Permission.PROMPTS_MANAGE, action)
        return (
            result if is_error(result) else PromptUpdateSuccess(prompt=build_prompt(as_row(result)))
        )

    @strawberry.mutation
    async def prompt_delete(self, info: Info, input: PromptDeleteInput) -> PromptDeleteResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.delete_prompt(session, actor, pk_of(input.id, "Prompt"))

        result = await run_mutation(info, Permission.PROMPTS_MANAGE, action)
        return result if is_error(result) else PromptDeleteSuccess(deleted_id=input.id)

    @strawberry.mutation
    async def persona_create(self, info: Info, input: PersonaCreateInput) -> PersonaCreateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.create_persona(session, actor, sent_fields(input))

        result = await run_mutation(info, Permission.PERSONAS_MANAGE, action)
        return (
            result
            if is_error(result)
            else PersonaCreateSuccess(persona=build_persona(as_row(result)))
        )

    @strawberry.mutation
    async def persona_update(self, info: Info, input: PersonaUpdateInput) -> PersonaUpdateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.id, "Persona")
            return await prompt_service.update_persona(session, actor, pk, sent_fields(input))

        result = await run_mutation(info, Permission.PERSONAS_MANAGE, action)
        return (
            result
            if is_error(result)
            else PersonaUpdateSuccess(persona=build_persona(as_row(result)))
        )

    @strawberry.mutation
    async def persona_delete(self, info: Info, input: PersonaDeleteInput) -> PersonaDeleteResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.delete_persona(session, actor, pk_of(input.id, "Persona"))

        result = await run_mutation(info, Permission.PERSONAS_MANAGE, action)
        return result if is_error(result) else PersonaDeleteSuccess(deleted_id=input.id)

    @strawberry.mutation
    async def settings_update(self, info: Info, input: SettingsUpdateInput) -> SettingsUpdateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            changes = sent_fields(input, exclude=())
            if changes.get("default_recruiter_id") is not None:
                changes["default_recruiter_id"] = pk_of(
                    changes["default_recruiter_id"], "Recruiter", field="defaultRecruiterId"
                )
            return await update_settings(session, actor, changes)

        result = await run_mutation(info, Permission.SETTINGS_MANAGE, action)
        return (
            result if is_error(result) else SettingsUpdateSuccess(settings=build_settings(result))
        )
