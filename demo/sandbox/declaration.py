"""What a provider's fake declares so the demo shows the provider: ``SANDBOX`` in
``demo/sandbox/<slug>`` (the slug ``connectors.registry`` lists), found by convention.

    SANDBOX = DemoSandbox(
        slug="greenhouse",
        job_statuses={JobStatus.OPEN: "open", JobStatus.ON_HOLD: "draft", ...},
        make=_demo_fake,                      # Sizes -> DemoFake: built, seeded, its logins
        api_path="/v3",                       # the API under the sandbox's origin
        origin_config={"tokenUrl": "/token"}, # config URLs on the same origin
        acting_users=("4080", "4081"),        # who the demo's admin and first recruiter are
    )

The demo then seeds the provider's integration (named as the registry's title, with its
auth type), serves the fake on a loopback port, points the integration at it with the
declared credentials and config, gives it a webhook secret, adds the fake's people to
the agency's team and syncs it. A declaration without ``make`` is seeded and shown
inactive: the provider has no sandbox to sync from.

What the served fake must do besides: answer at the root of its origin (``api_path``
and ``origin_config`` are paths on it); serve every link it lists that the gateway
fetches (resumes, attachments) on the host the request came to, since a storage host
of the vendor's does not resolve from a loopback sandbox (BPOC's ``resumeUrl``,
``FakeGreenhouse(files_on_request_host=True)``); and seed the same records for the same
``Sizes`` in every process (``talentgraph sync`` builds its own copy).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from starlette.types import ASGIApp

from gateway.store.enums import JobStatus

ATTRIBUTE = "SANDBOX"
"""The name a fake's package gives its declaration."""
PACKAGE = "demo.sandbox"


@dataclass(frozen=True, slots=True)
class Sizes:
    """How many records a fake is seeded with."""

    jobs: int
    candidates: int
    applications: int


@dataclass(frozen=True, kw_only=True)
class DemoFake:
    """A fake built and seeded for the demo, and what the demo needs from that instance."""

    app: ASGIApp
    """What the sandbox serves (the identity route is added around it)."""
    credentials: Mapping[str, str]
    """The integration's credentials that the fake accepts."""
    people: Mapping[str, str] = field(default_factory=dict)
    """email -> name of the fake's recruiters: the demo agency's team, so the sync links
    them by email and every requisition has its owner."""
    account_id: str | None = None
    """The sender's account id, where the provider's webhook route needs one
    (``WebhookRoute.BY_ACCOUNT``): the integration's ``externalAccountId``."""


class RemoteIds(StrEnum):
    """How the stored-only seed (``seed_demo`` with sizes) writes the provider's ids."""

    NUMERIC = "numeric"
    """``48001``, ``910001``: numbers from a base per kind of record."""
    UUID = "uuid"
    PREFIXED_ALNUM = "prefixed_alnum"
    """``oAb3x90001``: a letter, five random characters, the number."""
    PREFIXED_SERIAL = "prefixed_serial"
    """``JR-000001``: a prefix per kind of record and a zero-padded number."""


class Region(StrEnum):
    """Where the stored-only seed places the provider's requisitions and candidates."""

    WORLD = "world"
    PHILIPPINES = "philippines"


@dataclass(frozen=True, kw_only=True)
class SeedLook:
    """How the stored-only seed draws the provider's records, so they look like it."""

    ids: RemoteIds = RemoteIds.NUMERIC
    numeric_stage_ids: bool = False
    """Stages as ``100``, ``101``, ...; otherwise named (``recruiter_screen``)."""
    region: Region = Region.WORLD
    onboarding: bool = False
    """Hires get onboarding tasks (the provider runs onboarding)."""


@dataclass(frozen=True, kw_only=True)
class DemoSandbox:
    """A provider in the demo (see the module docstring)."""

    slug: str
    """The provider, as ``connectors.registry.PACKAGES`` names it."""
    job_statuses: Mapping[JobStatus, str]
    """The provider's own status for each job status (the seeded ``remoteStatus``)."""
    make: Callable[[Sizes], DemoFake] | None = None
    """Build the fake and seed it with ``Sizes``; deterministic, so every process that
    builds it serves the same data. None: no sandbox, the integration stays inactive."""
    api_path: str = ""
    """The API's path under the sandbox's origin: the integration's ``baseUrl``."""
    origin_config: Mapping[str, str] = field(default_factory=dict)
    """More config entries that are URLs on the sandbox's origin, as paths
    (``{"tokenUrl": "/token"}``)."""
    acting_users: tuple[str, str] | None = None
    """The fake's user ids of (the demo's admin, its first recruiter), linked before the
    first sync so writes made in the demo are attributed to someone the fake knows."""
    look: SeedLook = SeedLook()
    name: str | None = None
    """The integration's name; the registry's title when None."""

    @property
    def served(self) -> bool:
        return self.make is not None


def find_sandboxes(slugs: Iterable[str], package: str = PACKAGE) -> list[DemoSandbox]:
    """The declarations of ``package.<slug>`` for each of ``slugs`` that has one, in
    that order. A slug with no such module, or a module without ``SANDBOX``, has none;
    a ``SANDBOX`` that is no ``DemoSandbox`` of that slug is an error."""
    found: list[DemoSandbox] = []
    for slug in slugs:
        name = f"{package}.{slug}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name == name:
                continue
            raise
        declared = getattr(module, ATTRIBUTE, None)
        if declared is None:
            continue
        if not isinstance(declared, DemoSandbox) or declared.slug != slug:
            raise TypeError(f"{name}.{ATTRIBUTE} must be a DemoSandbox with slug {slug!r}")
        found.append(declared)
    return found


@cache
def demo_sandboxes() -> tuple[DemoSandbox, ...]:
    """Every registered provider whose fake declares ``SANDBOX``, in the order the demo
    seeds their integrations: the served ones first, then those without a sandbox, each
    in the registry's order (so the first integrations keep their ids as providers are
    added)."""
    from connectors.registry import PACKAGES

    declared = find_sandboxes(PACKAGES)
    return tuple(
        [sandbox for sandbox in declared if sandbox.served]
        + [sandbox for sandbox in declared if not sandbox.served]
    )
