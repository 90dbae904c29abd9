"""The agency itself: the tenant, its users and settings, an integration with recruiter
links for each provider whose fake declares ``SANDBOX`` (``demo.sandbox.declaration``),
and each integration's pipeline stages."""

from __future__ import annotations

from datetime import timedelta

from connectors.kit import WebhookRoute
from connectors.registry import provider_spec
from demo.sandbox.declaration import RemoteIds, demo_sandboxes
from demo.seed.state import BuilderState
from demo.seed.store import DemoTenant, user_emails
from demo.seed.values import BASE_TIME, MINUTE, synced_columns
from demo.seed.world import ADMIN, RECRUITERS, STAGES, VIEWER
from gateway.store.enums import (
    AuthType,
    IntegrationEnvironment,
    IntegrationStatus,
    Provider,
    Role,
)
from gateway.store.models import (
    Integration,
    PipelineStage,
    RecruiterLink,
    Tenant,
    TenantSettings,
    User,
)


class OrganisationSteps(BuilderState):
    """Tenant, users, settings, integrations, recruiter links and pipeline stages."""

    def _tenancy(self) -> None:
        created = BASE_TIME - timedelta(days=400)
        self._add(
            Tenant,
            {"id": self.tenant_id, "slug": self.slug, "name": "Demo Agency", "created_at": created},
        )
        admin_email, recruiter_emails, viewer_email = user_emails(self.slug)
        people: list[tuple[str, str, Role, str | None, str | None]] = [
            (admin_email, ADMIN[0], Role.ADMIN, None, ADMIN[1]),
            *(
                (email, name, Role.RECRUITER, phone, title)
                for email, (name, title, phone) in zip(recruiter_emails, RECRUITERS, strict=True)
            ),
            (viewer_email, VIEWER, Role.READONLY, None, "Client Success Analyst"),
        ]
        for email, name, role, phone, title in people:
            contact = (
                f"{name} · {title}, Demo Agency · {phone} · {email}"
                if role is Role.RECRUITER
                else None
            )
            user = self._add(
                User,
                {
                    "id": self.ids.take(User),
                    "tenant_id": self.tenant_id,
                    "email": email,
                    "name": name,
                    "role": role,
                    "phone": phone,
                    "title": title,
                    "public_contact_info": contact,
                    "is_active": True,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            self.users[user["id"]] = user
        self.recruiters = [u for u in self.users.values() if u["role"] is Role.RECRUITER]
        admin, viewer = self.rows[User][0], self.rows[User][-1]
        self.demo = DemoTenant(
            tenant_id=self.tenant_id,
            admin_user_id=admin["id"],
            recruiter_user_ids=[u["id"] for u in self.recruiters],
            readonly_user_id=viewer["id"],
        )
        self._add(
            TenantSettings,
            {
                "tenant_id": self.tenant_id,
                "lookback_hours_default": 24,
                "lookback_hours_min": 1,
                "lookback_hours_max": 168,
                "interview_token_expiry_days": 7,
                "email_from_address": f"talent@{self.slug}.example",
                "email_from_name": "Demo Agency Talent Team",
                "default_recruiter_id": self.recruiters[0]["id"],
                "stale_stage_days": 14,
                "rank_custom_field": "Priority Rank",
                "updated_at": created,
            },
        )

    def _integrations(self) -> None:
        created = BASE_TIME - timedelta(days=365)
        synced = BASE_TIME - 5 * MINUTE
        for declared in demo_sandboxes():
            spec = provider_spec(declared.slug)
            by_account = spec.webhook_route is WebhookRoute.BY_ACCOUNT
            integration = self._add(
                Integration,
                {
                    "id": self.ids.take(Integration),
                    "tenant_id": self.tenant_id,
                    "provider": Provider(declared.slug),
                    "name": declared.name or spec.title,
                    "environment": IntegrationEnvironment.PROD,
                    "auth_type": AuthType(spec.auth),
                    "credentials_encrypted": None,
                    "credentials_hint": None,
                    "webhook_secret_encrypted": None,
                    "config": {},
                    "external_account_id": "demoagency" if by_account else None,
                    "status": IntegrationStatus.ACTIVE,
                    "sync_interval_minutes": 30,
                    "full_sync_interval_minutes": 24 * 60,
                    "sync_cursor": None,
                    "last_sync_at": synced,
                    "last_successful_sync_at": synced,
                    "last_health_check_at": BASE_TIME - 2 * MINUTE,
                    "last_error": None,
                    "last_error_at": None,
                    "created_at": created,
                    "updated_at": synced,
                },
            )
            self.integrations.append(integration)
            self.declarations.append(declared)
            rng = self._rng_of(declared.slug)
            for number, recruiter in enumerate(self.recruiters, start=1):
                remote_id = (
                    self._uuid(rng) if declared.look.ids is RemoteIds.UUID else str(1000 + number)
                )
                self._add(
                    RecruiterLink,
                    {
                        "tenant_id": self.tenant_id,
                        "user_id": recruiter["id"],
                        "integration_id": integration["id"],
                        "remote_id": remote_id,
                        "remote_email": recruiter["email"],
                        "linked_at": created,
                    },
                )

    def _stages(self) -> None:
        synced = BASE_TIME - 5 * MINUTE
        for integration, declared in zip(self.integrations, self.declarations, strict=True):
            ids: list[int] = []
            for position, (name, kind) in enumerate(STAGES):
                remote_id = (
                    str(100 + position)
                    if declared.look.numeric_stage_ids
                    else name.lower().replace(" ", "_")
                )
                remote_data = {"id": remote_id, "name": name, "order": position}
                stage = self._add(
                    PipelineStage,
                    {
                        "id": self.ids.take(PipelineStage),
                        "tenant_id": self.tenant_id,
                        **synced_columns(
                            integration["id"],
                            remote_id,
                            remote_data,
                            remote_updated_at=BASE_TIME - timedelta(days=365),
                            last_synced_at=synced,
                        ),
                        "name": name,
                        "position": position,
                        "kind": kind,
                    },
                )
                ids.append(stage["id"])
            self.stage_ids.append(ids)
