"""Runtime configuration, read from ``TALENTGRAPH_*`` environment variables and a
``.env`` file in the working directory (or the file ``TALENTGRAPH_ENV_FILE`` names);
the environment wins over the file.

>>> Settings(database_url="postgresql+asyncpg://localhost/tg").is_sqlite
False
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from gateway.crypto import Keyring
from gateway.oidc.config import OidcIssuer, check_issuers
from gateway.private_files import create_private_file, private_directory

MIN_JWT_SECRET_BYTES = 32
"""HS256 keys shorter than its 256-bit output can be brute-forced offline from one token."""

ENV_FILE_VARIABLE = "TALENTGRAPH_ENV_FILE"
DEFAULT_ENV_FILE = ".env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TALENTGRAPH_",
        extra="ignore",
        env_file=DEFAULT_ENV_FILE,
        env_file_encoding="utf-8",
        use_attribute_docstrings=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read ``TALENTGRAPH_ENV_FILE`` when the process starts, not when this module is
        imported, unless the caller named a file (``Settings(_env_file=...)``)."""
        named = os.environ.get(ENV_FILE_VARIABLE)
        if (
            named
            and isinstance(dotenv_settings, DotEnvSettingsSource)
            and dotenv_settings.env_file == DEFAULT_ENV_FILE
        ):
            dotenv_settings = DotEnvSettingsSource(
                settings_cls,
                env_file=named,
                env_file_encoding=dotenv_settings.env_file_encoding,
            )
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path(".talentgraph")
    database_url: str | None = None
    database_echo: bool = False
    redis_url: str | None = None
    redis_prefix: str = "talentgraph"
    jwt_secret: str | None = None
    jwt_ttl_seconds: int = 60 * 60 * 24 * 30
    principal_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    """How long a token's user, once read, is trusted without reading it again; a change
    to the user drops it at once (``gateway.principal_cache``). 0 reads it every time."""

    cache_ttl_job_list: int = Field(default=300, ge=0)
    cache_ttl_job_detail: int = Field(default=300, ge=0)
    cache_ttl_pipeline: int = Field(default=900, ge=0)
    cache_ttl_dashboard: int = Field(default=60, ge=0)
    """Short: besides writes (which drop it at once), the clock moves "last 24 h"."""

    max_query_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=30, ge=1)
    max_query_tokens: int = Field(default=4000, ge=1)
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    """``json``: one JSON object per line, with the request id and trace id."""

    encryption_keys: str | None = None
    """``id:base64key`` entries, newest first; see ``gateway.crypto``."""
    public_url: str | None = None
    """Where clients reach this gateway (``https://tg.example.com``): the base of interview
    links, webhook URLs and OAuth redirect URIs. Unset, links follow the address a request
    came to (``gateway.links``); set it behind a reverse proxy."""
    health_check_interval_seconds: int = Field(default=300, ge=0)
    sync_scheduler_interval_seconds: int = Field(default=60, ge=0)
    """Without Redis, how often ``serve`` enqueues due syncs (and hourly maintenance); 0 is off."""
    automation_max_invites_per_check: int = Field(default=50, ge=1, le=1000)
    """Interview invitations one check of a requisition sends at most (the rest wait for
    its next check), so a requisition flipped to auto-send with a large backlog does not
    mail hundreds of candidates in one go."""
    log_retention_days: int = Field(default=30, ge=1, le=3650)
    """How long the operational log (``logs`` in GraphQL) keeps its entries."""
    task_retry_base_seconds: float = Field(default=10.0, ge=0)
    """First retry delay of a failed background task; doubles per attempt, capped at 10 min."""
    job_lease_seconds: float = Field(default=30.0, ge=3, le=3600)
    """How long a running background job or sync may go without a heartbeat before it
    counts as stalled (its worker died) and is taken over (``gateway.queue.Leases``)."""

    rate_limit_public_per_minute: int = Field(default=60, ge=0)
    """Requests without a token (public interview operations) per client IP; 0 is off."""
    rate_limit_user_per_minute: int = Field(default=300, ge=0)
    """Authenticated requests per user; 0 is off."""
    rate_limit_credentials_per_minute: int = Field(default=10, ge=0)
    """Integration credential operations per user; 0 is off."""

    interview_max_questions: int = Field(default=6, ge=1, le=50)
    """Questions of a self-service interview; the interviewer's turn after the candidate's
    last answer closes it, and the interview completes and is evaluated."""
    interview_max_message_chars: int = Field(default=4000, ge=100, le=20_000)
    """Longest message a candidate may send."""
    interview_max_messages: int = Field(default=100, ge=4)
    """Messages (both sides) one interview may hold; past it the candidate is refused."""
    interview_abandon_after_hours: float = Field(default=24.0, gt=0)
    """An interview in progress whose candidate said nothing for this long is marked
    abandoned by the hourly maintenance."""
    interview_turn_timeout_seconds: float = Field(default=120.0, gt=0)
    """Longest one interviewer turn, or one evaluation, may take before it counts as failed."""
    smtp_host: str | None = None
    """Interview invitations go out over SMTP when set; otherwise they are recorded as
    queued (``Interview.invites``) and the recruiter delivers the link."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    """Sender when the tenant has no ``email_from_address``."""
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    ai_provider: Literal["offline", "openai"] = "offline"
    """``offline``: the deterministic interviewer and analyst, no model needed;
    ``openai``: any OpenAI-compatible chat-completions server (``AI_BASE_URL``)."""
    ai_base_url: str | None = None
    ai_model: str | None = None
    ai_api_key: SecretStr | None = None
    ai_timeout_seconds: float = Field(default=60.0, gt=0)
    ai_max_concurrency: int = Field(default=4, ge=1)
    """Analyses and evaluations sent to the model at once, per process."""
    ai_auto_analyze: bool = True
    """Queue a resume analysis for every new application."""
    ai_auto_analyze_full_sync: bool = True
    """Also for the applications a full sync imports (False skips first imports)."""

    max_writes_in_flight: int = Field(default=30, ge=1)
    """Write-backs to one integration's source system running at once, across processes
    when Redis is configured; more wait their turn."""

    webhook_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    """Inbound webhook bodies above this get 413."""
    webhook_tolerance_seconds: int = Field(default=300, ge=1)
    """Signed timestamps further than this from now are refused as replays."""
    webhook_processing_attempts: int = Field(default=5, ge=1)
    """Attempts at processing one inbound event before it is marked failed."""
    webhook_processing_retry_base_seconds: float = Field(default=5.0, ge=0)
    """First retry delay of a failed inbound event; doubles per attempt, capped at 10 min."""
    webhook_lease_seconds: float = Field(default=120.0, gt=0)
    """How long a claimed inbound event or outbound delivery is held by one process; a
    claim older than this belonged to a process that died and is taken over."""
    webhook_handoff_grace_seconds: float = Field(default=10.0, ge=0)
    """A stored inbound event or outbound delivery is left this long to its hand-off
    before a sweep takes it."""
    outbox_grace_seconds: float = Field(default=30.0, gt=0)
    """A bus event staged with its change and still unpublished after this was left by a
    process that died; the sweep publishes it."""
    webhook_sweep_interval_seconds: float = Field(default=5.0, ge=0)
    """How often due retries and stranded events or deliveries are picked up; 0 is off."""
    webhook_retry_base_seconds: float = Field(default=1.0, ge=0)
    """Outbound deliveries: first retry delay (1 s, 2 s, 4 s, ...)."""
    webhook_failure_alert_threshold: int = Field(default=10, ge=0)
    """An integration whose inbound webhook events ended failed, or a subscription whose
    outbound deliveries gave up, more than this many times within the window raises an
    alert: an ERROR in the operational log (source ``alerts``) and the outbound event
    ``integration.webhook_failures`` or ``webhook_subscription.failures``."""
    webhook_failure_alert_window_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    """The window failures are counted in; one alert per integration or subscription
    per window at most."""
    webhook_allow_private_targets: bool = False
    """Allow outbound webhook URLs that resolve to private, loopback or link-local
    addresses (tests and local development only)."""

    max_query_cost_admin: int = Field(default=500_000, ge=1)
    """Largest estimated cost (fields resolved, connection sizes multiplying their
    children) one request of an admin may have; over it is ``QUERY_TOO_COSTLY``."""
    max_query_cost_recruiter: int = Field(default=500_000, ge=1)
    max_query_cost_readonly: int = Field(default=500_000, ge=1)
    max_query_cost_anonymous: int = Field(default=3_000, ge=1)
    """Requests without a token: the public interview operations (at most ~100) and, in
    development, GraphiQL's introspection (~2,150)."""
    max_request_seconds: float = Field(default=15.0, gt=0)
    """Wall-clock limit of one query over HTTP; past it the request is ``TIMEOUT``."""
    max_search_chars: int = Field(default=200, ge=1)
    """Longest ``search`` filter string."""
    persisted_query_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=1)
    """How long an automatic persisted query (Apollo's protocol) is remembered after it
    was registered, per tenant, in the response cache's backend."""
    trusted_documents_file: Path | None = None
    """A JSON manifest ``{"<sha256 hex>": "<document>"}`` (graphql-codegen's client
    preset writes one): when set, only these documents run, sent by hash or in full."""
    max_batch_operations: int = Field(default=10, ge=0, le=100)
    """Operations one batched request (a JSON array) may hold; 0 refuses batches."""
    read_compiler: bool = True
    """Answer read queries over stored records with one SQL statement that builds the
    JSON in the database; off runs every operation on the resolvers."""

    connector_allow_private_targets: bool = False
    """Allow connector ``baseUrl``s over plain http or resolving to private, loopback or
    link-local addresses (the demo sandboxes, tests and private setups only)."""

    graphiql: bool | None = None
    """Serve GraphiQL to browsers on ``/graphql``; unset means on in development only."""
    board: bool | None = None
    """Serve the live pipeline board on ``/board``; unset means on in development only."""
    metrics_token: SecretStr | None = None
    """Bearer token ``/metrics`` asks for; without one ``/metrics`` is open in development
    and refused in production."""
    trusted_proxies: str = ""
    """Comma-separated addresses or networks of reverse proxies whose
    ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed; from anyone else they are
    ignored."""
    websocket_anonymous_per_ip: int = Field(default=20, ge=1)
    """Open WebSockets without a token one client address may hold."""
    websocket_anonymous_idle_seconds: float = Field(default=120.0, gt=0)
    """An anonymous WebSocket running no subscription for this long is closed."""

    oidc_issuers: list[OidcIssuer] = Field(default_factory=list)
    """Identity providers whose tokens sign users in beside this gateway's own, as JSON:
    ``[{"issuer", "audience", "tenant" | "tenants", "tenantClaim", "roleClaim",
    "roleMap", "emailClaim", "provision", "defaultRole"}]`` (``gateway.oidc.config``)."""
    oidc_fetch_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    """Longest a discovery document or key set may take to arrive."""
    oidc_jwks_cache_seconds: float = Field(default=600.0, ge=60, le=86_400)
    """How long a provider's keys are kept when its answer has no ``max-age``."""
    oidc_unknown_kid_refetch_seconds: float = Field(default=30.0, ge=0)
    """At most one refetch per provider in this long for tokens naming a key not known."""
    oidc_retry_after_failure_seconds: float = Field(default=30.0, ge=0)
    """After a failed fetch, how long the keys in hand serve (or, with none, requests are
    refused at once) before the provider is asked again."""
    oidc_leeway_seconds: float = Field(default=60.0, ge=0, le=300)
    """Clock skew allowed on a provider token's ``exp``, ``nbf`` and ``iat``."""

    @field_validator("oidc_issuers")
    @classmethod
    def _distinct_oidc_issuers(cls, value: list[OidcIssuer]) -> list[OidcIssuer]:
        return check_issuers(value)

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``data_dir`` when none is set."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'talentgraph.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def graphiql_enabled(self) -> bool:
        return self.is_development if self.graphiql is None else self.graphiql

    @property
    def board_enabled(self) -> bool:
        return self.is_development if self.board is None else self.board

    def keyring(self) -> Keyring:
        """The configured keys; in development a per-checkout key kept in ``data_dir``."""
        if self.encryption_keys:
            return Keyring.from_setting(self.encryption_keys)
        if not self.is_development:
            raise RuntimeError("TALENTGRAPH_ENCRYPTION_KEYS must be set in production")
        return Keyring.development(self.data_dir)

    def resolved_jwt_secret(self) -> str:
        """The configured secret; in development a per-checkout secret kept in ``data_dir``.

        Production refuses to start without ``TALENTGRAPH_JWT_SECRET`` so that a
        forgotten variable never means tokens signed with a guessable key.
        """
        if self.jwt_secret:
            if len(self.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
                raise RuntimeError(
                    f"TALENTGRAPH_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
                )
            return self.jwt_secret
        if not self.is_development:
            raise RuntimeError("TALENTGRAPH_JWT_SECRET must be set in production")
        private_directory(self.data_dir, narrow=True)
        return create_private_file(self.data_dir / "jwt-secret", secrets.token_urlsafe(48))

    cors_allowed_origins: str = ""
    """Browser origins allowed to call ``/graphql`` from another origin, exactly as
    browsers send them (``https://app.example.com``), comma-separated or as a JSON list;
    empty, none is (``gateway.cors``)."""
